// Index-driven copies and their adjoints. Index tensors arrive contiguous; out-of-range indices are skipped
// and reported through `flag` (see report_bad_index), the launch's own slot, which the host reads at its next
// wait for the GPU (IndexChecks.java). index_add and scatter_add use atomics, so repeated indices sum in an unspecified order:
// the result matches the CPU's within float rounding, not bit for bit. Their deterministic variants
// (index_keys + merge_pass + segment_starts + index_add_sorted; scatter_add_gather) sum each output's sources
// in ascending position, the CPU backend's order, and give its bits.
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

// Stable sort of an index vector by value, for the deterministic index_add: afterwards keys[] ascends and
// perm[] holds each key's positions in ascending order, so each value's sources lie together in the CPU's
// order. index_keys makes the unsorted pairs (key = the index, or d, past every row, for an out-of-range one,
// which it reports); merge_pass then merges runs of `width` pairs two by two, log2(n) passes in all. Pairs are
// ordered by (key, position), all distinct, so a pair's place in the merged run is its place in its own run plus
// the count of smaller pairs in the partner run, found by binary search: O(n log^2 n), no atomics.
#define DPVM_INDEX_KEYS(I, IS)                                                                                  \
    extern "C" __global__ void index_keys_##IS(const I* idx, int n, int d, int* keys, int* perm, int* flag) {    \
        DPVM_GRID_STRIDE(j, n) {                                                                                \
            i64 v = (i64) idx[j];                                                                               \
            bool bad = v < 0 || v >= d;                                                                         \
            if (bad) report_bad_index(flag, v);                                                                 \
            keys[j] = bad ? d : (int) v;                                                                        \
            perm[j] = (int) j;                                                                                  \
        }                                                                                                       \
    }

extern "C" __global__ void merge_pass(const int* keys, const int* perm, int* keysOut, int* permOut, int n, int width) {
    DPVM_GRID_STRIDE(t, n) {
        int run = (int) t / width, start = run * width, partner = (run ^ 1) * width;
        int k = keys[t], p = perm[t], at = (int) t - start;
        if (partner < n) {
            // pairs of the partner run smaller than (k, p)
            int lo = 0, hi = min(width, n - partner);
            while (lo < hi) {
                int mid = (lo + hi) >> 1, km = keys[partner + mid];
                if (km < k || (km == k && perm[partner + mid] < p)) lo = mid + 1; else hi = mid;
            }
            at += lo;
        }
        int base = min(start, partner);
        keysOut[base + at] = k;
        permOut[base + at] = p;
    }
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

// starts[v] = the first sorted position whose key is >= v, for v in [0, d]: row v's sources are
// perm[starts[v] .. starts[v + 1]).
extern "C" __global__ void segment_starts(const int* keys, int n, int d, int* starts) {
    DPVM_GRID_STRIDE(v, d + 1) starts[v] = lower_bound(keys, n, (int) v);
}

// out [outer, d, inner] = sum over j with idx[j] = v of src [outer, n, inner], in ascending j, from the sorted
// positions of index_keys + merge_pass and the row starts of segment_starts. Every output is written, so out
// needs no zero fill.
#define DPVM_INDEX_ADD_SORTED(T, S)                                                                             \
    extern "C" __global__ void index_add_sorted_##S(const T* src, const int* starts, const int* perm, T* out,   \
                                                    int outer, int d, int n, int inner) {                       \
        DPVM_GRID_STRIDE(t, outer * d * inner) {                                                                \
            int k = t % inner, rest = t / inner, v = rest % d, o = rest / d;                                    \
            T sum = (T) 0;                                                                                      \
            for (int q = starts[v]; q < starts[v + 1]; q++) sum += src[((i64) o * n + perm[q]) * inner + k];    \
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
DPVM_INDEX_KEYS(int, i32)
DPVM_INDEX_KEYS(i64, i64)
