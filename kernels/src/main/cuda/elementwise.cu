// Unary, binary and where over strided, broadcast operands (operand 0 is the output). The op is a run-time
// argument: it is the same for every thread, so the switch costs a uniform branch, and one kernel per dtype
// keeps the NVRTC compile short. The operators themselves are in elementwise.cuh.
#include "elementwise.cuh"

#define DPVM_UNARY(T, S)                                                                         \
    extern "C" __global__ void unary_##S(Geo g, int n, int op, T* out, const T* x) {             \
        DPVM_GRID_STRIDE(i, n) {                                                                  \
            int off[2];                                                                           \
            geo_offsets<2>(g, i, off);                                                            \
            out[off[0]] = unary_op<T>(op, x[off[1]]);                                             \
        }                                                                                         \
    }
DPVM_FOR_EACH_STORED_TYPE(DPVM_UNARY)

#define DPVM_BINARY(T, S)                                                                              \
    extern "C" __global__ void binary_##S(Geo g, int n, int op, T* out, const T* a, const T* b) {      \
        DPVM_GRID_STRIDE(i, n) {                                                                        \
            int off[3];                                                                                 \
            geo_offsets<3>(g, i, off);                                                                  \
            out[off[0]] = binary_op<T>(op, a[off[1]], b[off[2]]);                                       \
        }                                                                                               \
    }
DPVM_FOR_EACH_STORED_TYPE(DPVM_BINARY)

// Contiguous same-shape operands: no index arithmetic, four elements per thread in flight.
#define DPVM_BINARY_FLAT(T, S)                                                                              \
    extern "C" __global__ void binary_flat_##S(int n, int op, T* __restrict__ out, const T* __restrict__ a,  \
                                               const T* __restrict__ b) {                                    \
        unsigned int stride = blockDim.x * gridDim.x;                                                        \
        unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;                                              \
        for (; i + 3 * stride < (unsigned int) n; i += 4 * stride) {                                         \
            T a0 = a[i], a1 = a[i + stride], a2 = a[i + 2 * stride], a3 = a[i + 3 * stride];                 \
            T b0 = b[i], b1 = b[i + stride], b2 = b[i + 2 * stride], b3 = b[i + 3 * stride];                 \
            out[i] = binary_op<T>(op, a0, b0);                                                               \
            out[i + stride] = binary_op<T>(op, a1, b1);                                                      \
            out[i + 2 * stride] = binary_op<T>(op, a2, b2);                                                  \
            out[i + 3 * stride] = binary_op<T>(op, a3, b3);                                                  \
        }                                                                                                    \
        for (; i < (unsigned int) n; i += stride) out[i] = binary_op<T>(op, a[i], b[i]);                   \
    }
DPVM_FOR_EACH_STORED_TYPE(DPVM_BINARY_FLAT)

#define DPVM_WHERE(C, CS, T, S)                                                                                  \
    extern "C" __global__ void where_##CS##_##S(Geo g, int n, T* out, const C* cond, const T* a, const T* b) { \
        DPVM_GRID_STRIDE(i, n) {                                                                                  \
            int off[4];                                                                                           \
            geo_offsets<4>(g, i, off);                                                                            \
            out[off[0]] = nonzero<C>(cond[off[1]]) ? a[off[2]] : b[off[3]];                                       \
        }                                                                                                         \
    }
#define DPVM_WHERE_COND(C, CS) DPVM_WHERE(C, CS, float, f32) DPVM_WHERE(C, CS, double, f64) \
    DPVM_WHERE(C, CS, int, i32) DPVM_WHERE(C, CS, i64, i64) DPVM_WHERE(C, CS, bf16, bf16)
DPVM_FOR_EACH_STORED_TYPE(DPVM_WHERE_COND)

// Dense operands in 16-byte vectors (the host uses them when every pointer is 16-byte aligned and n holds at least
// one vector): each thread moves whole vectors, so fewer, wider memory transactions are in flight, which matters
// most for the narrow types (eight bfloat16 per load instead of one). The first n % K threads of the grid then do
// the elements past the last whole vector one by one.
template <typename T> struct alignas(16) vec16 { T e[16 / sizeof(T)]; };

#define DPVM_UNARY_VECTOR(T, S)                                                                                      \
    extern "C" __global__ void unary_vector_##S(int n, int op, T* __restrict__ out, const T* __restrict__ x) {        \
        const int K = 16 / sizeof(T);                                                                                 \
        int nv = n / K;                                                                                               \
        DPVM_GRID_STRIDE(i, nv) {                                                                                     \
            vec16<T> v = ((const vec16<T>*) x)[i], r;                                                                 \
            _Pragma("unroll") for (int k = 0; k < K; k++) r.e[k] = unary_op<T>(op, v.e[k]);                           \
            ((vec16<T>*) out)[i] = r;                                                                                 \
        }                                                                                                             \
        unsigned int tail = (unsigned int) (nv * K) + blockIdx.x * blockDim.x + threadIdx.x;                          \
        if (tail < (unsigned int) n) out[tail] = unary_op<T>(op, x[tail]);                                            \
    }
DPVM_FOR_EACH_STORED_TYPE(DPVM_UNARY_VECTOR)

#define DPVM_BINARY_VECTOR(T, S)                                                                                     \
    extern "C" __global__ void binary_vector_##S(int n, int op, T* __restrict__ out, const T* __restrict__ a,        \
                                                 const T* __restrict__ b) {                                          \
        const int K = 16 / sizeof(T);                                                                                 \
        int nv = n / K;                                                                                               \
        DPVM_GRID_STRIDE(i, nv) {                                                                                     \
            vec16<T> x = ((const vec16<T>*) a)[i], y = ((const vec16<T>*) b)[i], r;                                   \
            _Pragma("unroll") for (int k = 0; k < K; k++) r.e[k] = binary_op<T>(op, x.e[k], y.e[k]);                  \
            ((vec16<T>*) out)[i] = r;                                                                                 \
        }                                                                                                             \
        unsigned int tail = (unsigned int) (nv * K) + blockIdx.x * blockDim.x + threadIdx.x;                          \
        if (tail < (unsigned int) n) out[tail] = binary_op<T>(op, a[tail], b[tail]);                                  \
    }
DPVM_FOR_EACH_STORED_TYPE(DPVM_BINARY_VECTOR)
