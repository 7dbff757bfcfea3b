// Strided copy with dtype conversion (operand 0 is the destination, operand 1 the broadcast source), and fill.
// Conversions follow the CPU backend: int64 -> int32 truncates, everything else goes through double
// (Java's storage get/set), which also makes int64 -> float32 round twice, exactly as on the CPU (and anything
// -> bfloat16 go through float32, as there).
#include "common.cuh"

template <typename To, typename From> __device__ __forceinline__ To convert(From v) { return from_double<To>((double) v); }
template <> __device__ __forceinline__ int convert<int, i64>(i64 v) { return (int) v; }
template <> __device__ __forceinline__ float convert<float, float>(float v) { return v; }
template <> __device__ __forceinline__ double convert<double, double>(double v) { return v; }
template <> __device__ __forceinline__ int convert<int, int>(int v) { return v; }
template <> __device__ __forceinline__ i64 convert<i64, i64>(i64 v) { return v; }
template <> __device__ __forceinline__ bf16 convert<bf16, bf16>(bf16 v) { return v; }

#define DPVM_COPY(F, FS, T, TS)                                                                  \
    extern "C" __global__ void copy_##FS##_##TS(Geo g, int n, T* dst, const F* src) {           \
        DPVM_GRID_STRIDE(i, n) {                                                                  \
            int off[2];                                                                           \
            geo_offsets<2>(g, i, off);                                                            \
            dst[off[0]] = convert<T, F>(src[off[1]]);                                             \
        }                                                                                         \
    }
#define DPVM_COPY_FROM(F, FS) DPVM_COPY(F, FS, float, f32) DPVM_COPY(F, FS, double, f64) \
    DPVM_COPY(F, FS, int, i32) DPVM_COPY(F, FS, i64, i64) DPVM_COPY(F, FS, bf16, bf16)
DPVM_FOR_EACH_STORED_TYPE(DPVM_COPY_FROM)

// The value arrives as double (exact for every float32, and for integers below 2^53, which is what a fill
// with a Java double can hold anyway); NaN poisoning of fresh outputs uses this too.
#define DPVM_FILL(T, S)                                                         \
    extern "C" __global__ void fill_##S(int n, T* out, double value) {          \
        T v = from_double<T>(value);                                            \
        DPVM_GRID_STRIDE(i, n) out[i] = v;                                      \
    }
DPVM_FOR_EACH_STORED_TYPE(DPVM_FILL)
