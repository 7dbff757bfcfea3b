// Softmax and log-softmax over contiguous rows [rows, run] (the host moves the dim last), one block per row.
// Float rows accumulate in float (a tree sum's error is a few ulps at these lengths); double rows in double.
// An all -inf row uses max 0, so exp gives 0/0 = NaN as in PyTorch and the CPU reference.
#include "common.cuh"

template <typename T> __device__ T block_sum(T v) {
    __shared__ T part[32];
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    __syncthreads();
    if (lane == 0) part[warp] = v;
    __syncthreads();
    if (warp == 0) {
        v = lane < warps ? part[lane] : (T) 0;
        for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
        if (lane == 0) part[0] = v;
    }
    __syncthreads();
    return part[0];
}

template <typename T> __device__ T block_max(T v) {
    __shared__ T part[32];
    for (int o = 16; o > 0; o >>= 1) v = java_max(v, __shfl_down_sync(0xffffffffu, v, o));
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    __syncthreads();
    if (lane == 0) part[warp] = v;
    __syncthreads();
    if (warp == 0) {
        v = lane < warps ? part[lane] : part[0];
        for (int o = 16; o > 0; o >>= 1) v = java_max(v, __shfl_down_sync(0xffffffffu, v, o));
        if (lane == 0) part[0] = v;
    }
    __syncthreads();
    return part[0];
}

__device__ __forceinline__ float ex(float v) { return expf(v); }
__device__ __forceinline__ double ex(double v) { return exp(v); }
__device__ __forceinline__ float ln(float v) { return logf(v); }
__device__ __forceinline__ double ln(double v) { return log(v); }
template <typename T> __device__ __forceinline__ T neg_inf();
template <> __device__ __forceinline__ float neg_inf<float>() { return -dpvm_inf_f(); }
template <> __device__ __forceinline__ double neg_inf<double>() { return -dpvm_inf_d(); }

#define DPVM_SOFTMAX(T, S)                                                                              \
    extern "C" __global__ void softmax_fwd_##S(const T* x, T* y, int rows, int run, int logMode) {      \
        for (int r = blockIdx.x; r < rows; r += gridDim.x) {                                            \
            const T* in = x + (i64) r * run;                                                            \
            T* out = y + (i64) r * run;                                                                 \
            T m = neg_inf<T>();                                                                         \
            for (int j = threadIdx.x; j < run; j += blockDim.x) m = java_max(m, in[j]);                 \
            m = block_max<T>(m);                                                                        \
            if (m == neg_inf<T>()) m = (T) 0;                                                           \
            T s = (T) 0;                                                                                \
            for (int j = threadIdx.x; j < run; j += blockDim.x) s += ex(in[j] - m);                     \
            s = block_sum<T>(s);                                                                        \
            T logSum = ln(s), inv = (T) 1 / s;                                                          \
            for (int j = threadIdx.x; j < run; j += blockDim.x) {                                       \
                T z = in[j] - m;                                                                        \
                out[j] = logMode ? z - logSum : ex(z) * inv;                                            \
            }                                                                                           \
        }                                                                                               \
    }                                                                                                   \
    extern "C" __global__ void softmax_bwd_##S(const T* y, const T* g, T* dx, int rows, int run, int logMode) { \
        for (int r = blockIdx.x; r < rows; r += gridDim.x) {                                            \
            const T* yr = y + (i64) r * run;                                                            \
            const T* gr = g + (i64) r * run;                                                            \
            T* dr = dx + (i64) r * run;                                                                 \
            T dot = (T) 0;                                                                              \
            for (int j = threadIdx.x; j < run; j += blockDim.x) dot += logMode ? gr[j] : gr[j] * yr[j]; \
            dot = block_sum<T>(dot);                                                                    \
            for (int j = threadIdx.x; j < run; j += blockDim.x) {                                       \
                T yv = yr[j], gv = gr[j];                                                               \
                dr[j] = logMode ? gv - ex(yv) * dot : yv * (gv - dot);                                  \
            }                                                                                           \
        }                                                                                               \
    }
DPVM_FOR_EACH_FLOAT(DPVM_SOFTMAX)
