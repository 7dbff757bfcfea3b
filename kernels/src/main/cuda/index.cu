// Index-driven copies and their adjoints. Index tensors arrive contiguous; out-of-range indices are skipped
// and reported through `flag` (see report_bad_index), which the host reads after the launch unless it is
// capturing a graph. index_add and scatter_add use atomics, so repeated indices sum in an unspecified order:
// the result matches the CPU's within float rounding, not bit for bit. Their deterministic variants
// (index_rank + index_add_sorted, scatter_add_gather) sum each output's sources in ascending position, the
// CPU backend's order, and give its bits.
#include "common.cuh"

// out [outer, n, inner] = x [outer, d, inner] at idx[j] along the middle dim (x contiguous).
#define DPVM_INDEX_SELECT(T, S, I, IS)                                                                          \
    extern "C" __global__ void index_select_##S##_##IS(const T* x, const I* idx, T* out, int outer, int d, int n, \
                                                      int inner, int* flag) {                                   \
        int total = outer * n * inner;                                                                          \
        DPVM_GRID_STRIDE(t, total) {                                                                            \
            int k = t % inner, rest = t / inner, j = rest % n, o = rest / n;                                    \
            i64 v = (i64) idx[j];                                                                               \
            if (v < 0 || v >= d) { report_bad_index(flag, v); out[t] = (T) 0; continue; }                       \
            out[t] = x[((i64) o * d + v) * inner + k];                                                          \
        }                                                                                                       \
    }

// out [outer, d, inner] (zeroed) += src [outer, n, inner] at idx[j].
#define DPVM_INDEX_ADD(T, S, I, IS)                                                                             \
    extern "C" __global__ void index_add_##S##_##IS(const T* src, const I* idx, T* out, int outer, int d, int n,   \
                                                   int inner, int* flag) {                                      \
        int total = outer * n * inner;                                                                          \
        DPVM_GRID_STRIDE(t, total) {                                                                            \
            int k = t % inner, rest = t / inner, j = rest % n, o = rest / n;                                    \
            i64 v = (i64) idx[j];                                                                               \
            if (v < 0 || v >= d) { report_bad_index(flag, v); continue; }                                       \
            atomic_add(out + ((i64) o * d + v) * inner + k, src[t]);                                            \
        }                                                                                                       \
    }

// Walks the index tensor (shape g.size, contiguous); operand 0 of g holds the strides of the addressed tensor
// (x for gather, the contiguous output for scatter-add), whose size along dim is `bound`.
__device__ __forceinline__ i64 addressed(const Geo& g, unsigned int i, int dim, i64 v) {
    i64 off = 0;
    for (int d = g.rank - 1; d >= 0; d--) {
        unsigned int s = (unsigned int) g.size[d];
        unsigned int c = d == 0 ? i : i % s;
        i /= s;
        off += (d == dim ? v : (i64) c) * g.stride[0][d];
    }
    return off;
}

#define DPVM_GATHER(T, S, I, IS)                                                                                \
    extern "C" __global__ void gather_##S##_##IS(Geo g, int n, int dim, int bound, const T* x, const I* idx,      \
                                                T* out, int* flag) {                                            \
        DPVM_GRID_STRIDE(i, n) {                                                                                \
            i64 v = (i64) idx[i];                                                                               \
            if (v < 0 || v >= bound) { report_bad_index(flag, v); out[i] = (T) 0; continue; }                   \
            out[i] = x[addressed(g, i, dim, v)];                                                                \
        }                                                                                                       \
    }

#define DPVM_SCATTER_ADD(T, S, I, IS)                                                                           \
    extern "C" __global__ void scatter_add_##S##_##IS(Geo g, int n, int dim, int bound, const T* src,            \
                                                     const I* idx, T* out, int* flag) {                         \
        DPVM_GRID_STRIDE(i, n) {                                                                                \
            i64 v = (i64) idx[i];                                                                               \
            if (v < 0 || v >= bound) { report_bad_index(flag, v); continue; }                                   \
            atomic_add(out + addressed(g, i, dim, v), src[i]);                                                  \
        }                                                                                                       \
    }

// Stable sort of an index vector by value, for the deterministic index_add: position j goes to its rank
// (the count of indices smaller than idx[j], plus the equal ones before j), keys[rank] = idx[j] and
// perm[rank] = j, so each value's positions lie together in ascending order. Out-of-range indices are
// reported and keyed d, past every row. Each block ranks its 256 positions against every index, staged
// through shared memory 256 at a time: O(n^2) comparisons, which is the price of determinism without a
// radix sort (n = 65536 is about 4e9 comparisons).
#define DPVM_INDEX_RANK(I, IS)                                                                                  \
    extern "C" __global__ void __launch_bounds__(256) index_rank_##IS(const I* idx, int n, int d, int* keys,    \
                                                                    int* perm, int* flag) {                     \
        __shared__ int tile[256];                                                                               \
        for (int base = blockIdx.x * blockDim.x; base < n; base += blockDim.x * gridDim.x) {                    \
            int j = base + threadIdx.x, key = d, rank = 0;                                                      \
            if (j < n) {                                                                                        \
                i64 v = (i64) idx[j];                                                                           \
                if (v < 0 || v >= d) report_bad_index(flag, v); else key = (int) v;                             \
            }                                                                                                   \
            for (int t0 = 0; t0 < n; t0 += blockDim.x) {                                                        \
                __syncthreads(); /* the previous tile is read */                                                \
                int jj = t0 + threadIdx.x;                                                                      \
                if (jj < n) {                                                                                   \
                    i64 v = (i64) idx[jj];                                                                      \
                    tile[threadIdx.x] = v < 0 || v >= d ? d : (int) v;                                          \
                }                                                                                               \
                __syncthreads();                                                                                \
                int m = min((int) blockDim.x, n - t0);                                                          \
                for (int q = 0; q < m; q++) {                                                                   \
                    int kq = tile[q];                                                                           \
                    rank += kq < key || (kq == key && t0 + q < j);                                              \
                }                                                                                               \
            }                                                                                                   \
            if (j < n) {                                                                                        \
                keys[rank] = key;                                                                               \
                perm[rank] = j;                                                                                 \
            }                                                                                                   \
        }                                                                                                       \
    }

// The first of n ascending keys that is >= v.
__device__ __forceinline__ int lower_bound(const int* keys, int n, int v) {
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) >> 1;
        if (keys[mid] < v) lo = mid + 1; else hi = mid;
    }
    return lo;
}

// out [outer, d, inner] = sum over j with idx[j] = v of src [outer, n, inner], in ascending j, from the
// sorted keys and positions of index_rank. Every output is written, so out needs no zero fill.
#define DPVM_INDEX_ADD_SORTED(T, S)                                                                             \
    extern "C" __global__ void index_add_sorted_##S(const T* src, const int* keys, const int* perm, T* out,     \
                                                    int outer, int d, int n, int inner) {                       \
        DPVM_GRID_STRIDE(t, outer * d * inner) {                                                                \
            int k = t % inner, rest = t / inner, v = rest % d, o = rest / d;                                    \
            int hi = lower_bound(keys, n, v + 1);                                                               \
            T sum = (T) 0;                                                                                      \
            for (int q = lower_bound(keys, n, v); q < hi; q++) sum += src[((i64) o * n + perm[q]) * inner + k]; \
            out[t] = sum;                                                                                       \
        }                                                                                                       \
    }

// The deterministic scatter_add: one thread per output element, which walks the index tensor along dim at
// its own coordinates and sums the sources whose index is its coordinate on dim, in ascending position.
// g.size is the output's shape, g.stride[0] the index tensor's (contiguous) strides, g.stride[1] its shape;
// outputs outside the index tensor's extent on the other dims are zero. O(outputs x index size along dim).
// Out-of-range indices are reported by the threads of coordinate 0 on dim, which see each index once.
#define DPVM_SCATTER_ADD_GATHER(T, S, I, IS)                                                                    \
    extern "C" __global__ void scatter_add_gather_##S##_##IS(Geo g, int total, int dim, const T* src,          \
                                                            const I* idx, T* out, int* flag) {                  \
        DPVM_GRID_STRIDE(t, total) {                                                                            \
            unsigned int rest = t;                                                                              \
            i64 base = 0;                                                                                       \
            int v = 0;                                                                                          \
            bool inside = true;                                                                                 \
            for (int a = g.rank - 1; a >= 0; a--) {                                                             \
                int c = (int) (rest % (unsigned int) g.size[a]);                                                \
                rest /= (unsigned int) g.size[a];                                                               \
                if (a == dim) v = c;                                                                            \
                else if (c >= g.stride[1][a]) inside = false;                                                   \
                else base += (i64) c * g.stride[0][a];                                                          \
            }                                                                                                   \
            T sum = (T) 0;                                                                                      \
            if (inside) {                                                                                       \
                i64 step = g.stride[0][dim];                                                                    \
                for (int m = 0; m < g.stride[1][dim]; m++) {                                                    \
                    i64 at = base + m * step, w = (i64) idx[at];                                                \
                    if (w == v) sum += src[at];                                                                 \
                    else if (v == 0 && (w < 0 || w >= g.size[dim])) report_bad_index(flag, w);                 \
                }                                                                                               \
            }                                                                                                   \
            out[t] = sum;                                                                                       \
        }                                                                                                       \
    }

#define DPVM_INDEX_ALL(T, S) \
    DPVM_INDEX_SELECT(T, S, int, i32) DPVM_INDEX_SELECT(T, S, i64, i64) \
    DPVM_INDEX_ADD(T, S, int, i32) DPVM_INDEX_ADD(T, S, i64, i64)       \
    DPVM_INDEX_ADD_SORTED(T, S)                                         \
    DPVM_GATHER(T, S, int, i32) DPVM_GATHER(T, S, i64, i64)             \
    DPVM_SCATTER_ADD(T, S, int, i32) DPVM_SCATTER_ADD(T, S, i64, i64)   \
    DPVM_SCATTER_ADD_GATHER(T, S, int, i32) DPVM_SCATTER_ADD_GATHER(T, S, i64, i64)
DPVM_FOR_EACH_TYPE(DPVM_INDEX_ALL)
DPVM_INDEX_RANK(int, i32)
DPVM_INDEX_RANK(i64, i64)
