// Index-driven copies and their adjoints. Index tensors arrive contiguous; out-of-range indices are skipped
// and reported through `flag` (see report_bad_index), which the host reads after the launch unless it is
// capturing a graph. The additive kernels use atomics, so repeated indices sum in an unspecified order: the
// result matches the CPU's within float rounding, not bit for bit.
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

#define DPVM_INDEX_ALL(T, S) \
    DPVM_INDEX_SELECT(T, S, int, i32) DPVM_INDEX_SELECT(T, S, i64, i64) \
    DPVM_INDEX_ADD(T, S, int, i32) DPVM_INDEX_ADD(T, S, i64, i64)       \
    DPVM_GATHER(T, S, int, i32) DPVM_GATHER(T, S, i64, i64)             \
    DPVM_SCATTER_ADD(T, S, int, i32) DPVM_SCATTER_ADD(T, S, i64, i64)
DPVM_FOR_EACH_TYPE(DPVM_INDEX_ALL)
