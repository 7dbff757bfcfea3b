// Shared by every kernel file. NVRTC has no system headers, so everything here is self-contained: the
// loader hands this file to NVRTC as an in-memory header, and the nvcc compile test finds it with -I.
#pragma once

#define DPVM_MAX_DIMS 8
#define DPVM_MAX_OPERANDS 4

typedef long long i64;
typedef unsigned long long u64;

// Shape and per-operand element strides of a strided N-d walk, passed by value (228 bytes, all ints, so the
// Java side packs it without padding rules). Dims are already collapsed on the host, so contiguous operands
// arrive as rank 1 and the walk does no division at all. magic and shift turn each division by a size into
// a multiply-high and a shift (Geometry.divisor): integer division costs dozens of instructions, which a
// memory-bound kernel over broadcast or transposed operands would otherwise spend per element on every dim.
struct Geo {
    int rank;
    int size[DPVM_MAX_DIMS];
    unsigned int magic[DPVM_MAX_DIMS];
    int shift[DPVM_MAX_DIMS];
    int stride[DPVM_MAX_OPERANDS][DPVM_MAX_DIMS];
};

// Element offsets of linear index i in each of the first `ops` operands (row-major over g.size). G is Geo or
// a generated kernel's own struct of the same layout with room for more operands. The quotient
// (umulhi(i, magic) + i) >> shift is exact for i < 2^31.
template <int OPS, typename G>
__device__ __forceinline__ void geo_offsets(const G& g, unsigned int i, int* off) {
#pragma unroll
    for (int k = 0; k < OPS; k++) off[k] = 0;
    for (int d = g.rank - 1; d >= 1; d--) {
        unsigned int q = (__umulhi(i, g.magic[d]) + i) >> g.shift[d];
        int c = (int) (i - q * (unsigned int) g.size[d]);
        i = q;
#pragma unroll
        for (int k = 0; k < OPS; k++) off[k] += c * g.stride[k][d];
    }
#pragma unroll
    for (int k = 0; k < OPS; k++) off[k] += (int) i * g.stride[k][0];
}

__device__ __forceinline__ float dpvm_nan_f() { return __int_as_float(0x7fc00000); }
__device__ __forceinline__ double dpvm_nan_d() { return __longlong_as_double(0x7ff8000000000000LL); }
__device__ __forceinline__ float dpvm_inf_f() { return __int_as_float(0x7f800000); }
__device__ __forceinline__ double dpvm_inf_d() { return __longlong_as_double(0x7ff0000000000000LL); }

template <typename T> __device__ __forceinline__ bool is_nan(T v) { return v != v; }

// Java's (int) and (long) casts from double truncate, saturate and send NaN to 0: PTX's cvt.rzi, which the
// integer specialisations name outright rather than leave to what a C cast of an out-of-range value compiles to.
template <typename To> __device__ __forceinline__ To from_double(double v) { return (To) v; }
template <> __device__ __forceinline__ int from_double<int>(double v) { return __double2int_rz(v); }
template <> __device__ __forceinline__ i64 from_double<i64>(double v) { return __double2ll_rz(v); }

// bfloat16 storage (DType.BFLOAT16): the upper half of a float32. Kernels read it as float and round what they
// store to nearest even, keeping NaN (made quiet), as BFloat16.java does, so each op computes in float32 as PyTorch
// does. Our own type rather than cuda_bf16.h, which NVRTC cannot include without the toolkit's include folder.
struct bf16 {
    unsigned short bits;
    __device__ __forceinline__ operator float() const { return __uint_as_float((unsigned int) bits << 16); }
};
__device__ __forceinline__ bf16 bf16_from_float(float v) {
    unsigned int u = __float_as_uint(v);
    bf16 r;
    r.bits = (u & 0x7fffffffu) > 0x7f800000u ? (unsigned short) ((u >> 16) | 0x40u)
                                            : (unsigned short) ((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
    return r;
}
// through float32 first, as the CPU's storage set() and PyTorch convert a double
template <> __device__ __forceinline__ bf16 from_double<bf16>(double v) { return bf16_from_float((float) v); }

// Whether a where() condition holds: any value but zero (NaN included), as the CPU's get(i) != 0.
template <typename C> __device__ __forceinline__ bool nonzero(C v) { return v != (C) 0; }
template <> __device__ __forceinline__ bool nonzero<bf16>(bf16 v) { return (float) v != 0.0f; }

// Java's Math.max/min: NaN wins, and +0 beats -0 for max (-0 for min).
template <typename T> __device__ __forceinline__ T java_max(T a, T b) {
    if (is_nan(a) || is_nan(b)) return is_nan(a) ? a : b;
    if (a == b) return (a == (T) 0 && signbit((double) a)) ? b : a;
    return a > b ? a : b;
}
template <typename T> __device__ __forceinline__ T java_min(T a, T b) {
    if (is_nan(a) || is_nan(b)) return is_nan(a) ? a : b;
    if (a == b) return (a == (T) 0 && signbit((double) b)) ? b : a;
    return a < b ? a : b;
}

// Integer accumulate/compare helpers need the same spelling as the float ones.
template <> __device__ __forceinline__ int java_max<int>(int a, int b) { return a > b ? a : b; }
template <> __device__ __forceinline__ int java_min<int>(int a, int b) { return a < b ? a : b; }
template <> __device__ __forceinline__ i64 java_max<i64>(i64 a, i64 b) { return a > b ? a : b; }
template <> __device__ __forceinline__ i64 java_min<i64>(i64 a, i64 b) { return a < b ? a : b; }

// Atomic add on every element type the engine has (int64 through the unsigned overload: two's complement).
__device__ __forceinline__ void atomic_add(float* p, float v) { atomicAdd(p, v); }
__device__ __forceinline__ void atomic_add(double* p, double v) { atomicAdd(p, v); }
__device__ __forceinline__ void atomic_add(int* p, int v) { atomicAdd(p, v); }
__device__ __forceinline__ void atomic_add(i64* p, i64 v) { atomicAdd((u64*) p, (u64) v); }

// Index kernels report the first out-of-range index they meet in their launch's slot (IndexChecks.java): flag[0]
// becomes 1, flag[1..2] hold the value.
__device__ __forceinline__ void report_bad_index(int* flag, i64 v) {
    if (atomicCAS(flag, 0, 1) == 0) {
        flag[1] = (int) (v & 0xffffffffLL);
        flag[2] = (int) (v >> 32);
    }
}

__device__ __forceinline__ double warp_sum(double v) {
    // butterfly: every lane ends with the same bits (each step adds the same two values, in either order)
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

// Sum over the block; every thread gets the same value. blockDim.x is a multiple of 32; part has 32 slots.
__device__ __forceinline__ double block_sum(double v, double* part) {
    v = warp_sum(v);
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    __syncthreads();  // readers of the previous call are done with part
    if (lane == 0) part[warp] = v;
    __syncthreads();
    v = lane < (int) (blockDim.x >> 5) ? part[lane] : 0.0;
    return warp_sum(v);  // each warp adds the partials itself, in the same order
}

#define DPVM_GRID_STRIDE(i, n) \
    for (unsigned int i = blockIdx.x * blockDim.x + threadIdx.x; i < (unsigned int) (n); i += blockDim.x * gridDim.x)

// Instantiates a kernel macro once per engine dtype with a short suffix the Java side names.
#define DPVM_FOR_EACH_TYPE(M) M(float, f32) M(double, f64) M(int, i32) M(i64, i64)
// The dtypes with copy, fill and elementwise kernels: the above and bfloat16, which the other ops take as float32.
#define DPVM_FOR_EACH_STORED_TYPE(M) DPVM_FOR_EACH_TYPE(M) M(bf16, bf16)
#define DPVM_FOR_EACH_FLOAT(M) M(float, f32) M(double, f64)
