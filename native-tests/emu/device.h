// CUDA C++ device code on the host, for the emulator's NVRTC: it compiles a kernel file with g++ after this
// header, so the same sources that run on the GPU run here. Each CUDA thread of a block is a fiber on the
// launching thread (entered once through ucontext, then switched with _setjmp/_longjmp, which make no system
// calls); __syncthreads and the warp intrinsics switch fibers, so barriers, shared memory and shuffles behave
// as on the GPU, while blocks run one after another (so a function-static serves as a block's __shared__
// memory). Scheduling is deterministic; it finds barrier divergence (threads waiting at different barriers)
// and reports it, but not data races. Because a fiber runs from one barrier to the next before the next fiber
// starts, a missing barrier shows as a wrong result only for the order the fibers run in: DPVM_EMU_ORDER
// picks it (forward, reverse, or shuffle: a fresh permutation of the threads and of the blocks per launch,
// from DPVM_EMU_SEED), so a kernel that needs a barrier it lacks fails under one of them.
#pragma once

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <ucontext.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__
#define __restrict__ __restrict
#ifdef EMU_DISCOVER
// kept in the discovery pass (a macro naming itself expands once), where NVRTC's stand-in reads each kernel's
// bound so that a launch with more threads fails as it does on a GPU
#define __launch_bounds__(...) __launch_bounds__(__VA_ARGS__)
#else
#define __launch_bounds__(...)
#endif
#define __shared__ static
#define __constant__ static
#ifndef EMU_DISCOVER
#define __global__
#endif

struct uint3 { unsigned int x, y, z; };
struct dim3 { unsigned int x = 1, y = 1, z = 1; };
static const int warpSize = 32;
struct alignas(8) float2 { float x, y; };
struct alignas(16) float4 { float x, y, z, w; };
struct alignas(16) double2 { double x, y; };
struct alignas(8) int2 { int x, y; };
struct alignas(16) int4 { int x, y, z, w; };
inline float2 make_float2(float x, float y) { return {x, y}; }
inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }

namespace emu_dev {

enum State { RUNNABLE, AT_BLOCK_BARRIER, AT_WARP_BARRIER, DONE };

struct Fiber {
    ucontext_t start;  // used once, to enter the fiber's own stack
    jmp_buf env;       // every later switch: _setjmp/_longjmp, no signal-mask system calls
    bool started;
    char* stack;
    uint3 idx;
    int lane, warp;
    State state;
};

constexpr size_t STACK_BYTES = 256 * 1024;
constexpr int MAX_THREADS = 1024;

inline ucontext_t scheduler_start;
inline jmp_buf scheduler;
inline Fiber* current = nullptr;
inline uint3 block_index;
inline dim3 block_shape, grid_shape;
inline Fiber fibers[MAX_THREADS];  // fixed addresses: a started fiber's saved state points into its stack
inline int active = 0;             // threads of the current block: fibers[0 .. active)
inline void (*body)(void**) = nullptr;
inline void** body_args = nullptr;
inline unsigned long long exchange[MAX_THREADS / 32][32];  // one slot per lane for shuffles and votes
inline char error[512];
inline char fault[512];  // the first undefined warp read of a launch (a shuffle from an exited lane), or empty

inline void yield_as(State s) {
    current->state = s;
    if (!_setjmp(current->env)) _longjmp(scheduler, 1);
}

// A fiber lives as long as the module and runs one thread of every block it is given: the body, then DONE.
inline void entry() {
    for (;;) {
        body(body_args);
        yield_as(DONE);
    }
}

inline void resume(Fiber& f) {
    current = &f;
    if (_setjmp(scheduler)) return;
    if (f.started) _longjmp(f.env, 1);
    f.started = true;
    swapcontext(&scheduler_start, &f.start);  // does not return: the fiber comes back through _longjmp
}

inline int lanes_in_warp(int warp) {
    int n = active - warp * 32;
    return n < 32 ? n : 32;
}

// Releases the fibers waiting at a barrier every live member has reached; false when none can go on.
inline bool release() {
    bool any = false;
    int warps = (active + 31) / 32;
    for (int w = 0; w < warps; w++) {
        int waiting = 0, live = 0;
        for (int l = 0; l < lanes_in_warp(w); l++) {
            State s = fibers[w * 32 + l].state;
            if (s != DONE) live++;
            if (s == AT_WARP_BARRIER) waiting++;
        }
        if (waiting > 0 && waiting == live) {
            for (int l = 0; l < lanes_in_warp(w); l++) fibers[w * 32 + l].state = fibers[w * 32 + l].state == DONE ? DONE : RUNNABLE;
            any = true;
        }
    }
    if (any) return true;
    int live = 0, atBlock = 0;
    for (int t = 0; t < active; t++) {
        Fiber& f = fibers[t];
        if (f.state != DONE) live++;
        if (f.state == AT_BLOCK_BARRIER) atBlock++;
    }
    if (live > 0 && atBlock == live) {
        for (int t = 0; t < active; t++) fibers[t].state = RUNNABLE;
        return true;
    }
    return false;
}

// i -> (a * i + c) mod n with a coprime to n: a permutation of 0..n-1 without storing it (grids can be large).
struct Bijection {
    unsigned long long n, a, c;
    unsigned long long operator()(unsigned long long i) const { return (unsigned long long) (((unsigned __int128) a * i + c) % n); }
};

// The order fibers and blocks run in (DPVM_EMU_ORDER, see the top of this file), read once per module.
struct Order {
    enum Kind { FORWARD, REVERSE, SHUFFLE } kind = FORWARD;
    unsigned long long state = 0x9e3779b97f4a7c15ULL;

    unsigned long long random() {  // splitmix64
        unsigned long long z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

    static unsigned long long gcd(unsigned long long a, unsigned long long b) {
        while (b) { unsigned long long t = a % b; a = b; b = t; }
        return a;
    }

    Bijection next(unsigned long long n) {
        if (kind == FORWARD || n < 2) return {n < 1 ? 1 : n, 1, 0};
        if (kind == REVERSE) return {n, n - 1, n - 1};  // (n-1)(i+1) = -(i+1) mod n
        unsigned long long a = random() % n;
        while (a == 0 || gcd(a, n) != 1) a = (a + 1) % n;
        return {n, a, random() % n};
    }

    void permute(int* out, int n) {
        for (int i = 0; i < n; i++) out[i] = kind == REVERSE ? n - 1 - i : i;
        if (kind != SHUFFLE) return;
        for (int i = n - 1; i > 0; i--) {  // Fisher-Yates
            int j = (int) (random() % (unsigned long long) (i + 1));
            int t = out[i]; out[i] = out[j]; out[j] = t;
        }
    }
};

inline Order& schedule() {
    static Order order = [] {
        Order o;
        const char* kind = getenv("DPVM_EMU_ORDER");
        if (kind && !strcmp(kind, "reverse")) o.kind = Order::REVERSE;
        else if (kind && !strcmp(kind, "shuffle")) o.kind = Order::SHUFFLE;
        else if (kind && *kind && strcmp(kind, "forward")) fprintf(stderr, "cuda-emu: DPVM_EMU_ORDER=%s is not forward, reverse or shuffle; running forward\n", kind);
        const char* seed = getenv("DPVM_EMU_SEED");
        if (seed && *seed) o.state ^= strtoull(seed, nullptr, 10);
        return o;
    }();
    return order;
}

// The __shared__ arrays of this module (nvrtc.cpp registers each at its declaration), filled with 0xff bytes before
// every block: shared memory starts as garbage on a GPU, and NaN (or -1) shows a read before the first write.
struct SharedArray {
    void* at;
    size_t bytes;
};
inline SharedArray shared_arrays[256];
inline int shared_count = 0;
inline bool shared_array(void* at, size_t bytes) {
    if (shared_count == 256) {
        fprintf(stderr, "cuda-emu: more than 256 __shared__ arrays in one module; raise the limit in device.h\n");
        abort();
    }
    shared_arrays[shared_count++] = {at, bytes};
    memset(at, 0xff, bytes);
    return true;
}

// Runs every block of the grid; returns 0, or 1 with `error` set when a block cannot finish.
inline int run(void (*kernel)(void**), void** args, dim3 grid, dim3 block) {
    int threads = (int) (block.x * block.y * block.z);
    if (threads < 1 || threads > MAX_THREADS) {
        snprintf(error, sizeof error, "block of %d threads (must be 1..%d)", threads, MAX_THREADS);
        return 1;
    }
    body = kernel;
    body_args = args;
    grid_shape = grid;
    block_shape = block;
    for (int t = 0; t < threads; t++) {
        Fiber& f = fibers[t];
        if (f.started) continue;
        if (!f.stack) f.stack = (char*) malloc(STACK_BYTES);
        getcontext(&f.start);
        f.start.uc_stack.ss_sp = f.stack;
        f.start.uc_stack.ss_size = STACK_BYTES;
        f.start.uc_link = nullptr;
        makecontext(&f.start, entry, 0);
    }
    active = threads;
    fault[0] = 0;
    Order& order = schedule();
    unsigned long long blocks = (unsigned long long) grid.x * grid.y * grid.z;
    Bijection blockOrder = order.next(blocks);
    int threadOrder[MAX_THREADS];
    order.permute(threadOrder, threads);
    for (unsigned long long i = 0; i < blocks; i++) {
        unsigned long long b = blockOrder(i);
        unsigned bx = (unsigned) (b % grid.x), by = (unsigned) (b / grid.x % grid.y), bz = (unsigned) (b / ((unsigned long long) grid.x * grid.y));
        block_index = {bx, by, bz};
        for (int s = 0; s < shared_count; s++) memset(shared_arrays[s].at, 0xff, shared_arrays[s].bytes);
        for (int t = 0; t < threads; t++) {
            Fiber& f = fibers[t];
            f.idx = {(unsigned) t % block.x, (unsigned) t / block.x % block.y, (unsigned) t / (block.x * block.y)};
            f.lane = t % 32;
            f.warp = t / 32;
            f.state = RUNNABLE;
        }
        for (;;) {
            bool ran = false, alive = false;
            for (int k = 0; k < threads; k++) {
                Fiber& f = fibers[threadOrder[k]];
                if (f.state == RUNNABLE) {
                    resume(f);
                    ran = true;
                }
                alive |= f.state != DONE;
            }
            if (!alive) break;
            if (!ran && !release()) {
                int atBlock = 0, atWarp = 0;
                for (int t = 0; t < threads; t++) {
                    Fiber& f = fibers[t];
                    atBlock += f.state == AT_BLOCK_BARRIER;
                    atWarp += f.state == AT_WARP_BARRIER;
                }
                snprintf(error, sizeof error,
                         "barrier divergence in block (%u,%u,%u): %d threads wait at __syncthreads, %d at a warp-level intrinsic",
                         bx, by, bz, atBlock, atWarp);
                // the stuck fibers are abandoned mid-kernel: start them afresh next launch
                for (int t = 0; t < threads; t++)
                    if (fibers[t].state != DONE) fibers[t].started = false, fibers[t].state = DONE;
                current = nullptr;
                return 1;
            }
        }
    }
    current = nullptr;
    if (fault[0]) {
        snprintf(error, sizeof error, "%s", fault);
        return 1;
    }
    return 0;
}

// Warp exchange: every live lane publishes a value, the warp meets, each reads, the warp meets again (so the
// next exchange cannot overwrite a value not yet read). Reading another lane that has exited, or that the block
// does not have (a block smaller than the warp), gives an undefined value on a GPU; it is recorded as the
// launch's fault, which fails the launch, instead of quietly reading a stale slot.
template <typename T> inline T exchange_read(T v, int src) {
    static_assert(sizeof(T) <= 8, "warp exchange of more than 8 bytes");
    int w = current->warp, lane = current->lane;
    memcpy(&exchange[w][lane], &v, sizeof(T));
    yield_as(AT_WARP_BARRIER);
    T r = v;
    if (src != lane) {
        bool exists = src >= 0 && src < lanes_in_warp(w);
        if (exists && fibers[w * 32 + src].state != DONE) {
            memcpy(&r, &exchange[w][src], sizeof(T));
        } else if (!fault[0]) {
            snprintf(fault, sizeof fault, "warp shuffle in block (%u,%u,%u): lane %d of warp %d reads lane %d, which %s (its value is undefined on a GPU)",
                     block_index.x, block_index.y, block_index.z, lane, w, src, exists ? "has exited" : "the block does not have");
        }
    }
    yield_as(AT_WARP_BARRIER);
    return r;
}

inline unsigned vote(bool p) {
    int w = current->warp;
    exchange[w][current->lane] = p ? 1 : 0;
    yield_as(AT_WARP_BARRIER);
    unsigned bits = 0;
    for (int l = 0; l < lanes_in_warp(w); l++)
        if (exchange[w][l]) bits |= 1u << l;
    yield_as(AT_WARP_BARRIER);
    return bits;
}

template <typename T> inline T bits_as(const void* p) {
    T v;
    memcpy(&v, p, sizeof v);
    return v;
}

// Calls a kernel with its parameters given as cuLaunchKernel gives them: one pointer per parameter.
template <typename... A, size_t... I> inline void invoke(void (*f)(A...), void** p, std::index_sequence<I...>) {
    f(*static_cast<std::remove_cv_t<std::remove_reference_t<A>>*>(p[I])...);
}
template <typename... A> inline void invoke(void (*f)(A...), void** p) { invoke(f, p, std::index_sequence_for<A...>{}); }
template <typename... A> inline int sizes(void (*)(A...), size_t* out) {
    size_t s[] = {sizeof(A)..., 0};
    for (size_t i = 0; i < sizeof...(A); i++) out[i] = s[i];
    return (int) sizeof...(A);
}

}  // namespace emu_dev

#define threadIdx (emu_dev::current->idx)
#define blockIdx (emu_dev::block_index)
#define blockDim (emu_dev::block_shape)
#define gridDim (emu_dev::grid_shape)

// Exports a kernel's launch entry and its parameter sizes (the runtime copies parameters when a launch is
// captured into a graph).
#define EMU_KERNEL(name)                                                                         \
    extern "C" void emu_kernel_##name(void** p) { emu_dev::invoke(&name, p); }                  \
    extern "C" int emu_params_##name(size_t* out) { return emu_dev::sizes(&name, out); }

// The most threads per block a kernel declared with __launch_bounds__ takes (the runtime refuses more).
#define EMU_BOUNDS(name, threads) \
    extern "C" int emu_bounds_##name() { return threads; }

// The module's entry for the runtime's cuLaunchKernel (once per module, after the kernels).
#define EMU_MODULE()                                                                                          \
    extern "C" int emu_run(void (*kernel)(void**), void** args, unsigned gx, unsigned gy, unsigned gz,         \
                           unsigned bx, unsigned by, unsigned bz, const char** error) {                        \
        dim3 g, b;                                                                                            \
        g.x = gx, g.y = gy, g.z = gz, b.x = bx, b.y = by, b.z = bz;                                            \
        int rc = emu_dev::run(kernel, args, g, b);                                                            \
        *error = emu_dev::error;                                                                              \
        return rc;                                                                                            \
    }

// Synchronisation.
inline void __syncthreads() { emu_dev::yield_as(emu_dev::AT_BLOCK_BARRIER); }
inline void __syncwarp(unsigned = 0xffffffffu) { emu_dev::yield_as(emu_dev::AT_WARP_BARRIER); }
inline void __threadfence() {}
inline void __threadfence_block() {}
inline unsigned __activemask() { return 0xffffffffu; }

// Warp shuffles and votes (the mask is taken to be the whole converged warp).
template <typename T> inline T __shfl_sync(unsigned, T v, int src, int width = 32) {
    int lane = emu_dev::current->lane;
    return emu_dev::exchange_read(v, (lane / width) * width + (src % width));
}
template <typename T> inline T __shfl_down_sync(unsigned, T v, unsigned d, int width = 32) {
    int lane = emu_dev::current->lane;
    return emu_dev::exchange_read(v, (int) (lane % width + d) < width ? lane + (int) d : lane);
}
template <typename T> inline T __shfl_up_sync(unsigned, T v, unsigned d, int width = 32) {
    int lane = emu_dev::current->lane;
    return emu_dev::exchange_read(v, lane % width >= (int) d ? lane - (int) d : lane);
}
template <typename T> inline T __shfl_xor_sync(unsigned, T v, int m, int width = 32) {
    int lane = emu_dev::current->lane, src = lane ^ m;
    return emu_dev::exchange_read(v, src / width == lane / width ? src : lane);
}
inline unsigned __ballot_sync(unsigned, int p) { return emu_dev::vote(p != 0); }
inline int __any_sync(unsigned, int p) { return emu_dev::vote(p != 0) != 0; }
inline int __all_sync(unsigned, int p) {
    int w = emu_dev::current->warp, n = emu_dev::lanes_in_warp(w);
    unsigned all = n == 32 ? 0xffffffffu : (1u << n) - 1;
    return emu_dev::vote(p != 0) == all;
}

// Atomics: fibers switch only at barriers, so a plain read-modify-write is atomic here. The value's type
// follows the pointer, as with CUDA's overloads.
namespace emu_dev { template <typename T> struct same { typedef T type; }; }
#define EMU_ATOMIC(name, body) \
    template <typename T> inline T name(T* p, typename emu_dev::same<T>::type v) { T old = *p; body; return old; }
EMU_ATOMIC(atomicAdd, *p = old + v)
EMU_ATOMIC(atomicSub, *p = old - v)
EMU_ATOMIC(atomicExch, *p = v)
EMU_ATOMIC(atomicMax, if (v > old) *p = v)
EMU_ATOMIC(atomicMin, if (v < old) *p = v)
EMU_ATOMIC(atomicAnd, *p = old & v)
EMU_ATOMIC(atomicOr, *p = old | v)
template <typename T> inline T atomicCAS(T* p, typename emu_dev::same<T>::type expected, typename emu_dev::same<T>::type v) {
    T old = *p;
    if (old == expected) *p = v;
    return old;
}

// Bit casts and exactly rounded arithmetic (host IEEE arithmetic is round-to-nearest).
inline float __int_as_float(int v) { return emu_dev::bits_as<float>(&v); }
inline int __float_as_int(float v) { return emu_dev::bits_as<int>(&v); }
inline float __uint_as_float(unsigned v) { return emu_dev::bits_as<float>(&v); }
inline unsigned __float_as_uint(float v) { return emu_dev::bits_as<unsigned>(&v); }
inline double __longlong_as_double(long long v) { return emu_dev::bits_as<double>(&v); }
inline long long __double_as_longlong(double v) { return emu_dev::bits_as<long long>(&v); }
// PTX's cvt.rzi: toward zero, saturating at the type's range, NaN to 0 (a host cast of an out-of-range double is
// undefined, and x86 gives the most negative value)
template <typename I> inline I emu_saturating_rz(double v) {
    if (v != v) return 0;
    if (v <= (double) std::numeric_limits<I>::min()) return std::numeric_limits<I>::min();
    if (v >= (double) std::numeric_limits<I>::max()) return std::numeric_limits<I>::max();
    return (I) v;
}
inline int __double2int_rz(double v) { return emu_saturating_rz<int>(v); }
inline long long __double2ll_rz(double v) { return emu_saturating_rz<long long>(v); }
inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned) (((unsigned long long) a * b) >> 32); }
inline unsigned long long __umul64hi(unsigned long long a, unsigned long long b) { return (unsigned long long) (((unsigned __int128) a * b) >> 64); }
inline int __mulhi(int a, int b) { return (int) (((long long) a * b) >> 32); }
// The _rn intrinsics are never fused into a multiply-add on the GPU, whatever --fmad says. Here they are inline
// functions in a compile that contracts (see nvrtc.cpp), so their operands and results pass through an empty asm
// the compiler cannot see into: each product and sum is rounded on its own, as on the GPU.
template <typename T> inline T emu_rounded(T v) {
    __asm__("" : "+x"(v));
    return v;
}
inline double __dadd_rn(double a, double b) { return emu_rounded(emu_rounded(a) + emu_rounded(b)); }
inline double __dsub_rn(double a, double b) { return emu_rounded(emu_rounded(a) - emu_rounded(b)); }
inline double __dmul_rn(double a, double b) { return emu_rounded(emu_rounded(a) * emu_rounded(b)); }
inline double __ddiv_rn(double a, double b) { return a / b; }
inline double __dsqrt_rn(double a) { return sqrt(a); }
inline double __fma_rn(double a, double b, double c) { return fma(a, b, c); }
inline float __fadd_rn(float a, float b) { return emu_rounded(emu_rounded(a) + emu_rounded(b)); }
inline float __fsub_rn(float a, float b) { return emu_rounded(emu_rounded(a) - emu_rounded(b)); }
inline float __fmul_rn(float a, float b) { return emu_rounded(emu_rounded(a) * emu_rounded(b)); }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fsqrt_rn(float a) { return sqrtf(a); }
inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
inline float __fdividef(float a, float b) { return a / b; }
inline float __expf(float v) { return expf(v); }
inline float __logf(float v) { return logf(v); }
inline float __sinf(float v) { return sinf(v); }
inline float __cosf(float v) { return cosf(v); }
inline float __tanhf(float v) { return tanhf(v); }
inline float __saturatef(float v) { return v < 0 ? 0 : v > 1 ? 1 : v; }
inline float rsqrtf(float v) { return 1.0f / sqrtf(v); }
inline double rsqrt(double v) { return 1.0 / sqrt(v); }
inline float exp10f(float v) { return powf(10.0f, v); }
template <typename T> inline T __ldg(const T* p) { return *p; }
inline int __popc(unsigned v) { return __builtin_popcount(v); }
inline int __clz(int v) { return v == 0 ? 32 : __builtin_clz((unsigned) v); }
inline int __ffs(int v) { return __builtin_ffs(v); }
inline long long clock64() { return 0; }

// CUDA's overloaded min/max for every arithmetic type.
template <typename A, typename B> inline auto min(A a, B b) -> std::common_type_t<A, B> { return b < a ? b : a; }
template <typename A, typename B> inline auto max(A a, B b) -> std::common_type_t<A, B> { return a < b ? b : a; }
using std::signbit;
using std::isnan;
using std::isinf;
using std::isfinite;

inline void __trap() {
    fprintf(stderr, "cuda-emu: kernel executed __trap()\n");
    abort();
}

// CUDA's math functions are not correctly rounded: the CUDA Math API gives each one's largest error in ulps, and
// the results a GPU returns lie anywhere within it. The host's are (nearly) correctly rounded, so a test whose
// tolerance holds only for exact functions would pass here and fail on the GPU. So each function below computes
// the value in higher precision (double for the float functions, long double for the double ones) and returns a
// result up to the GPU's bound away from it: k steps from the correctly rounded result, k chosen by the argument
// (the same input always gives the same output, as on the GPU) and cut back while the error would exceed the
// bound. Exact points stay exact: f(0), and results that are 0, +-1 or not finite (exp(0) = 1 for a softmax's
// largest element, tanh and erf saturating at +-1).
namespace emu_math {
inline unsigned mix(unsigned long long v) {
    v ^= v >> 33;
    v *= 0xff51afd7ed558ccdULL;
    v ^= v >> 33;
    return (unsigned) v;
}
template <typename T, typename W> inline T within_ulps(W precise, unsigned long long argumentBits, int bound) {
    T nearest = (T) precise;
    if (nearest == 0 || nearest == 1 || nearest == -1 || !std::isfinite(nearest)) return nearest;
    int k = (int) (mix(argumentBits) % (unsigned) (2 * bound + 1)) - bound;
    for (; k != 0; k += k > 0 ? -1 : 1) {
        T r = nearest;
        for (int j = 0; j < (k > 0 ? k : -k); j++) r = std::nextafter(r, k > 0 ? (T) INFINITY : (T) -INFINITY);
        W ulp = (W) std::nextafter(std::fabs(r), (T) INFINITY) - (W) std::fabs(r);
        if (std::isfinite(r) && std::fabs((W) r - precise) <= bound * ulp) return r;
    }
    return nearest;
}
inline unsigned long long bits(float v) { return (unsigned) __float_as_uint(v); }
inline unsigned long long bits(double v) { return (unsigned long long) __double_as_longlong(v); }
// one argument: f(0) is exact; results in [-1, 1] (sin, cos, tanh, erf) or [0, 2] (erfc) stay in it
template <typename T, typename W> inline T unary(T x, W precise, int bound, T lo, T hi) {
    if (x == 0) return (T) precise;
    T r = within_ulps<T>(precise, bits(x), bound);
    return r < lo ? lo : r > hi ? hi : r;
}
typedef long double ld;
constexpr float FINF = INFINITY;
constexpr double DINF = INFINITY;
// the float functions, which are also CUDA's exp(float) and friends
inline float exp_(float x) { return unary(x, ::exp((double) x), 2, 0.0f, FINF); }
inline float log_(float x) { return unary(x, ::log((double) x), 1, -FINF, FINF); }
inline float sin_(float x) { return unary(x, ::sin((double) x), 2, -1.0f, 1.0f); }
inline float cos_(float x) { return unary(x, ::cos((double) x), 2, -1.0f, 1.0f); }
inline float tanh_(float x) { return unary(x, ::tanh((double) x), 2, -1.0f, 1.0f); }
inline float erf_(float x) { return unary(x, ::erf((double) x), 2, -1.0f, 1.0f); }
inline float erfc_(float x) { return unary(x, ::erfc((double) x), 4, 0.0f, 2.0f); }
inline double exp_(double x) { return unary(x, ::expl((ld) x), 1, 0.0, DINF); }
inline double log_(double x) { return unary(x, ::logl((ld) x), 1, -DINF, DINF); }
inline double sin_(double x) { return unary(x, ::sinl((ld) x), 2, -1.0, 1.0); }
inline double cos_(double x) { return unary(x, ::cosl((ld) x), 2, -1.0, 1.0); }
inline double tanh_(double x) { return unary(x, ::tanhl((ld) x), 1, -1.0, 1.0); }
inline double erf_(double x) { return unary(x, ::erfl((ld) x), 2, -1.0, 1.0); }
inline double erfc_(double x) { return unary(x, ::erfcl((ld) x), 5, 0.0, 2.0); }
// pow: 2 ulps; x^0 = 1 and 1^y = 1 exactly, as C's special cases
inline double pow_(double x, double y) {
    if (y == 0 || x == 1) return ::pow(x, y);
    return within_ulps<double>(::powl((ld) x, (ld) y), bits(x) * 0x9e3779b97f4a7c15ULL ^ bits(y), 2);
}
}  // namespace emu_math
#define expf(x) emu_math::exp_((float) (x))
#define logf(x) emu_math::log_((float) (x))
#define sinf(x) emu_math::sin_((float) (x))
#define cosf(x) emu_math::cos_((float) (x))
#define tanhf(x) emu_math::tanh_((float) (x))
#define erff(x) emu_math::erf_((float) (x))
#define erfcf(x) emu_math::erfc_((float) (x))
#define exp(x) emu_math::exp_(x)
#define log(x) emu_math::log_(x)
#define sin(x) emu_math::sin_(x)
#define cos(x) emu_math::cos_(x)
#define tanh(x) emu_math::tanh_(x)
#define erf(x) emu_math::erf_(x)
#define erfc(x) emu_math::erfc_(x)
#define pow(x, y) emu_math::pow_(x, y)
