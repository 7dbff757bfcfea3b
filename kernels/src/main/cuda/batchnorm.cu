// Batch norm in training mode over x viewed as [outer, C, inner] (dense: the host makes it so) and its backward.
// A channel's outer x inner items are cut into `splits` chunks of `chunk` items (the split reductions' plan,
// Reductions.splitPlan), one block per channel and chunk, so a few channels still fill the GPU; neighbouring
// threads take neighbouring items, neighbouring addresses within each run of `inner`. Statistics are sums of
// (x - x0) and (x - x0)^2 in double, shifted by the channel's first value x0 as the CPU backend does, so a mean
// far from zero cannot cancel the variance away; the gradient's sums of g and g xhat likewise. The chunks'
// partials are added in chunk order (no atomics: results do not depend on timing). The forward normalises in
// x's dtype from the rounded mean and rstd, with round-to-nearest operations the compiler cannot contract, as
// the CPU backend computes; dx is computed in double.
#include "common.cuh"

// Offset of item k of channel c: (a, b) = (k / inner, k % inner), the division a multiply-high and a shift.
__device__ __forceinline__ i64 bn_at(unsigned int k, int c, int channels, int inner, unsigned int magic, int shift) {
    unsigned int a = (__umulhi(k, magic) + k) >> shift;
    return ((i64) a * channels + c) * inner + (k - a * (unsigned int) inner);
}

// Channel of element i of the dense tensor: (i / inner) % C.
__device__ __forceinline__ int bn_channel(unsigned int i, int channels, unsigned int magicInner, int shiftInner,
                                          unsigned int magicC, int shiftC) {
    unsigned int q = (__umulhi(i, magicInner) + i) >> shiftInner;
    unsigned int qc = (__umulhi(q, magicC) + q) >> shiftC;
    return (int) (q - qc * (unsigned int) channels);
}

__device__ __forceinline__ float bn_sub(float a, float b) { return __fsub_rn(a, b); }
__device__ __forceinline__ double bn_sub(double a, double b) { return __dsub_rn(a, b); }
__device__ __forceinline__ float bn_mul(float a, float b) { return __fmul_rn(a, b); }
__device__ __forceinline__ double bn_mul(double a, double b) { return __dmul_rn(a, b); }
__device__ __forceinline__ float bn_add(float a, float b) { return __fadd_rn(a, b); }
__device__ __forceinline__ double bn_add(double a, double b) { return __dadd_rn(a, b); }

// Channel and item range of block-chunk blk: chunk s of channel c holds items [begin, end), none empty.
__device__ __forceinline__ int bn_chunk(int blk, int splits, int chunk, unsigned int items, unsigned int* begin, unsigned int* end) {
    int c = blk / splits;
    *begin = (unsigned int) (blk - c * splits) * (unsigned int) chunk;
    *end = min(items, *begin + (unsigned int) chunk);
    return c;
}

// The block's two sums of block-chunk blk, into partial[2 blk] and partial[2 blk + 1].
__device__ __forceinline__ void bn_store(double* partial, int blk, double a, double b, double* part) {
    a = block_sum(a, part);
    b = block_sum(b, part);
    if (threadIdx.x == 0) {
        partial[2 * (i64) blk] = a;
        partial[2 * (i64) blk + 1] = b;
    }
}

// A channel's two sums over its chunks, in chunk order.
__device__ __forceinline__ void bn_gather(const double* partial, int c, int splits, double* a, double* b) {
    double s = 0, q = 0;
    for (int k = 0; k < splits; k++) {
        s += partial[2 * ((i64) c * splits + k)];
        q += partial[2 * ((i64) c * splits + k) + 1];
    }
    *a = s;
    *b = q;
}

#define DPVM_BATCH_NORM(T, S)                                                                                         \
    /* per channel and chunk: sums of (x - x0) and (x - x0)^2 into partial[2 (c splits + s) + {0, 1}] */              \
    extern "C" __global__ void bn_stats_##S(const T* x, double* partial, int outer, int channels, int inner,         \
                                            unsigned int magic, int shift, int splits, int chunk) {                  \
        __shared__ double part[32];                                                                                   \
        unsigned int items = (unsigned int) outer * (unsigned int) inner;                                            \
        for (int blk = blockIdx.x; blk < channels * splits; blk += gridDim.x) {                                      \
            unsigned int begin, end;                                                                                  \
            int c = bn_chunk(blk, splits, chunk, items, &begin, &end);                                                \
            double x0 = (double) x[(i64) c * inner], sum = 0, sq = 0;                                                 \
            for (unsigned int k = begin + threadIdx.x; k < end; k += blockDim.x) {                                   \
                double d = (double) x[bn_at(k, c, channels, inner, magic, shift)] - x0;                              \
                sum += d;                                                                                             \
                sq = fma(d, d, sq);                                                                                   \
            }                                                                                                         \
            bn_store(partial, blk, sum, sq, part);                                                                    \
        }                                                                                                             \
    }                                                                                                                 \
    /* mean, rstd and the biased variance per channel; NaN stays NaN, rounding never makes the variance negative */  \
    extern "C" __global__ void bn_stats_finish_##S(const double* partial, const T* x, T* mean, T* rstd, T* var,      \
                                                   int channels, int inner, int splits, double n, double eps) {      \
        DPVM_GRID_STRIDE(c, channels) {                                                                               \
            double sum, sq;                                                                                           \
            bn_gather(partial, c, splits, &sum, &sq);                                                                 \
            double m = sum / n, v = __dsub_rn(sq / n, __dmul_rn(m, m)); /* as the CPU computes it, no FMA */         \
            if (v < 0) v = 0;                                                                                         \
            mean[c] = (T) ((double) x[(i64) c * inner] + m);                                                          \
            rstd[c] = (T) (1.0 / sqrt(v + eps));                                                                      \
            var[c] = (T) v;                                                                                           \
        }                                                                                                             \
    }                                                                                                                 \
    /* y = (x - mean) * rstd * w + b over the dense tensor (w, b null when absent) */                                 \
    extern "C" __global__ void bn_apply_##S(const T* x, T* y, const T* mean, const T* rstd, const T* w, const T* b,  \
                                            int n, int channels, unsigned int magicInner, int shiftInner,             \
                                            unsigned int magicC, int shiftC) {                                        \
        DPVM_GRID_STRIDE(i, n) {                                                                                      \
            int c = bn_channel(i, channels, magicInner, shiftInner, magicC, shiftC);                                  \
            T h = bn_mul(bn_sub(x[i], mean[c]), rstd[c]);                                                             \
            if (w) h = bn_mul(h, w[c]);                                                                               \
            if (b) h = bn_add(h, b[c]);                                                                               \
            y[i] = h;                                                                                                 \
        }                                                                                                             \
    }                                                                                                                 \
    /* per channel and chunk: sums of g and of g xhat into partial */                                                 \
    extern "C" __global__ void bn_grad_sums_##S(const T* g, const T* x, const T* mean, const T* rstd,                \
                                                double* partial, int outer, int channels, int inner,                  \
                                                unsigned int magic, int shift, int splits, int chunk) {               \
        __shared__ double part[32];                                                                                   \
        unsigned int items = (unsigned int) outer * (unsigned int) inner;                                            \
        for (int blk = blockIdx.x; blk < channels * splits; blk += gridDim.x) {                                      \
            unsigned int begin, end;                                                                                  \
            int c = bn_chunk(blk, splits, chunk, items, &begin, &end);                                                \
            double m = (double) mean[c], r = (double) rstd[c], a = 0, cc = 0;                                         \
            for (unsigned int k = begin + threadIdx.x; k < end; k += blockDim.x) {                                   \
                i64 at = bn_at(k, c, channels, inner, magic, shift);                                                  \
                double gv = (double) g[at];                                                                           \
                a += gv;                                                                                              \
                cc += gv * (((double) x[at] - m) * r);                                                                \
            }                                                                                                         \
            bn_store(partial, blk, a, cc, part);                                                                      \
        }                                                                                                             \
    }                                                                                                                 \
    /* the channel sums: dbias = sum g, dweight = sum g xhat (null when not asked for), and both kept in double */    \
    extern "C" __global__ void bn_grad_finish_##S(const double* partial, double* sums, T* dw, T* db, int channels,   \
                                                  int splits) {                                                       \
        DPVM_GRID_STRIDE(c, channels) {                                                                               \
            double a, cc;                                                                                             \
            bn_gather(partial, c, splits, &a, &cc);                                                                   \
            sums[2 * c] = a;                                                                                          \
            sums[2 * c + 1] = cc;                                                                                     \
            if (dw) dw[c] = (T) cc;                                                                                   \
            if (db) db[c] = (T) a;                                                                                    \
        }                                                                                                             \
    }                                                                                                                 \
    /* dx = w rstd (g - a / n - xhat c / n) */                                                                        \
    extern "C" __global__ void bn_grad_input_##S(const T* g, const T* x, const T* mean, const T* rstd, const T* w,   \
                                                 const double* sums, T* dx, int n, double count, int channels,        \
                                                 unsigned int magicInner, int shiftInner, unsigned int magicC,        \
                                                 int shiftC) {                                                        \
        DPVM_GRID_STRIDE(i, n) {                                                                                      \
            int c = bn_channel(i, channels, magicInner, shiftInner, magicC, shiftC);                                  \
            double r = (double) rstd[c], scale = (w ? (double) w[c] : 1.0) * r;                                       \
            double xhat = ((double) x[i] - (double) mean[c]) * r;                                                     \
            dx[i] = (T) (scale * ((double) g[i] - sums[2 * c] / count - xhat * (sums[2 * c + 1] / count)));           \
        }                                                                                                             \
    }
DPVM_FOR_EACH_FLOAT(DPVM_BATCH_NORM)
