// Counter-based random fills that reproduce dpvm.tensor.Philox bit for bit: block b of a fill uses the
// counter (offset + b) in words 0-1 and the 64-bit seed as key; uniform takes the top 24 bits of each word,
// normal applies Box-Muller in double to words 0 and 1 (cosine for even elements, sine for odd).
#include "common.cuh"

// Host-callable too, so a CPU-only test can compare its words with dpvm.tensor.Philox (NvccHostPhiloxTest).
__host__ __device__ __forceinline__ unsigned int mulhi32(unsigned int a, unsigned int b) {
#ifdef __CUDA_ARCH__
    return __umulhi(a, b);
#else
    return (unsigned int) (((u64) a * b) >> 32);
#endif
}

__host__ __device__ __forceinline__ void philox(u64 counter, u64 seed, unsigned int* w) {
    unsigned int c0 = (unsigned int) counter, c1 = (unsigned int) (counter >> 32), c2 = 0, c3 = 0;
    unsigned int k0 = (unsigned int) seed, k1 = (unsigned int) (seed >> 32);
#pragma unroll
    for (int round = 0; round < 10; round++) {
        if (round > 0) { k0 += 0x9E3779B9u; k1 += 0xBB67AE85u; }
        unsigned int hi0 = mulhi32(0xD2511F53u, c0), lo0 = 0xD2511F53u * c0;
        unsigned int hi1 = mulhi32(0xCD9E8D57u, c2), lo1 = 0xCD9E8D57u * c2;
        unsigned int n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
        c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
    }
    w[0] = c0; w[1] = c1; w[2] = c2; w[3] = c3;
}

// (w >>> 8) * 2^-24 is exact in float; a double output stores the same float value, as the CPU does.
__host__ __device__ __forceinline__ float unit(unsigned int w) { return (float) (w >> 8) * (1.0f / 16777216.0f); }

#define DPVM_UNIFORM(T, S)                                                                          \
    extern "C" __global__ void uniform_##S(T* out, int n, u64 seed, u64 offset) {                  \
        int blocks = (n + 3) / 4;                                                                   \
        DPVM_GRID_STRIDE(b, blocks) {                                                               \
            unsigned int w[4];                                                                      \
            philox(offset + b, seed, w);                                                            \
            for (int j = 0; j < 4; j++) {                                                           \
                i64 i = (i64) b * 4 + j;                                                            \
                if (i < n) out[i] = (T) unit(w[j]);                                                 \
            }                                                                                       \
        }                                                                                           \
    }
DPVM_FOR_EACH_FLOAT(DPVM_UNIFORM)

// The CPU computes r * cos(2 * PI * u2) in double with Java's rounding order; the products below are written
// with explicit round-to-nearest intrinsics so NVRTC cannot contract them into FMAs.
#define DPVM_NORMAL(T, S)                                                                           \
    extern "C" __global__ void normal_##S(T* out, int n, u64 seed, u64 offset) {                   \
        int blocks = (n + 1) / 2;                                                                   \
        const double two_pow_m24 = 1.0 / 16777216.0, two_pi = 2.0 * 3.141592653589793;            \
        DPVM_GRID_STRIDE(b, blocks) {                                                               \
            unsigned int w[4];                                                                      \
            philox(offset + b, seed, w);                                                            \
            double u1 = __dmul_rn((double) ((w[0] >> 8) + 1), two_pow_m24);                         \
            double u2 = __dmul_rn((double) (w[1] >> 8), two_pow_m24);                               \
            double r = sqrt(__dmul_rn(-2.0, log(u1)));                                              \
            double a = __dmul_rn(two_pi, u2);                                                       \
            i64 i = (i64) b * 2;                                                                    \
            out[i] = (T) __dmul_rn(r, cos(a));                                                      \
            if (i + 1 < n) out[i + 1] = (T) __dmul_rn(r, sin(a));                                   \
        }                                                                                           \
    }
DPVM_FOR_EACH_FLOAT(DPVM_NORMAL)

// One fused Adam/AdamW step, computed in double with exactly the CPU's operations and rounding order
// (explicit _rn intrinsics stop FMA contraction), so float32 parameters match bit for bit. Host-computed:
// stepSize = lr / (1 - beta1^t), bc2Sqrt = sqrt(1 - beta2^t), decay = 1 - lr * wd, omb = 1 - beta.
// mode 0: no weight decay, 1: L2 added to the gradient, 2: decoupled (AdamW).
#define DPVM_ADAM(T, S)                                                                                     \
    extern "C" __global__ void adam_##S(T* p, const T* g, T* m, T* v, int n, double stepSize, double bc2Sqrt, \
                                        double beta1, double omb1, double beta2, double omb2, double eps,    \
                                        double wd, double decay, int mode) {                                \
        DPVM_GRID_STRIDE(i, n) {                                                                            \
            double w = (double) p[i], gi = (double) g[i];                                                   \
            if (mode == 2) w = __dmul_rn(w, decay);                                                         \
            else if (mode == 1) gi = __dadd_rn(gi, __dmul_rn(wd, w));                                        \
            double mi = __dadd_rn(__dmul_rn(beta1, (double) m[i]), __dmul_rn(omb1, gi));                     \
            double vi = __dadd_rn(__dmul_rn(beta2, (double) v[i]), __dmul_rn(__dmul_rn(omb2, gi), gi));      \
            m[i] = (T) mi;                                                                                  \
            v[i] = (T) vi;                                                                                  \
            double denom = __dadd_rn(__ddiv_rn(__dsqrt_rn(vi), bc2Sqrt), eps);                               \
            p[i] = (T) __dsub_rn(w, __ddiv_rn(__dmul_rn(stepSize, mi), denom));                              \
        }                                                                                                   \
    }
DPVM_FOR_EACH_FLOAT(DPVM_ADAM)

// Dropout fused with its mask, bit-identical to the CPU: element i (row-major over x's shape; the output is
// contiguous) is kept when word i % 4 of block (offset + i / 4), as uniform_##S would store it, is below
// keepBelow in T; the result is (x * keep) * scale in T, with the products written as _rn intrinsics so
// nothing is contracted or reordered. One thread per Philox block, four elements each; x is a strided walk.
__device__ __forceinline__ float mul_rn(float a, float b) { return __fmul_rn(a, b); }
__device__ __forceinline__ double mul_rn(double a, double b) { return __dmul_rn(a, b); }

#define DPVM_DROPOUT(T, S)                                                                          \
    extern "C" __global__ void dropout_##S(Geo g, const T* x, T* out, int n, u64 seed, u64 offset,   \
                                           double keepBelow, double scale) {                         \
        const T below = (T) keepBelow, s = (T) scale;                                               \
        int blocks = (n + 3) / 4;                                                                   \
        DPVM_GRID_STRIDE(b, blocks) {                                                               \
            unsigned int w[4];                                                                      \
            philox(offset + b, seed, w);                                                            \
            for (int j = 0; j < 4; j++) {                                                           \
                unsigned int i = b * 4 + j;                                                         \
                if (i >= (unsigned int) n) break;                                                   \
                int off[1];                                                                         \
                geo_offsets<1>(g, i, off);                                                          \
                T keep = (T) unit(w[j]) < below ? (T) 1 : (T) 0;                                    \
                out[i] = mul_rn(mul_rn(x[off[0]], keep), s);                                        \
            }                                                                                       \
        }                                                                                           \
    }
DPVM_FOR_EACH_FLOAT(DPVM_DROPOUT)
