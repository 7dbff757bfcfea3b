// Max, average and adaptive-average pooling over contiguous planes [planes, D, H, W] (1-d and 2-d pooling
// use leading size-1 dims), one thread per output. Windows are scanned in the CPU's order (D, then H, then
// W) so ties, NaN and sums behave the same: padding never wins a max, a NaN wins (the last one, as PyTorch's
// CPU kernel), averages sum in double. cuDNN pooling has no ceil mode, dilation or argmax output, which
// the engine's primitives need, hence these kernels.
#include "common.cuh"

struct PoolGeo {
    int planes;
    int in[3], out[3], k[3], s[3], p[3], d[3];
    int countIncludePad;
    int adaptive;
};

// Start, tap count (after clipping to the input), step and divisor factor of output o along dim a.
__device__ __forceinline__ void window(const PoolGeo& g, int a, int o, int& first, int& lo, int& hi, int& step, int& count) {
    int k;
    int padEnd;
    if (g.adaptive) {
        first = (int) ((i64) o * g.in[a] / g.out[a]);
        k = (int) (((i64) (o + 1) * g.in[a] + g.out[a] - 1) / g.out[a]) - first;
        step = 1;
        padEnd = g.in[a];
    } else {
        first = o * g.s[a] - g.p[a];
        step = g.d[a];
        k = g.k[a];
        padEnd = g.in[a] + g.p[a];
    }
    lo = 0;
    hi = k;
    while (lo < k && first + lo * step < 0) lo++;
    while (hi > lo && first + (hi - 1) * step >= g.in[a]) hi--;
    count = g.countIncludePad ? min(first + k, padEnd) - first : hi - lo;
}

__device__ __forceinline__ void decompose(const PoolGeo& g, unsigned int t, int& plane, int* o) {
    o[2] = t % g.out[2]; t /= g.out[2];
    o[1] = t % g.out[1]; t /= g.out[1];
    o[0] = t % g.out[0]; t /= g.out[0];
    plane = (int) t;
}

#define DPVM_POOL(T, S)                                                                                     \
    extern "C" __global__ void maxpool_fwd_##S(PoolGeo g, const T* x, T* y, int* arg) {                    \
        int outPlane = g.out[0] * g.out[1] * g.out[2], inPlane = g.in[0] * g.in[1] * g.in[2];               \
        DPVM_GRID_STRIDE(t, g.planes * outPlane) {                                                          \
            int plane, o[3], f[3], lo[3], hi[3], st[3], c[3];                                               \
            decompose(g, t, plane, o);                                                                      \
            for (int a = 0; a < 3; a++) window(g, a, o[a], f[a], lo[a], hi[a], st[a], c[a]);                \
            const T* xp = x + (i64) plane * inPlane;                                                        \
            T best = (T) -dpvm_inf_d();                                                                     \
            int best_i = -1;                                                                                \
            for (int i0 = lo[0]; i0 < hi[0]; i0++)                                                          \
                for (int i1 = lo[1]; i1 < hi[1]; i1++)                                                      \
                    for (int i2 = lo[2]; i2 < hi[2]; i2++) {                                                \
                        int tap = ((f[0] + i0 * st[0]) * g.in[1] + f[1] + i1 * st[1]) * g.in[2] + f[2] + i2 * st[2]; \
                        T v = xp[tap];                                                                      \
                        if (best_i < 0) best_i = tap;                                                       \
                        if (v > best || is_nan(v)) { best = v; best_i = tap; }                              \
                    }                                                                                       \
            y[t] = best;                                                                                    \
            arg[t] = best_i;                                                                                \
        }                                                                                                   \
    }                                                                                                       \
    extern "C" __global__ void maxpool_bwd_##S(PoolGeo g, const T* dy, const int* arg, T* dx) {           \
        int outPlane = g.out[0] * g.out[1] * g.out[2], inPlane = g.in[0] * g.in[1] * g.in[2];               \
        DPVM_GRID_STRIDE(t, g.planes * outPlane) {                                                          \
            int a = arg[t];                                                                                 \
            if (a >= 0) atomic_add(dx + (i64) (t / outPlane) * inPlane + a, dy[t]);                         \
        }                                                                                                   \
    }                                                                                                       \
    extern "C" __global__ void avgpool_fwd_##S(PoolGeo g, const T* x, T* y) {                              \
        int outPlane = g.out[0] * g.out[1] * g.out[2], inPlane = g.in[0] * g.in[1] * g.in[2];               \
        DPVM_GRID_STRIDE(t, g.planes * outPlane) {                                                          \
            int plane, o[3], f[3], lo[3], hi[3], st[3], c[3];                                               \
            decompose(g, t, plane, o);                                                                      \
            for (int a = 0; a < 3; a++) window(g, a, o[a], f[a], lo[a], hi[a], st[a], c[a]);                \
            const T* xp = x + (i64) plane * inPlane;                                                        \
            double sum = 0;                                                                                 \
            for (int i0 = lo[0]; i0 < hi[0]; i0++)                                                          \
                for (int i1 = lo[1]; i1 < hi[1]; i1++)                                                      \
                    for (int i2 = lo[2]; i2 < hi[2]; i2++)                                                  \
                        sum += (double) xp[((f[0] + i0 * st[0]) * g.in[1] + f[1] + i1 * st[1]) * g.in[2] + f[2] + i2 * st[2]]; \
            y[t] = (T) (sum / (double) (c[0] * c[1] * c[2]));                                               \
        }                                                                                                   \
    }                                                                                                       \
    extern "C" __global__ void avgpool_bwd_##S(PoolGeo g, const T* dy, T* dx) {                            \
        int outPlane = g.out[0] * g.out[1] * g.out[2], inPlane = g.in[0] * g.in[1] * g.in[2];               \
        DPVM_GRID_STRIDE(t, g.planes * outPlane) {                                                          \
            int plane, o[3], f[3], lo[3], hi[3], st[3], c[3];                                               \
            decompose(g, t, plane, o);                                                                      \
            for (int a = 0; a < 3; a++) window(g, a, o[a], f[a], lo[a], hi[a], st[a], c[a]);                \
            T* xp = dx + (i64) plane * inPlane;                                                             \
            T share = dy[t] / (T) (c[0] * c[1] * c[2]);                                                     \
            for (int i0 = lo[0]; i0 < hi[0]; i0++)                                                          \
                for (int i1 = lo[1]; i1 < hi[1]; i1++)                                                      \
                    for (int i2 = lo[2]; i2 < hi[2]; i2++)                                                  \
                        atomic_add(xp + ((f[0] + i0 * st[0]) * g.in[1] + f[1] + i1 * st[1]) * g.in[2] + f[2] + i2 * st[2], share); \
        }                                                                                                   \
    }
DPVM_FOR_EACH_FLOAT(DPVM_POOL)
