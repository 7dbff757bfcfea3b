// Layer norm over contiguous rows [rows, inner] (the host makes every operand dense) and its backward.
// Statistics accumulate in double for both dtypes, from the row's values held in registers: first the mean,
// then the sum of squared deviations from it, so the variance never cancels. Three layouts, chosen on the host
// by the row length (Norm.RowPlan):
//   w<VPT>  rows of up to 1024 values: one warp per row, VPT values per lane, 8 rows per 256-thread block;
//   b       up to 8192 values: one block per row (128 to 512 threads), 16 values per thread;
//   wide    longer rows: one 1024-thread block per row, reading the row from memory on each pass.
// Lane t of a row's threads holds columns t, t + lanes, t + 2 lanes, ... so every load is coalesced. Absent
// weight or bias arrive as null pointers. Mean and rstd are saved per row in the input's dtype; y is normalised
// in that dtype from the rounded mean and rstd, as the CPU backend does.
// The weight and bias gradients are column sums over the rows: partial sums per chunk of rows in double, then
// the chunks added in order. No atomics, so results do not depend on scheduling.
#include "common.cuh"

#define DPVM_LN_VPT_BLOCK 16

template <bool BLOCK> __device__ __forceinline__ double row_sum(double v, double* part) {
    return BLOCK ? block_sum(v, part) : warp_sum(v);
}

// ---------------------------------------------------------------- forward

// Row r held by `lanes` threads (a warp, or the whole block when BLOCK); t is this thread's lane in the row.
template <typename T, int VPT, bool BLOCK>
__device__ __forceinline__ void ln_fwd_row(const T* __restrict__ xr, const T* __restrict__ w, const T* __restrict__ b,
                                           T* __restrict__ yr, T* mean, T* rstd, int r, int inner, int t, int lanes,
                                           double eps, double* part) {
    T v[VPT];
    double s = 0;
#pragma unroll
    for (int k = 0; k < VPT; k++) {
        int j = t + lanes * k;
        v[k] = j < inner ? xr[j] : (T) 0;
        s += (double) v[k];
    }
    double mu = row_sum<BLOCK>(s, part) / inner;
    double q = 0;
#pragma unroll
    for (int k = 0; k < VPT; k++) {
        int j = t + lanes * k;
        double d = (double) v[k] - mu;
        if (j < inner) q += d * d;
    }
    double rs = 1.0 / sqrt(row_sum<BLOCK>(q, part) / inner + eps);
    T m = (T) mu, a = (T) rs;
#pragma unroll
    for (int k = 0; k < VPT; k++) {
        int j = t + lanes * k;
        if (j < inner) {
            T h = (v[k] - m) * a;
            if (w) h = h * w[j];
            if (b) h = h + b[j];
            yr[j] = h;
        }
    }
    if (t == 0) {
        mean[r] = m;
        rstd[r] = a;
    }
}

#define DPVM_LN_FWD_WARP(T, S, VPT)                                                                                  \
    extern "C" __global__ void __launch_bounds__(256) layer_norm_fwd_w##VPT##_##S(                                   \
        const T* x, const T* w, const T* b, T* y, T* mean, T* rstd, int rows, int inner, double eps) {               \
        int per = blockDim.x >> 5;                                                                                   \
        for (int r = blockIdx.x * per + (threadIdx.x >> 5); r < rows; r += gridDim.x * per)                          \
            ln_fwd_row<T, VPT, false>(x + (i64) r * inner, w, b, y + (i64) r * inner, mean, rstd, r, inner,          \
                                      threadIdx.x & 31, 32, eps, nullptr);                                           \
    }

#define DPVM_LN_FWD(T, S)                                                                                            \
    DPVM_LN_FWD_WARP(T, S, 1) DPVM_LN_FWD_WARP(T, S, 2) DPVM_LN_FWD_WARP(T, S, 4)                                    \
    DPVM_LN_FWD_WARP(T, S, 8) DPVM_LN_FWD_WARP(T, S, 16) DPVM_LN_FWD_WARP(T, S, 32)                                  \
    extern "C" __global__ void __launch_bounds__(512) layer_norm_fwd_b_##S(                                          \
        const T* x, const T* w, const T* b, T* y, T* mean, T* rstd, int rows, int inner, double eps) {               \
        __shared__ double part[32];                                                                                  \
        for (int r = blockIdx.x; r < rows; r += gridDim.x)                                                           \
            ln_fwd_row<T, DPVM_LN_VPT_BLOCK, true>(x + (i64) r * inner, w, b, y + (i64) r * inner, mean, rstd, r,    \
                                                   inner, threadIdx.x, blockDim.x, eps, part);                       \
    }                                                                                                                \
    extern "C" __global__ void __launch_bounds__(1024) layer_norm_fwd_wide_##S(                                      \
        const T* x, const T* w, const T* b, T* y, T* mean, T* rstd, int rows, int inner, double eps) {               \
        __shared__ double part[32];                                                                                  \
        for (int r = blockIdx.x; r < rows; r += gridDim.x) {                                                         \
            const T* xr = x + (i64) r * inner;                                                                       \
            T* yr = y + (i64) r * inner;                                                                             \
            double s = 0;                                                                                            \
            for (int j = threadIdx.x; j < inner; j += blockDim.x) s += (double) xr[j];                               \
            double mu = block_sum(s, part) / inner;                                                                  \
            double q = 0;                                                                                            \
            for (int j = threadIdx.x; j < inner; j += blockDim.x) {                                                  \
                double d = (double) xr[j] - mu;                                                                      \
                q += d * d;                                                                                          \
            }                                                                                                        \
            double rs = 1.0 / sqrt(block_sum(q, part) / inner + eps);                                                \
            T m = (T) mu, a = (T) rs;                                                                                \
            for (int j = threadIdx.x; j < inner; j += blockDim.x) {                                                  \
                T h = (xr[j] - m) * a;                                                                               \
                if (w) h = h * w[j];                                                                                 \
                if (b) h = h + b[j];                                                                                 \
                yr[j] = h;                                                                                           \
            }                                                                                                        \
            if (threadIdx.x == 0) {                                                                                  \
                mean[r] = m;                                                                                         \
                rstd[r] = a;                                                                                         \
            }                                                                                                        \
        }                                                                                                            \
    }
DPVM_FOR_EACH_FLOAT(DPVM_LN_FWD)

// ---------------------------------------------------------------- backward: dx

// dx = rstd * (g w - mean_j(g w) - xhat * mean_j(g w xhat)) with xhat = (x - mean) * rstd, in double.
template <typename T, int VPT, bool BLOCK>
__device__ __forceinline__ void ln_bwd_row(const T* __restrict__ gr, const T* __restrict__ xr, const T* __restrict__ w,
                                           T* __restrict__ dr, double mu, double rs, int inner, int t, int lanes,
                                           double* part) {
    T gv[VPT], xv[VPT];
    double a = 0, c = 0;
#pragma unroll
    for (int k = 0; k < VPT; k++) {
        int j = t + lanes * k;
        gv[k] = (T) 0;
        xv[k] = (T) 0;
        if (j < inner) {
            gv[k] = gr[j];
            xv[k] = xr[j];
            double gw = w ? (double) gv[k] * (double) w[j] : (double) gv[k];
            a += gw;
            c += gw * (((double) xv[k] - mu) * rs);
        }
    }
    double an = row_sum<BLOCK>(a, part) / inner;
    double cn = row_sum<BLOCK>(c, part) / inner;
#pragma unroll
    for (int k = 0; k < VPT; k++) {
        int j = t + lanes * k;
        if (j < inner) {
            double gw = w ? (double) gv[k] * (double) w[j] : (double) gv[k];
            dr[j] = (T) (rs * (gw - an - ((double) xv[k] - mu) * rs * cn));
        }
    }
}

#define DPVM_LN_BWD_WARP(T, S, VPT)                                                                                  \
    extern "C" __global__ void __launch_bounds__(256) layer_norm_bwd_w##VPT##_##S(                                   \
        const T* g, const T* x, const T* mean, const T* rstd, const T* w, T* dx, int rows, int inner) {              \
        int per = blockDim.x >> 5;                                                                                   \
        for (int r = blockIdx.x * per + (threadIdx.x >> 5); r < rows; r += gridDim.x * per)                          \
            ln_bwd_row<T, VPT, false>(g + (i64) r * inner, x + (i64) r * inner, w, dx + (i64) r * inner,             \
                                      (double) mean[r], (double) rstd[r], inner, threadIdx.x & 31, 32, nullptr);     \
    }

#define DPVM_LN_BWD(T, S)                                                                                            \
    DPVM_LN_BWD_WARP(T, S, 1) DPVM_LN_BWD_WARP(T, S, 2) DPVM_LN_BWD_WARP(T, S, 4)                                    \
    DPVM_LN_BWD_WARP(T, S, 8) DPVM_LN_BWD_WARP(T, S, 16) DPVM_LN_BWD_WARP(T, S, 32)                                  \
    extern "C" __global__ void __launch_bounds__(512) layer_norm_bwd_b_##S(                                          \
        const T* g, const T* x, const T* mean, const T* rstd, const T* w, T* dx, int rows, int inner) {              \
        __shared__ double part[32];                                                                                  \
        for (int r = blockIdx.x; r < rows; r += gridDim.x)                                                           \
            ln_bwd_row<T, DPVM_LN_VPT_BLOCK, true>(g + (i64) r * inner, x + (i64) r * inner, w, dx + (i64) r * inner, \
                                                   (double) mean[r], (double) rstd[r], inner, threadIdx.x,           \
                                                   blockDim.x, part);                                                \
    }                                                                                                                \
    extern "C" __global__ void __launch_bounds__(1024) layer_norm_bwd_wide_##S(                                      \
        const T* g, const T* x, const T* mean, const T* rstd, const T* w, T* dx, int rows, int inner) {              \
        __shared__ double part[32];                                                                                  \
        for (int r = blockIdx.x; r < rows; r += gridDim.x) {                                                         \
            const T* gr = g + (i64) r * inner;                                                                       \
            const T* xr = x + (i64) r * inner;                                                                       \
            T* dr = dx + (i64) r * inner;                                                                            \
            double mu = (double) mean[r], rs = (double) rstd[r], a = 0, c = 0;                                       \
            for (int j = threadIdx.x; j < inner; j += blockDim.x) {                                                  \
                double gw = w ? (double) gr[j] * (double) w[j] : (double) gr[j];                                     \
                a += gw;                                                                                             \
                c += gw * (((double) xr[j] - mu) * rs);                                                              \
            }                                                                                                        \
            double an = block_sum(a, part) / inner;                                                                  \
            double cn = block_sum(c, part) / inner;                                                                  \
            for (int j = threadIdx.x; j < inner; j += blockDim.x) {                                                  \
                double gw = w ? (double) gr[j] * (double) w[j] : (double) gr[j];                                     \
                dr[j] = (T) (rs * (gw - an - ((double) xr[j] - mu) * rs * cn));                                      \
            }                                                                                                        \
        }                                                                                                            \
    }
DPVM_FOR_EACH_FLOAT(DPVM_LN_BWD)

// ---------------------------------------------------------------- backward: dweight, dbias

// Item i = chunk * inner + j sums column j over rows [chunk * per, chunk * per + per): g xhat into pw[i] and
// g into pb[i] (either pointer null when not wanted). Neighbouring threads read neighbouring columns.
#define DPVM_LN_COLS(T, S)                                                                                           \
    extern "C" __global__ void layer_norm_bwd_cols_##S(const T* g, const T* x, const T* mean, const T* rstd,         \
                                                       double* pw, double* pb, int rows, int inner, int per,         \
                                                       int chunks) {                                                 \
        DPVM_GRID_STRIDE(i, chunks * inner) {                                                                        \
            int chunk = (int) (i / (unsigned int) inner), j = (int) i - chunk * inner;                               \
            int r0 = chunk * per, r1 = min(rows, r0 + per);                                                          \
            double sw = 0, sb = 0;                                                                                   \
            for (int r = r0; r < r1; r++) {                                                                          \
                double gv = (double) g[(i64) r * inner + j];                                                         \
                if (pw) sw += gv * (((double) x[(i64) r * inner + j] - (double) mean[r]) * (double) rstd[r]);        \
                sb += gv;                                                                                            \
            }                                                                                                        \
            if (pw) pw[i] = sw;                                                                                      \
            if (pb) pb[i] = sb;                                                                                      \
        }                                                                                                            \
    }                                                                                                                \
    extern "C" __global__ void layer_norm_bwd_colsum_##S(const double* pw, const double* pb, T* dw, T* db,           \
                                                         int chunks, int inner) {                                    \
        DPVM_GRID_STRIDE(j, inner) {                                                                                 \
            if (dw) {                                                                                                \
                double s = 0;                                                                                        \
                for (int c = 0; c < chunks; c++) s += pw[(i64) c * inner + j];                                       \
                dw[j] = (T) s;                                                                                       \
            }                                                                                                        \
            if (db) {                                                                                                \
                double s = 0;                                                                                        \
                for (int c = 0; c < chunks; c++) s += pb[(i64) c * inner + j];                                       \
                db[j] = (T) s;                                                                                       \
            }                                                                                                        \
        }                                                                                                            \
    }
DPVM_FOR_EACH_FLOAT(DPVM_LN_COLS)
