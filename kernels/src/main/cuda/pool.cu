// Max, average and adaptive-average pooling over contiguous planes [planes, D, H, W] (1-d and 2-d pooling
// use leading size-1 dims). Forward: one thread per output, its window scanned in the CPU's order (D, then H,
// then W) so ties, NaN and sums behave the same: padding never wins a max, a NaN wins (the last one, as
// PyTorch's CPU kernel), averages sum in double. Backward: one thread per input, which gathers from the
// outputs whose windows hold it, in ascending output order: no atomics and no zero fill, so overlapping
// windows sum in the CPU backend's order and dx is bit-identical to it, run after run. cuDNN pooling has no
// ceil mode, dilation or argmax output, which the engine's primitives need, hence these kernels.
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

// The outputs along dim a whose windows may hold input coordinate i: [oLo, oHi] (empty when oLo > oHi). For
// strided windows these are o with o*s - p <= i <= o*s - p + (k-1)*d; adaptive windows
// [floor(o*in/out), ceil((o+1)*in/out)) hold i for o in [floor(i*out/in), ceil((i+1)*out/in) - 1].
__device__ __forceinline__ void covering(const PoolGeo& g, int a, int i, int& oLo, int& oHi) {
    if (g.adaptive) {
        oLo = (int) ((i64) i * g.out[a] / g.in[a]);
        oHi = (int) (((i64) (i + 1) * g.out[a] + g.in[a] - 1) / g.in[a]) - 1;
    } else {
        int top = i + g.p[a], reach = (g.k[a] - 1) * g.d[a];
        oLo = top - reach <= 0 ? 0 : (top - reach + g.s[a] - 1) / g.s[a];
        oHi = top / g.s[a];
    }
    oHi = min(oHi, g.out[a] - 1);
}

// Whether output o's window along dim a takes input coordinate i (dilated windows skip some), and its divisor
// factor along a.
__device__ __forceinline__ bool holds(const PoolGeo& g, int a, int o, int i, int& count) {
    int first, lo, hi, step;
    window(g, a, o, first, lo, hi, step, count);
    int off = i - first;
    return off >= 0 && off % step == 0 && off / step >= lo && off / step < hi;
}

// Input t of [planes, in...] as its plane and coordinates.
__device__ __forceinline__ void decompose_in(const PoolGeo& g, unsigned int t, int& plane, int* i) {
    i[2] = t % g.in[2]; t /= g.in[2];
    i[1] = t % g.in[1]; t /= g.in[1];
    i[0] = t % g.in[0]; t /= g.in[0];
    plane = (int) t;
}

__device__ __forceinline__ void decompose(const PoolGeo& g, unsigned int t, int& plane, int* o) {
    o[2] = t % g.out[2]; t /= g.out[2];
    o[1] = t % g.out[1]; t /= g.out[1];
    o[0] = t % g.out[0]; t /= g.out[0];
    plane = (int) t;
}

// The gradient of input t: the sum, in ascending output order, of dy over the outputs whose windows hold it;
// for max pooling only those whose argmax it is, for average pooling each divided by its window's divisor.
template <typename T, bool MAX>
__device__ __forceinline__ T gathered_grad(const PoolGeo& g, unsigned int t, const T* dy, const int* arg) {
    int outPlane = g.out[0] * g.out[1] * g.out[2], inPlane = g.in[0] * g.in[1] * g.in[2];
    int plane, i[3], lo[3], hi[3], c0, c1, c2;
    decompose_in(g, t, plane, i);
    for (int a = 0; a < 3; a++) covering(g, a, i[a], lo[a], hi[a]);
    int tap = (int) (t - (unsigned int) plane * inPlane);
    const T* dyp = dy + (i64) plane * outPlane;
    T sum = (T) 0;
    for (int o0 = lo[0]; o0 <= hi[0]; o0++) {
        if (!holds(g, 0, o0, i[0], c0)) continue;
        for (int o1 = lo[1]; o1 <= hi[1]; o1++) {
            if (!holds(g, 1, o1, i[1], c1)) continue;
            for (int o2 = lo[2]; o2 <= hi[2]; o2++) {
                if (!holds(g, 2, o2, i[2], c2)) continue;
                int j = (o0 * g.out[1] + o1) * g.out[2] + o2;
                if (MAX) {
                    if (arg[(i64) plane * outPlane + j] == tap) sum += dyp[j];
                } else {
                    sum += dyp[j] / (T) (c0 * c1 * c2);
                }
            }
        }
    }
    return sum;
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
        DPVM_GRID_STRIDE(t, g.planes * g.in[0] * g.in[1] * g.in[2]) dx[t] = gathered_grad<T, true>(g, t, dy, arg); \
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
        DPVM_GRID_STRIDE(t, g.planes * g.in[0] * g.in[1] * g.in[2]) dx[t] = gathered_grad<T, false>(g, t, dy, nullptr); \
    }
DPVM_FOR_EACH_FLOAT(DPVM_POOL)
