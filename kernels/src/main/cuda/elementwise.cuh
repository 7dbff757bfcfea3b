// The elementwise operators as device functions, shared by elementwise.cu and the fused kernels generated at
// run time (Fused.java). Op numbers are the ordinals of Backend.Unary and Backend.Binary.
#pragma once
#include "common.cuh"

enum { U_NEG, U_EXP, U_LOG, U_SQRT, U_RSQRT, U_ABS, U_SIGN, U_TANH, U_SIGMOID, U_ERF, U_RECIPROCAL, U_SIN, U_COS, U_GELU };
enum { B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAX, B_MIN, B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE };

__device__ __forceinline__ float unary_f(int op, float x) {
    switch (op) {
        case U_NEG: return -x;
        case U_EXP: return expf(x);
        case U_LOG: return logf(x);
        case U_SQRT: return sqrtf(x);
        case U_RSQRT: return 1.0f / sqrtf(x);  // rsqrtf is approximate; the CPU reference is 1/sqrt
        case U_ABS: return fabsf(x);
        case U_SIGN: return x > 0 ? 1.0f : (x < 0 ? -1.0f : x);  // keeps NaN and signed zero, as Math.signum
        case U_TANH: return tanhf(x);
        case U_SIGMOID: return x >= 0 ? 1.0f / (1.0f + expf(-x)) : expf(x) / (1.0f + expf(x));
        case U_ERF: return erff(x);
        case U_RECIPROCAL: return 1.0f / x;
        case U_SIN: return sinf(x);
        case U_COS: return cosf(x);
        // exact GELU, 0.5 x (1 + erf(x / sqrt 2)) written with erfc so the left tail keeps its relative precision
        case U_GELU: return 0.5f * x * erfcf(-0.707106781186547524f * x);
    }
    return dpvm_nan_f();
}

__device__ __forceinline__ double unary_d(int op, double x) {
    switch (op) {
        case U_NEG: return -x;
        case U_EXP: return exp(x);
        case U_LOG: return log(x);
        case U_SQRT: return sqrt(x);
        case U_RSQRT: return 1.0 / sqrt(x);
        case U_ABS: return fabs(x);
        case U_SIGN: return x > 0 ? 1.0 : (x < 0 ? -1.0 : x);
        case U_TANH: return tanh(x);
        case U_SIGMOID: return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
        case U_ERF: return erf(x);
        case U_RECIPROCAL: return 1.0 / x;
        case U_SIN: return sin(x);
        case U_COS: return cos(x);
        case U_GELU: return 0.5 * x * erfc(-0.70710678118654752440 * x);
    }
    return dpvm_nan_d();
}

template <typename T> __device__ __forceinline__ T unary_op(int op, T x);
template <> __device__ __forceinline__ float unary_op<float>(int op, float x) { return unary_f(op, x); }
template <> __device__ __forceinline__ double unary_op<double>(int op, double x) { return unary_d(op, x); }
// Integers only reach NEG, ABS and SIGN through the front end; the rest go through double like the CPU.
template <> __device__ __forceinline__ int unary_op<int>(int op, int x) { return from_double<int>(unary_d(op, (double) x)); }
template <> __device__ __forceinline__ i64 unary_op<i64>(int op, i64 x) {
    if (op == U_NEG) return -x;
    if (op == U_ABS) return x < 0 ? -x : x;
    if (op == U_SIGN) return (i64) ((x > 0) - (x < 0));
    return from_double<i64>(unary_d(op, (double) x));
}

// bfloat16: the float32 op on the widened value, rounded once.
template <> __device__ __forceinline__ bf16 unary_op<bf16>(int op, bf16 x) { return bf16_from_float(unary_f(op, (float) x)); }

template <typename T> __device__ __forceinline__ T binary_float(int op, T a, T b) {
    switch (op) {
        case B_ADD: return a + b;
        case B_SUB: return a - b;
        case B_MUL: return a * b;
        case B_DIV: return a / b;
        case B_POW: return (T) pow((double) a, (double) b);  // Math.pow in double, rounded once
        case B_MAX: return java_max(a, b);
        case B_MIN: return java_min(a, b);
        case B_EQ: return a == b ? (T) 1 : (T) 0;
        case B_NE: return a != b ? (T) 1 : (T) 0;
        case B_LT: return a < b ? (T) 1 : (T) 0;
        case B_LE: return a <= b ? (T) 1 : (T) 0;
        case B_GT: return a > b ? (T) 1 : (T) 0;
        case B_GE: return a >= b ? (T) 1 : (T) 0;
    }
    return (T) 0;
}

// An integer power as the CPU takes it, (long) Math.pow(a, b). Math.pow is exact whenever the power is an integer a
// double holds; CUDA's pow may be a few ulps off, and truncation would turn 124.99999999999999 into 124. So powers up
// to 2^53 are multiplied out, which is exact; larger ones, and negative exponents of |a| >= 2 (a magnitude under
// one half, truncated to 0), need no exactness the double pow lacks.
__device__ __forceinline__ i64 int_pow(i64 a, i64 b) {
    if (b == 0 || a == 1) return 1;
    if (a == -1) return (b & 1) ? -1 : 1;
    if (b < 0) return a == 0 ? 0x7fffffffffffffffLL : 0;  // (long) of +infinity saturates
    if (a == 0) return 0;
    const i64 exact = 1LL << 53;
    i64 r = 1, m = a < 0 ? -a : a;
    for (i64 k = 0; k < b; k++) {
        if ((r < 0 ? -r : r) > exact / m) return from_double<i64>(pow((double) a, (double) b));
        r *= a;
    }
    return r;
}

// Exact 64-bit integer arithmetic as the CPU's integerOp; division floors, and a zero divisor (an exception
// on the CPU) gives 0 here because a kernel cannot throw.
__device__ __forceinline__ i64 binary_int(int op, i64 a, i64 b) {
    switch (op) {
        case B_ADD: return a + b;
        case B_SUB: return a - b;
        case B_MUL: return a * b;
        case B_DIV: {
            if (b == 0) return 0;
            i64 q = a / b;
            return (q * b != a && ((a < 0) != (b < 0))) ? q - 1 : q;
        }
        case B_POW: return int_pow(a, b);
        case B_MAX: return a > b ? a : b;
        case B_MIN: return a < b ? a : b;
        case B_EQ: return a == b;
        case B_NE: return a != b;
        case B_LT: return a < b;
        case B_LE: return a <= b;
        case B_GT: return a > b;
        case B_GE: return a >= b;
    }
    return 0;
}

template <typename T> __device__ __forceinline__ T binary_op(int op, T a, T b) { return binary_float(op, a, b); }
// int32 goes through long then double on the CPU (o.set(long)), which saturates; from_double does the same.
template <> __device__ __forceinline__ int binary_op<int>(int op, int a, int b) { return from_double<int>((double) binary_int(op, a, b)); }
template <> __device__ __forceinline__ i64 binary_op<i64>(int op, i64 a, i64 b) { return binary_int(op, a, b); }
template <> __device__ __forceinline__ bf16 binary_op<bf16>(int op, bf16 a, bf16 b) {
    return bf16_from_float(binary_float<float>(op, (float) a, (float) b));
}
