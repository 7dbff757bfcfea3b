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

// Softmax with the row held in registers: each of the block's 256 threads keeps ITEMS values (run <= 256 ITEMS),
// so the row is read from memory once and each exponential computed once. The arithmetic and its order are the
// rows kernel's (same per-thread order, same block reductions), so both give the same bits.
template <typename T, int ITEMS>
__device__ __forceinline__ void softmax_fwd_registers(const T* x, T* y, int rows, int run, int logMode) {
    for (int r = blockIdx.x; r < rows; r += gridDim.x) {
        const T* in = x + (i64) r * run;
        T* out = y + (i64) r * run;
        T z[ITEMS], e[ITEMS];
        T m = neg_inf<T>();
#pragma unroll
        for (int k = 0; k < ITEMS; k++) {
            int j = threadIdx.x + k * blockDim.x;
            z[k] = j < run ? in[j] : neg_inf<T>();
            if (j < run) m = java_max(m, z[k]);
        }
        m = block_max<T>(m);
        if (m == neg_inf<T>()) m = (T) 0;
        T s = (T) 0;
#pragma unroll
        for (int k = 0; k < ITEMS; k++) {
            int j = threadIdx.x + k * blockDim.x;
            if (j < run) {
                z[k] = z[k] - m;
                e[k] = ex(z[k]);
                s += e[k];
            }
        }
        s = block_sum<T>(s);
        T logSum = ln(s), inv = (T) 1 / s;
#pragma unroll
        for (int k = 0; k < ITEMS; k++) {
            int j = threadIdx.x + k * blockDim.x;
            if (j < run) out[j] = logMode ? z[k] - logSum : e[k] * inv;
        }
    }
}

// The gradient with the row's y and upstream gradient held in registers: each read once, the rows kernel's
// arithmetic in its order.
template <typename T, int ITEMS>
__device__ __forceinline__ void softmax_bwd_registers(const T* y, const T* g, T* dx, int rows, int run, int logMode) {
    for (int r = blockIdx.x; r < rows; r += gridDim.x) {
        const T* yr = y + (i64) r * run;
        const T* gr = g + (i64) r * run;
        T* dr = dx + (i64) r * run;
        T yv[ITEMS], gv[ITEMS];
        T dot = (T) 0;
#pragma unroll
        for (int k = 0; k < ITEMS; k++) {
            int j = threadIdx.x + k * blockDim.x;
            if (j < run) {
                yv[k] = yr[j];
                gv[k] = gr[j];
                dot += logMode ? gv[k] : gv[k] * yv[k];
            }
        }
        dot = block_sum<T>(dot);
#pragma unroll
        for (int k = 0; k < ITEMS; k++) {
            int j = threadIdx.x + k * blockDim.x;
            if (j < run) dr[j] = logMode ? gv[k] - ex(yv[k]) * dot : yv[k] * (gv[k] - dot);
        }
    }
}

#define DPVM_SOFTMAX_REGISTERS(T, S, N) \
    extern "C" __global__ void softmax_fwd_r##N##_##S(const T* x, T* y, int rows, int run, int logMode) { \
        softmax_fwd_registers<T, N>(x, y, rows, run, logMode);                                          \
    }                                                                                                   \
    extern "C" __global__ void softmax_bwd_r##N##_##S(const T* y, const T* g, T* dx, int rows, int run, int logMode) { \
        softmax_bwd_registers<T, N>(y, g, dx, rows, run, logMode);                                      \
    }
// float rows up to 8192 values, double rows up to 4096 (32 doubles a thread would spill)
#define DPVM_SOFTMAX_REGISTERS_ALL(T, S) DPVM_SOFTMAX_REGISTERS(T, S, 1) DPVM_SOFTMAX_REGISTERS(T, S, 2) \
    DPVM_SOFTMAX_REGISTERS(T, S, 4) DPVM_SOFTMAX_REGISTERS(T, S, 8) DPVM_SOFTMAX_REGISTERS(T, S, 16)
DPVM_SOFTMAX_REGISTERS_ALL(float, f32)
DPVM_SOFTMAX_REGISTERS(float, f32, 32)
DPVM_SOFTMAX_REGISTERS_ALL(double, f64)

// Fused cross-entropy over logits [rows, classes] with any strides (xr, xc), one block per row; targets (int32
// or int64) and class weights (null: all ones) are strided vectors. Forward writes each row's loss term
//   (1 - s) w[t] (lse - x[t]) + (s / C) sum_j w[j] (lse - x[j])     (second term only when s > 0)
// with lse - x[j] taken as log(sum) - (x[j] - max), so nothing cancels, plus max, log(sum) (lse in two parts,
// so large logits keep T's precision) and w[t]. A target outside [0, C) is reported through the index-error
// flag and its row is NaN. Backward writes
//   g ((1 - s) w[t] (p[j] - [j = t]) + (s / C) (W p[j] - w[j])),   p[j] = exp((x[j] - max) - log(sum)),
// W = sum_j w[j].
template <typename T> __device__ __forceinline__ T nan_of();
template <> __device__ __forceinline__ float nan_of<float>() { return dpvm_nan_f(); }
template <> __device__ __forceinline__ double nan_of<double>() { return dpvm_nan_d(); }

template <typename T, typename I>
__device__ void cross_entropy_fwd(const T* x, int xr, int xc, const I* t, int ts, const T* w, int ws, T* loss, T* rowMax,
                                  T* logSum, T* tw, int rows, int classes, double smoothing, int* flag) {
    for (int r = blockIdx.x; r < rows; r += gridDim.x) {
        const T* row = x + (i64) r * xr;
        i64 target = (i64) t[(i64) r * ts];
        if (target < 0 || target >= classes) {  // the same for every thread of the block
            if (threadIdx.x == 0) {
                report_bad_index(flag, target);
                loss[r] = nan_of<T>();
                rowMax[r] = nan_of<T>();
                logSum[r] = nan_of<T>();
                tw[r] = nan_of<T>();
            }
            continue;
        }
        T m = neg_inf<T>();
        for (int j = threadIdx.x; j < classes; j += blockDim.x) m = java_max(m, row[(i64) j * xc]);
        m = block_max<T>(m);
        if (m == neg_inf<T>()) m = (T) 0;
        T sum = (T) 0;
        for (int j = threadIdx.x; j < classes; j += blockDim.x) sum += ex(row[(i64) j * xc] - m);
        sum = block_sum<T>(sum);
        T logS = ln(sum);
        T smooth = (T) 0;
        if (smoothing > 0) {
            for (int j = threadIdx.x; j < classes; j += blockDim.x) {
                T wj = w ? w[(i64) j * ws] : (T) 1;
                smooth += wj * (logS - (row[(i64) j * xc] - m));
            }
            smooth = block_sum<T>(smooth);
        }
        if (threadIdx.x == 0) {
            T wt = w ? w[target * ws] : (T) 1;
            T term = (T) (1 - smoothing) * wt * (logS - (row[target * xc] - m));
            if (smoothing > 0) term += (T) (smoothing / classes) * smooth;
            loss[r] = term;
            rowMax[r] = m;
            logSum[r] = logS;
            tw[r] = wt;
        }
    }
}

template <typename T, typename I>
__device__ void cross_entropy_bwd(const T* x, int xr, int xc, const I* t, int ts, const T* w, int ws, const T* rowMax, int ms,
                                  const T* logSum, int ls, const T* g, int gs, T* dx, int rows, int classes, double smoothing) {
    const T perClass = (T) (smoothing / classes);
    T weightSum = (T) classes;
    if (w && smoothing > 0) {  // the same for every row: summed once per block
        T acc = (T) 0;
        for (int j = threadIdx.x; j < classes; j += blockDim.x) acc += w[(i64) j * ws];
        weightSum = block_sum<T>(acc);
    }
    for (int r = blockIdx.x; r < rows; r += gridDim.x) {
        const T* row = x + (i64) r * xr;
        T* out = dx + (i64) r * classes;
        i64 target = (i64) t[(i64) r * ts];
        bool hit = target >= 0 && target < classes;  // the forward pass has rejected any other
        T onTarget = hit ? (T) (1 - smoothing) * (w ? w[target * ws] : (T) 1) : (T) 0;
        T coef = smoothing > 0 ? onTarget + perClass * weightSum : onTarget;
        T m = rowMax[(i64) r * ms], logS = logSum[(i64) r * ls], gr = g[(i64) r * gs];
        for (int j = threadIdx.x; j < classes; j += blockDim.x) {
            T d = coef * ex((row[(i64) j * xc] - m) - logS);
            if (smoothing > 0) d -= perClass * (w ? w[(i64) j * ws] : (T) 1);
            if (j == target) d -= onTarget;
            out[j] = gr * d;
        }
    }
}

#define DPVM_CROSS_ENTROPY(T, S, I, IS)                                                                     \
    extern "C" __global__ void cross_entropy_fwd_##S##_##IS(const T* x, int xr, int xc, const I* t, int ts,   \
                                                            const T* w, int ws, T* loss, T* rowMax, T* logSum, \
                                                            T* tw, int rows, int classes, double smoothing,  \
                                                            int* flag) {                                     \
        cross_entropy_fwd<T, I>(x, xr, xc, t, ts, w, ws, loss, rowMax, logSum, tw, rows, classes, smoothing, flag); \
    }                                                                                                       \
    extern "C" __global__ void cross_entropy_bwd_##S##_##IS(const T* x, int xr, int xc, const I* t, int ts,   \
                                                            const T* w, int ws, const T* rowMax, int ms,     \
                                                            const T* logSum, int ls, const T* g, int gs,     \
                                                            T* dx, int rows, int classes, double smoothing) { \
        cross_entropy_bwd<T, I>(x, xr, xc, t, ts, w, ws, rowMax, ms, logSum, ls, g, gs, dx, rows, classes, smoothing); \
    }
DPVM_CROSS_ENTROPY(float, f32, int, i32)
DPVM_CROSS_ENTROPY(float, f32, i64, i64)
DPVM_CROSS_ENTROPY(double, f64, int, i32)
DPVM_CROSS_ENTROPY(double, f64, i64, i64)
