// The emulator's cuDNN: the legacy convolution API the Java backend calls through JavaCPP
// (kernels/.../Convolution.java, DnnHandle.java) and the legacy spatial batch-normalisation API, with the real C API's
// ABI, computed on the CPU.
//
// This one source is built as each of libcudnn_graph.so.9, libcudnn_ops.so.9, libcudnn_cnn.so.9, libcudnn_adv.so.9
// and libcudnn.so.9, every copy exporting every function under its own version node (libs.txt). The JNI library
// binds each function to the copy whose node it names (cudnnCreate@libcudnn_graph.so.9,
// cudnnSetTensorNdDescriptor@libcudnn_ops.so.9, cudnnConvolutionForward@libcudnn_cnn.so.9, ...), so a handle made
// by one copy is used by another: there is no mutable global state, everything lives in the handle and descriptor
// objects, whose layout is the same in every copy.
//
// Work is queued with emu::submit on the handle's stream; each queued lambda holds copies of the geometry, pointers and
// scalars, so descriptors may be changed or destroyed once the call returns (graph capture). Convolutions accumulate
// float data in float, double in double; with a math type other than CUDNN_FMA_MATH float inputs are rounded to TF32
// first (as cuDNN may use TF32 tensor cores then), unless NVIDIA_TF32_OVERRIDE=0. The algorithms all compute the same
// way; the heuristics report which "run" and the workspace each needs, and the kernels check and overwrite that
// workspace as the real ones would. Batch normalisation (modes SPATIAL and SPATIAL_PERSISTENT, which compute alike;
// PER_ACTIVATION is not emulated) computes in double for float and double data alike: per channel a two-pass mean and
// biased variance over N and the spatial dims, every result rounded once to the data type at the end. Its running
// variance takes the unbiased estimate var * n / (n - 1), and an epsilon below CUDNN_BN_MIN_EPSILON (0 in cuDNN 9) is
// rejected. Build lines: libs.txt here.
//
// Exported: cudnnGetVersion, cudnnGetCudartVersion, cudnnGetProperty, cudnnGetErrorString, cudnnCreate, cudnnDestroy,
// cudnnSetStream, cudnnGetStream, cudnnCreateTensorDescriptor, cudnnDestroyTensorDescriptor,
// cudnnSetTensorNdDescriptor, cudnnSetTensorNdDescriptorEx, cudnnGetTensorNdDescriptor, cudnnCreateFilterDescriptor,
// cudnnDestroyFilterDescriptor, cudnnSetFilterNdDescriptor, cudnnGetFilterNdDescriptor,
// cudnnCreateConvolutionDescriptor, cudnnDestroyConvolutionDescriptor, cudnnSetConvolutionNdDescriptor,
// cudnnGetConvolutionNdDescriptor, cudnnSetConvolutionGroupCount, cudnnGetConvolutionGroupCount,
// cudnnSetConvolutionMathType, cudnnGetConvolutionMathType, cudnnGetConvolutionNdForwardOutputDim,
// cudnnGetConvolution{Forward,BackwardData,BackwardFilter}AlgorithmMaxCount,
// cudnnGetConvolution{Forward,BackwardData,BackwardFilter}Algorithm_v7,
// cudnnGetConvolution{Forward,BackwardData,BackwardFilter}WorkspaceSize, cudnnConvolutionForward,
// cudnnConvolutionBackwardData, cudnnConvolutionBackwardFilter, cudnnDeriveBNTensorDescriptor,
// cudnnBatchNormalizationForwardTraining, cudnnBatchNormalizationForwardInference, cudnnBatchNormalizationBackward.

#include "emu.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#define API extern "C" __attribute__((visibility("default")))

namespace {

// numeric values as in cudnn_graph.h / cudnn_ops.h / cudnn_cnn.h (org.bytedeco.cuda.global.cudnn constants)
enum : int {
    STATUS_SUCCESS = 0,
    STATUS_NOT_INITIALIZED = 1001,
    STATUS_BAD_PARAM = 2000,
    STATUS_BAD_PARAM_NULL_POINTER = 2002,
    STATUS_NOT_SUPPORTED = 3000,
    STATUS_INTERNAL_ERROR = 4000,
    STATUS_ALLOC_FAILED = 4003,
    STATUS_EXECUTION_FAILED = 5000,
};
enum : int { DATA_FLOAT = 0, DATA_DOUBLE = 1, DATA_LAST = 21 };
enum : int { TENSOR_NCHW = 0, TENSOR_NHWC = 1, TENSOR_NCHW_VECT_C = 2 };
enum : int { MODE_CONVOLUTION = 0, MODE_CROSS_CORRELATION = 1 };
enum : int { DEFAULT_MATH = 0, TENSOR_OP_MATH = 1, TENSOR_OP_MATH_ALLOW_CONVERSION = 2, FMA_MATH = 3 };
enum : int { NON_DETERMINISTIC = 0, DETERMINISTIC = 1 };
constexpr int DIM_MAX = 8;
constexpr int FWD_ALGO_COUNT = 8, BWD_DATA_ALGO_COUNT = 6, BWD_FILTER_ALGO_COUNT = 7;

constexpr size_t VERSION = 91900;         // CUDNN_VERSION of the headers the presets were built from (9.19.0)
constexpr size_t CUDART_VERSION = 13010;  // CUDA 13.1

constexpr uint32_t HANDLE_MAGIC = 0x444e4e48, TENSOR_MAGIC = 0x444e4e54, FILTER_MAGIC = 0x444e4e46,
                   CONV_MAGIC = 0x444e4e43;

struct Handle {
    uint32_t magic = HANDLE_MAGIC;
    void* stream = nullptr;
};

struct TensorDesc {
    uint32_t magic = TENSOR_MAGIC;
    bool set = false;
    int dataType = DATA_FLOAT;
    int nbDims = 0;
    int dims[DIM_MAX] = {};
    int strides[DIM_MAX] = {};
};

struct FilterDesc {
    uint32_t magic = FILTER_MAGIC;
    bool set = false;
    int dataType = DATA_FLOAT;
    int format = TENSOR_NCHW;
    int nbDims = 0;
    int dims[DIM_MAX] = {};
};

struct ConvDesc {
    uint32_t magic = CONV_MAGIC;
    bool set = false;
    int nbSpatial = 0;
    int pad[DIM_MAX - 2] = {}, stride[DIM_MAX - 2] = {}, dilation[DIM_MAX - 2] = {};
    int mode = MODE_CROSS_CORRELATION;
    int computeType = DATA_FLOAT;
    int groups = 1;
    int mathType = DEFAULT_MATH;
    int reorder = 0;
};

// cudnnConvolution{Fwd,BwdData,BwdFilter}AlgoPerf_t (cuDNN 9): all three share this layout, 48 bytes
struct AlgoPerf {
    int algo;
    int status;
    float time;
    size_t memory;
    int determinism;
    int mathType;
    int reserved[3];
};
static_assert(sizeof(AlgoPerf) == 48, "cuDNN perf-result layout");

void report(const std::string& m) { emu::report("cuDNN", m.c_str()); }

int fail(int status, const std::string& m) {
    report(m);
    return status;
}

std::string dimsText(const int* d, int n) {
    std::string s = "[";
    for (int i = 0; i < n; i++) s += (i ? ", " : "") + std::to_string(d[i]);
    return s + "]";
}

template <class D>
D* as(void* p, uint32_t magic) {
    auto* d = static_cast<D*>(p);
    return d != nullptr && d->magic == magic ? d : nullptr;
}

// cudnnCreate* / cudnnDestroy*: a fresh object, or one checked by its magic, unmarked (so a stale pointer is
// caught later) and freed.
template <class D>
int createObject(void** out, const char* fn, const char* param) {
    if (out == nullptr) return fail(STATUS_BAD_PARAM, std::string(fn) + ": " + param + " is null");
    auto* d = new (std::nothrow) D();
    if (d == nullptr) return fail(STATUS_ALLOC_FAILED, std::string(fn) + ": out of host memory");
    *out = d;
    return STATUS_SUCCESS;
}

template <class D>
int destroyObject(void* p, uint32_t magic, const char* fn, const char* notOne) {
    auto* d = as<D>(p, magic);
    if (d == nullptr) return fail(STATUS_BAD_PARAM, std::string(fn) + ": " + notOne);
    d->magic = 0;
    delete d;
    return STATUS_SUCCESS;
}

// ---- geometry ------------------------------------------------------------------------------------------------------

enum class Dir { Fwd, BwdData, BwdFilter };

// A convolution reduced to 3 spatial dims (missing leading ones have size 1), with the tensor strides the
// descriptors give; everything a queued kernel needs, by value.
struct Geo {
    int nbSpatial;
    int64_t N, C, K, G;                  // C and K: all input / output channels
    int64_t in[3], out[3], f[3];         // spatial sizes of x, y, filter
    int64_t pad[3], str[3], dil[3];
    int64_t xs[5], ys[5];                // element strides of x and y over (n, c, d, h, w)
    bool flip;                           // CUDNN_CONVOLUTION: the filter is applied mirrored
    bool f64;
    bool tf32;                           // float inputs rounded to TF32 before the products
    int64_t inVol() const { return in[0] * in[1] * in[2]; }
    int64_t outVol() const { return out[0] * out[1] * out[2]; }
    int64_t taps() const { return f[0] * f[1] * f[2]; }
    int64_t Cg() const { return C / G; }
    int64_t Kg() const { return K / G; }
    size_t es() const { return f64 ? 8 : 4; }
};

bool tf32Disabled() {
    const char* v = std::getenv("NVIDIA_TF32_OVERRIDE");
    return v != nullptr && std::strcmp(v, "0") == 0;
}

// Checks the descriptors of one convolution against each other; fills g or reports what is inconsistent.
int geometry(const char* fn, void* handle, void* xDesc, void* wDesc, void* convDesc, void* yDesc, Geo& g) {
    std::string f = fn;
    if (as<Handle>(handle, HANDLE_MAGIC) == nullptr) return fail(STATUS_BAD_PARAM, f + ": handle is not a live cuDNN handle");
    auto* x = as<TensorDesc>(xDesc, TENSOR_MAGIC);
    auto* y = as<TensorDesc>(yDesc, TENSOR_MAGIC);
    auto* w = as<FilterDesc>(wDesc, FILTER_MAGIC);
    auto* c = as<ConvDesc>(convDesc, CONV_MAGIC);
    if (x == nullptr || y == nullptr) return fail(STATUS_BAD_PARAM, f + ": a tensor descriptor is null or not a tensor descriptor");
    if (w == nullptr) return fail(STATUS_BAD_PARAM, f + ": the filter descriptor is null or not a filter descriptor");
    if (c == nullptr) return fail(STATUS_BAD_PARAM, f + ": the convolution descriptor is null or not a convolution descriptor");
    if (!x->set || !y->set || !w->set || !c->set) return fail(STATUS_BAD_PARAM, f + ": a descriptor was created but never set");
    const int nd = c->nbSpatial + 2;
    if (x->nbDims != nd || y->nbDims != nd || w->nbDims != nd)
        return fail(STATUS_BAD_PARAM, f + ": x has " + std::to_string(x->nbDims) + " dims, y " + std::to_string(y->nbDims) +
                                          ", w " + std::to_string(w->nbDims) + ", but the convolution has " +
                                          std::to_string(c->nbSpatial) + " spatial dims (expected " + std::to_string(nd) + ")");
    if (c->nbSpatial < 1 || c->nbSpatial > 3)
        return fail(STATUS_NOT_SUPPORTED, f + ": " + std::to_string(c->nbSpatial) + " spatial dims (the emulator does 1 to 3)");
    if (x->dataType != y->dataType || x->dataType != w->dataType)
        return fail(STATUS_BAD_PARAM, f + ": data types differ (x " + std::to_string(x->dataType) + ", w " +
                                          std::to_string(w->dataType) + ", y " + std::to_string(y->dataType) + ")");
    if (!((x->dataType == DATA_FLOAT && c->computeType == DATA_FLOAT) ||
          (x->dataType == DATA_DOUBLE && c->computeType == DATA_DOUBLE)))
        return fail(STATUS_NOT_SUPPORTED, f + ": data type " + std::to_string(x->dataType) + " with compute type " +
                                              std::to_string(c->computeType) +
                                              " (the emulator does float/float and double/double)");
    if (w->format != TENSOR_NCHW)
        return fail(STATUS_NOT_SUPPORTED, f + ": filter format " + std::to_string(w->format) + " (the emulator does CUDNN_TENSOR_NCHW)");
    const int G = c->groups;
    const int N = x->dims[0], C = x->dims[1], K = w->dims[0];
    if (C % G != 0 || w->dims[1] * G != C || K % G != 0)
        return fail(STATUS_BAD_PARAM, f + ": x has " + std::to_string(C) + " channels, filter " + dimsText(w->dims, nd) +
                                          " with " + std::to_string(G) + " groups: need C = filter[1] * groups and filter[0] % groups == 0");
    if (y->dims[0] != N || y->dims[1] != K)
        return fail(STATUS_BAD_PARAM, f + ": y " + dimsText(y->dims, nd) + " does not start with [" + std::to_string(N) +
                                          ", " + std::to_string(K) + "] (x batch, filter count)");
    int expect[DIM_MAX];
    expect[0] = N;
    expect[1] = K;
    for (int i = 0; i < c->nbSpatial; i++) {
        long long span = (long long)x->dims[2 + i] + 2LL * c->pad[i] - (long long)c->dilation[i] * (w->dims[2 + i] - 1) - 1;
        if (span < 0)
            return fail(STATUS_BAD_PARAM, f + ": spatial dim " + std::to_string(i) + ": the dilated filter (" +
                                              std::to_string(w->dims[2 + i]) + " taps, dilation " + std::to_string(c->dilation[i]) +
                                              ") is larger than the padded input (" + std::to_string(x->dims[2 + i]) +
                                              " + 2*" + std::to_string(c->pad[i]) + ")");
        expect[2 + i] = static_cast<int>(span / c->stride[i] + 1);
    }
    for (int i = 2; i < nd; i++) {
        if (y->dims[i] != expect[i])
            return fail(STATUS_BAD_PARAM, f + ": y " + dimsText(y->dims, nd) + " does not match the convolution of x " +
                                              dimsText(x->dims, nd) + " with filter " + dimsText(w->dims, nd) + ", pad " +
                                              dimsText(c->pad, c->nbSpatial) + ", stride " + dimsText(c->stride, c->nbSpatial) +
                                              ", dilation " + dimsText(c->dilation, c->nbSpatial) + ": expected " + dimsText(expect, nd));
    }
    g.nbSpatial = c->nbSpatial;
    g.N = N;
    g.C = C;
    g.K = K;
    g.G = G;
    const int lead = 3 - c->nbSpatial;  // missing leading spatial dims
    for (int i = 0; i < 3; i++) {
        int j = i - lead;  // index into the descriptor's spatial dims
        g.in[i] = j < 0 ? 1 : x->dims[2 + j];
        g.out[i] = j < 0 ? 1 : y->dims[2 + j];
        g.f[i] = j < 0 ? 1 : w->dims[2 + j];
        g.pad[i] = j < 0 ? 0 : c->pad[j];
        g.str[i] = j < 0 ? 1 : c->stride[j];
        g.dil[i] = j < 0 ? 1 : c->dilation[j];
        g.xs[2 + i] = j < 0 ? 0 : x->strides[2 + j];
        g.ys[2 + i] = j < 0 ? 0 : y->strides[2 + j];
    }
    g.xs[0] = x->strides[0];
    g.xs[1] = x->strides[1];
    g.ys[0] = y->strides[0];
    g.ys[1] = y->strides[1];
    g.flip = c->mode == MODE_CONVOLUTION;
    g.f64 = x->dataType == DATA_DOUBLE;
    g.tf32 = !g.f64 && c->mathType != FMA_MATH && !tf32Disabled();
    return STATUS_SUCCESS;
}

int mathTypeOf(void* convDesc) { return static_cast<ConvDesc*>(convDesc)->mathType; }

// ---- algorithms: which ones "run" and the workspace each needs ---------------------------------------------------

size_t align256(size_t b) { return (b + 255) / 256 * 256; }

struct AlgoInfo {
    int algo;
    bool supported;
    size_t memory;
    int determinism;
};

// in the order the heuristics rank them: the supported ones first
std::vector<AlgoInfo> algos(Dir d, const Geo& g) {
    const size_t es = g.es();
    const size_t taps = static_cast<size_t>(g.taps());
    switch (d) {
        case Dir::Fwd:
            return {{1, true, align256(16 * taps), DETERMINISTIC},  // IMPLICIT_PRECOMP_GEMM: an index table
                    {0, true, 0, DETERMINISTIC},                    // IMPLICIT_GEMM
                    {2, true, align256(es * g.Cg() * taps * g.outVol()), DETERMINISTIC},  // GEMM: one image's im2col
                    {3, false, 0, DETERMINISTIC},                   // DIRECT
                    {4, false, 0, DETERMINISTIC},                   // FFT
                    {5, false, 0, DETERMINISTIC},                   // FFT_TILING
                    {6, false, 0, DETERMINISTIC},                   // WINOGRAD
                    {7, false, 0, DETERMINISTIC}};                  // WINOGRAD_NONFUSED
        case Dir::BwdData:
            return {{1, true, align256(16 * taps), DETERMINISTIC},  // ALGO_1
                    {0, true, 0, NON_DETERMINISTIC},                // ALGO_0
                    {2, false, 0, DETERMINISTIC},                   // FFT
                    {3, false, 0, DETERMINISTIC},                   // FFT_TILING
                    {4, false, 0, DETERMINISTIC},                   // WINOGRAD
                    {5, false, 0, DETERMINISTIC}};                  // WINOGRAD_NONFUSED
        case Dir::BwdFilter:
            if (g.G > 1)  // grouped (depthwise) filters: ALGO_0 ranks first, as cuDNN's heuristics often have it
                return {{0, true, 0, NON_DETERMINISTIC},                // ALGO_0
                        {1, true, align256(16 * taps), DETERMINISTIC},  // ALGO_1
                        {3, true, align256(es * static_cast<size_t>(g.K * g.Cg()) * taps), NON_DETERMINISTIC},  // ALGO_3
                        {2, false, 0, DETERMINISTIC},                   // FFT
                        {4, false, 0, DETERMINISTIC},                   // WINOGRAD
                        {5, false, 0, DETERMINISTIC},                   // WINOGRAD_NONFUSED
                        {6, false, 0, DETERMINISTIC}};                  // FFT_TILING
            return {{1, true, align256(16 * taps), DETERMINISTIC},  // ALGO_1
                    {0, true, 0, NON_DETERMINISTIC},                // ALGO_0
                    {3, true, align256(es * static_cast<size_t>(g.K * g.Cg()) * taps), NON_DETERMINISTIC},  // ALGO_3
                    {2, false, 0, DETERMINISTIC},                   // FFT
                    {4, false, 0, DETERMINISTIC},                   // WINOGRAD
                    {5, false, 0, DETERMINISTIC},                   // WINOGRAD_NONFUSED
                    {6, false, 0, DETERMINISTIC}};                  // FFT_TILING
    }
    return {};
}

int algoCount(Dir d) {
    return d == Dir::Fwd ? FWD_ALGO_COUNT : d == Dir::BwdData ? BWD_DATA_ALGO_COUNT : BWD_FILTER_ALGO_COUNT;
}

const char* dirName(Dir d) { return d == Dir::Fwd ? "forward" : d == Dir::BwdData ? "backward-data" : "backward-filter"; }

// the algorithm's entry, or a status for an algorithm that is out of range or does not run
int algoInfo(const char* fn, Dir d, const Geo& g, int algo, AlgoInfo& out) {
    if (algo < 0 || algo >= algoCount(d))
        return fail(STATUS_BAD_PARAM, std::string(fn) + ": " + std::to_string(algo) + " is not a " + dirName(d) + " algorithm");
    for (const AlgoInfo& a : algos(d, g)) {
        if (a.algo != algo) continue;
        if (!a.supported)
            return fail(STATUS_NOT_SUPPORTED, std::string(fn) + ": " + dirName(d) + " algorithm " + std::to_string(algo) +
                                                  " does not support this convolution (in the emulator)");
        out = a;
        return STATUS_SUCCESS;
    }
    return fail(STATUS_INTERNAL_ERROR, std::string(fn) + ": algorithm table");
}

int findAlgos(const char* fn, Dir d, void* handle, void* xDesc, void* wDesc, void* convDesc, void* yDesc, int requested,
              int* returned, AlgoPerf* perf) {
    Geo g;
    int s = geometry(fn, handle, xDesc, wDesc, convDesc, yDesc, g);
    if (s != STATUS_SUCCESS) return s;
    if (returned == nullptr || perf == nullptr) return fail(STATUS_BAD_PARAM, std::string(fn) + ": null output pointer");
    if (requested <= 0) return fail(STATUS_BAD_PARAM, std::string(fn) + ": requestedAlgoCount " + std::to_string(requested));
    std::vector<AlgoInfo> v = algos(d, g);
    int n = std::min<int>(requested, static_cast<int>(v.size()));
    int math = g.f64 ? FMA_MATH : mathTypeOf(convDesc);
    for (int i = 0; i < n; i++) {
        AlgoPerf p{};
        p.algo = v[i].algo;
        p.status = v[i].supported ? STATUS_SUCCESS : STATUS_NOT_SUPPORTED;
        p.time = -1.0f;  // heuristics: not timed
        p.memory = v[i].supported ? v[i].memory : 0;
        p.determinism = v[i].determinism;
        p.mathType = math;
        perf[i] = p;
    }
    *returned = n;
    return STATUS_SUCCESS;
}

int workspaceSize(const char* fn, Dir d, void* handle, void* xDesc, void* wDesc, void* convDesc, void* yDesc, int algo,
                  size_t* bytes) {
    Geo g;
    int s = geometry(fn, handle, xDesc, wDesc, convDesc, yDesc, g);
    if (s != STATUS_SUCCESS) return s;
    if (bytes == nullptr) return fail(STATUS_BAD_PARAM, std::string(fn) + ": sizeInBytes is null");
    AlgoInfo a;
    s = algoInfo(fn, d, g, algo, a);
    if (s != STATUS_SUCCESS) return s;
    *bytes = a.memory;
    return STATUS_SUCCESS;
}

// ---- kernels on dense buffers --------------------------------------------------------------------------------------

inline float roundTf32(float v) {
    uint32_t b;
    std::memcpy(&b, &v, 4);
    if ((b & 0x7f800000u) == 0x7f800000u) {
        if (b & 0x007fffffu) b |= 0x00400000u;
    } else {
        b += 0xfffu + ((b >> 13) & 1u);  // round to nearest even at bit 13
    }
    b &= ~0x1fffu;
    std::memcpy(&v, &b, 4);
    return v;
}

// a strided (n, c, d, h, w) tensor copied into a dense one, rounded to TF32 if asked
template <class T>
std::vector<T> gather(const T* src, int64_t n, int64_t c, const int64_t sp[3], const int64_t st[5], bool tf32) {
    std::vector<T> out(static_cast<size_t>(n * c * sp[0] * sp[1] * sp[2]));
    T* o = out.data();
    for (int64_t a = 0; a < n; a++)
        for (int64_t b = 0; b < c; b++)
            for (int64_t z = 0; z < sp[0]; z++)
                for (int64_t y = 0; y < sp[1]; y++) {
                    const T* s = src + a * st[0] + b * st[1] + z * st[2] + y * st[3];
                    for (int64_t x = 0; x < sp[2]; x++) {
                        T v = s[x * st[4]];
                        if constexpr (sizeof(T) == 4) {
                            if (tf32) v = roundTf32(v);
                        }
                        *o++ = v;
                    }
                }
    return out;
}

// dst (strided) = alpha * acc (dense) + beta * dst; beta == 0 does not read dst
template <class T>
void scatter(T* dst, int64_t n, int64_t c, const int64_t sp[3], const int64_t st[5], const T* acc, T alpha, T beta) {
    for (int64_t a = 0; a < n; a++)
        for (int64_t b = 0; b < c; b++)
            for (int64_t z = 0; z < sp[0]; z++)
                for (int64_t y = 0; y < sp[1]; y++) {
                    T* d = dst + a * st[0] + b * st[1] + z * st[2] + y * st[3];
                    if (beta == T(0)) {
                        for (int64_t x = 0; x < sp[2]; x++) d[x * st[4]] = alpha * acc[x];
                    } else {
                        for (int64_t x = 0; x < sp[2]; x++) d[x * st[4]] = alpha * acc[x] + beta * d[x * st[4]];
                    }
                    acc += sp[2];
                }
}

// output positions o in [lo, hi) whose input position o*s - p + off lies in [0, in)
inline void validRange(int64_t in, int64_t p, int64_t s, int64_t off, int64_t out, int64_t& lo, int64_t& hi) {
    int64_t t = p - off;  // need o*s >= t
    lo = t <= 0 ? 0 : (t + s - 1) / s;
    int64_t u = in - 1 + p - off;  // need o*s <= u
    hi = u < 0 ? 0 : std::min(out, u / s + 1);
    if (hi < lo) hi = lo;
}

// the filter tap used at tap position t of dim i (mirrored for CUDNN_CONVOLUTION)
inline int64_t tapIndex(const Geo& g, int i, int64_t t) { return g.flip ? g.f[i] - 1 - t : t; }

template <class T>
void forward(const Geo& g, const T* x, const T* w, T* y) {
    const int64_t Cg = g.Cg(), Kg = g.Kg(), inVol = g.inVol(), outVol = g.outVol();
    for (int64_t n = 0; n < g.N; n++)
        for (int64_t k = 0; k < g.K; k++) {
            const int64_t grp = k / Kg;
            T* out = y + (n * g.K + k) * outVol;
            std::fill(out, out + outVol, T(0));
            for (int64_t cc = 0; cc < Cg; cc++) {
                const T* xin = x + (n * g.C + grp * Cg + cc) * inVol;
                const T* wk = w + (k * Cg + cc) * g.taps();
                for (int64_t fd = 0; fd < g.f[0]; fd++)
                    for (int64_t fh = 0; fh < g.f[1]; fh++)
                        for (int64_t fw = 0; fw < g.f[2]; fw++) {
                            const T wv = wk[(tapIndex(g, 0, fd) * g.f[1] + tapIndex(g, 1, fh)) * g.f[2] + tapIndex(g, 2, fw)];
                            int64_t d0, d1, h0, h1, w0, w1;
                            validRange(g.in[0], g.pad[0], g.str[0], fd * g.dil[0], g.out[0], d0, d1);
                            validRange(g.in[1], g.pad[1], g.str[1], fh * g.dil[1], g.out[1], h0, h1);
                            validRange(g.in[2], g.pad[2], g.str[2], fw * g.dil[2], g.out[2], w0, w1);
                            for (int64_t od = d0; od < d1; od++) {
                                const int64_t id = od * g.str[0] - g.pad[0] + fd * g.dil[0];
                                for (int64_t oh = h0; oh < h1; oh++) {
                                    const int64_t ih = oh * g.str[1] - g.pad[1] + fh * g.dil[1];
                                    T* o = out + (od * g.out[1] + oh) * g.out[2];
                                    const T* xr = xin + (id * g.in[1] + ih) * g.in[2] - g.pad[2] + fw * g.dil[2];
                                    const int64_t sw = g.str[2];
                                    if (sw == 1) {
                                        for (int64_t ow = w0; ow < w1; ow++) o[ow] += wv * xr[ow];
                                    } else {
                                        for (int64_t ow = w0; ow < w1; ow++) o[ow] += wv * xr[ow * sw];
                                    }
                                }
                            }
                        }
            }
        }
}

template <class T>
void backwardData(const Geo& g, const T* w, const T* dy, T* dx) {
    const int64_t Cg = g.Cg(), Kg = g.Kg(), inVol = g.inVol(), outVol = g.outVol();
    for (int64_t n = 0; n < g.N; n++)
        for (int64_t c = 0; c < g.C; c++) {
            const int64_t grp = c / Cg, cc = c % Cg;
            T* din = dx + (n * g.C + c) * inVol;
            std::fill(din, din + inVol, T(0));
            for (int64_t kk = 0; kk < Kg; kk++) {
                const int64_t k = grp * Kg + kk;
                const T* dyk = dy + (n * g.K + k) * outVol;
                const T* wk = w + (k * Cg + cc) * g.taps();
                for (int64_t fd = 0; fd < g.f[0]; fd++)
                    for (int64_t fh = 0; fh < g.f[1]; fh++)
                        for (int64_t fw = 0; fw < g.f[2]; fw++) {
                            const T wv = wk[(tapIndex(g, 0, fd) * g.f[1] + tapIndex(g, 1, fh)) * g.f[2] + tapIndex(g, 2, fw)];
                            int64_t d0, d1, h0, h1, w0, w1;
                            validRange(g.in[0], g.pad[0], g.str[0], fd * g.dil[0], g.out[0], d0, d1);
                            validRange(g.in[1], g.pad[1], g.str[1], fh * g.dil[1], g.out[1], h0, h1);
                            validRange(g.in[2], g.pad[2], g.str[2], fw * g.dil[2], g.out[2], w0, w1);
                            for (int64_t od = d0; od < d1; od++) {
                                const int64_t id = od * g.str[0] - g.pad[0] + fd * g.dil[0];
                                for (int64_t oh = h0; oh < h1; oh++) {
                                    const int64_t ih = oh * g.str[1] - g.pad[1] + fh * g.dil[1];
                                    const T* gr = dyk + (od * g.out[1] + oh) * g.out[2];
                                    T* xr = din + (id * g.in[1] + ih) * g.in[2] - g.pad[2] + fw * g.dil[2];
                                    const int64_t sw = g.str[2];
                                    if (sw == 1) {
                                        for (int64_t ow = w0; ow < w1; ow++) xr[ow] += wv * gr[ow];
                                    } else {
                                        for (int64_t ow = w0; ow < w1; ow++) xr[ow * sw] += wv * gr[ow];
                                    }
                                }
                            }
                        }
            }
        }
}

// The images' partial sums of a filter gradient are added in `order`: ascending for deterministic algorithms;
// for the others a fresh permutation per call (nondeterministicOrder), as their atomics would add them, so a
// caller that needs the same bits every run sees the difference.
std::vector<int64_t> imageOrder(int64_t n, bool shuffled) {
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), int64_t(0));
    if (shuffled) {
        static std::atomic<uint64_t> calls{0};
        const char* seed = std::getenv("DPVM_EMU_SEED");
        std::mt19937_64 rng((seed ? std::strtoull(seed, nullptr, 10) : 0) * 0x9E3779B97F4A7C15ull + ++calls);
        std::shuffle(order.begin(), order.end(), rng);
    }
    return order;
}

template <class T>
void backwardFilter(const Geo& g, const T* x, const T* dy, T* dw, const std::vector<int64_t>& order) {
    const int64_t Cg = g.Cg(), Kg = g.Kg(), inVol = g.inVol(), outVol = g.outVol();
    for (int64_t k = 0; k < g.K; k++) {
        const int64_t grp = k / Kg;
        for (int64_t cc = 0; cc < Cg; cc++) {
            T* wk = dw + (k * Cg + cc) * g.taps();
            for (int64_t fd = 0; fd < g.f[0]; fd++)
                for (int64_t fh = 0; fh < g.f[1]; fh++)
                    for (int64_t fw = 0; fw < g.f[2]; fw++) {
                        int64_t d0, d1, h0, h1, w0, w1;
                        validRange(g.in[0], g.pad[0], g.str[0], fd * g.dil[0], g.out[0], d0, d1);
                        validRange(g.in[1], g.pad[1], g.str[1], fh * g.dil[1], g.out[1], h0, h1);
                        validRange(g.in[2], g.pad[2], g.str[2], fw * g.dil[2], g.out[2], w0, w1);
                        T sum = 0;
                        for (int64_t n : order) {
                            T part = 0;
                            const T* xin = x + (n * g.C + grp * Cg + cc) * inVol;
                            const T* dyk = dy + (n * g.K + k) * outVol;
                            for (int64_t od = d0; od < d1; od++) {
                                const int64_t id = od * g.str[0] - g.pad[0] + fd * g.dil[0];
                                for (int64_t oh = h0; oh < h1; oh++) {
                                    const int64_t ih = oh * g.str[1] - g.pad[1] + fh * g.dil[1];
                                    const T* gr = dyk + (od * g.out[1] + oh) * g.out[2];
                                    const T* xr = xin + (id * g.in[1] + ih) * g.in[2] - g.pad[2] + fw * g.dil[2];
                                    const int64_t sw = g.str[2];
                                    for (int64_t ow = w0; ow < w1; ow++) part += gr[ow] * xr[ow * sw];
                                }
                            }
                            sum += part;
                        }
                        wk[(tapIndex(g, 0, fd) * g.f[1] + tapIndex(g, 1, fh)) * g.f[2] + tapIndex(g, 2, fw)] = sum;
                    }
        }
    }
}

// ---- one convolution call: checks at the call, the work queued -----------------------------------------------------

struct Call {
    Geo g;
    Dir dir;
    const void* in1;  // fwd: x, bwd data: w, bwd filter: x
    const void* in2;  // fwd: w, bwd data: dy, bwd filter: dy
    void* out;        // fwd: y, bwd data: dx, bwd filter: dw
    void* workspace;
    size_t workspaceUsed;
    double alpha, beta;
    bool deterministic;  // the algorithm's cuDNN determinism
};

int64_t tensorExtent(int64_t n, int64_t c, const int64_t sp[3], const int64_t st[5]) {
    return 1 + (n - 1) * st[0] + (c - 1) * st[1] + (sp[0] - 1) * st[2] + (sp[1] - 1) * st[3] + (sp[2] - 1) * st[4];
}

bool onDevice(const char* fn, const char* name, const void* p, int64_t elements, size_t es) {
    size_t bytes = static_cast<size_t>(elements) * es;
    if (p != nullptr && emu::is_device_range(p, bytes)) return true;
    char m[256];
    std::snprintf(m, sizeof m, "%s: %s (%p, %zu bytes) is not inside one device allocation", fn, name, p, bytes);
    report(m);
    return false;
}

template <class T>
void run(const Call& c) {
    const Geo& g = c.g;
    const int64_t wsp[3] = {g.f[0], g.f[1], g.f[2]};
    const int64_t wst[5] = {g.Cg() * g.taps(), g.taps(), g.f[1] * g.f[2], g.f[2], 1};  // dense NC(D)HW filter
    const T alpha = static_cast<T>(c.alpha), beta = static_cast<T>(c.beta);
    if (c.workspaceUsed > 0) std::memset(c.workspace, 0xff, c.workspaceUsed);  // cuDNN scribbles on its workspace
    switch (c.dir) {
        case Dir::Fwd: {
            auto x = gather(static_cast<const T*>(c.in1), g.N, g.C, g.in, g.xs, g.tf32);
            auto w = gather(static_cast<const T*>(c.in2), g.K, g.Cg(), wsp, wst, g.tf32);
            std::vector<T> y(static_cast<size_t>(g.N * g.K * g.outVol()));
            forward(g, x.data(), w.data(), y.data());
            scatter(static_cast<T*>(c.out), g.N, g.K, g.out, g.ys, y.data(), alpha, beta);
            break;
        }
        case Dir::BwdData: {
            auto w = gather(static_cast<const T*>(c.in1), g.K, g.Cg(), wsp, wst, g.tf32);
            auto dy = gather(static_cast<const T*>(c.in2), g.N, g.K, g.out, g.ys, g.tf32);
            std::vector<T> dx(static_cast<size_t>(g.N * g.C * g.inVol()));
            backwardData(g, w.data(), dy.data(), dx.data());
            scatter(static_cast<T*>(c.out), g.N, g.C, g.in, g.xs, dx.data(), alpha, beta);
            break;
        }
        case Dir::BwdFilter: {
            auto x = gather(static_cast<const T*>(c.in1), g.N, g.C, g.in, g.xs, g.tf32);
            auto dy = gather(static_cast<const T*>(c.in2), g.N, g.K, g.out, g.ys, g.tf32);
            std::vector<T> dw(static_cast<size_t>(g.K * g.Cg() * g.taps()));
            backwardFilter(g, x.data(), dy.data(), dw.data(), imageOrder(g.N, !c.deterministic));
            scatter(static_cast<T*>(c.out), g.K, g.Cg(), wsp, wst, dw.data(), alpha, beta);
            break;
        }
    }
}

// Checks that a direction's two inputs and its output lie in device memory (reporting each that does not); the
// output's bytes, or 0 when an operand is bad.
size_t operandBytes(const char* fn, Dir dir, const Geo& g, const void* in1, const void* in2, const void* out) {
    const size_t es = g.es();
    const int64_t wsp[3] = {g.f[0], g.f[1], g.f[2]};
    const int64_t wst[5] = {g.Cg() * g.taps(), g.taps(), g.f[1] * g.f[2], g.f[2], 1};
    const int64_t xElems = tensorExtent(g.N, g.C, g.in, g.xs), yElems = tensorExtent(g.N, g.K, g.out, g.ys),
                  wElems = tensorExtent(g.K, g.Cg(), wsp, wst);
    switch (dir) {
        case Dir::Fwd:
            return onDevice(fn, "x", in1, xElems, es) & onDevice(fn, "w", in2, wElems, es) & onDevice(fn, "y", out, yElems, es) ? yElems * es : 0;
        case Dir::BwdData:
            return onDevice(fn, "w", in1, wElems, es) & onDevice(fn, "dy", in2, yElems, es) & onDevice(fn, "dx", out, xElems, es) ? xElems * es : 0;
        default:
            return onDevice(fn, "x", in1, xElems, es) & onDevice(fn, "dy", in2, yElems, es) & onDevice(fn, "dw", out, wElems, es) ? wElems * es : 0;
    }
}

int convolve(const char* fn, Dir dir, void* handle, const void* alpha, void* xDesc, void* wDesc, void* convDesc,
             void* yDesc, const void* in1, const void* in2, void* out, int algo, void* workspace, size_t workspaceBytes,
             const void* beta) {
    Call c;
    int s = geometry(fn, handle, xDesc, wDesc, convDesc, yDesc, c.g);
    if (s != STATUS_SUCCESS) return s;
    const Geo& g = c.g;
    AlgoInfo a;
    s = algoInfo(fn, dir, g, algo, a);
    if (s != STATUS_SUCCESS) return s;
    std::string f = fn;
    if (alpha == nullptr || beta == nullptr) return fail(STATUS_BAD_PARAM, f + ": alpha or beta is null");
    if (workspaceBytes < a.memory)
        return fail(STATUS_BAD_PARAM, f + ": algorithm " + std::to_string(algo) + " needs " + std::to_string(a.memory) +
                                          " workspace bytes, got " + std::to_string(workspaceBytes));
    if (a.memory > 0 && (workspace == nullptr || !emu::is_device_range(workspace, a.memory)))
        return fail(STATUS_BAD_PARAM, f + ": the workspace is not inside one device allocation");
    if (operandBytes(fn, dir, g, in1, in2, out) == 0) return STATUS_BAD_PARAM;
    c.dir = dir;
    c.in1 = in1;
    c.in2 = in2;
    c.out = out;
    c.workspace = workspace;
    c.workspaceUsed = a.memory;
    c.deterministic = a.determinism == DETERMINISTIC;
    // host scalars, read at the call
    c.alpha = g.f64 ? *static_cast<const double*>(alpha) : *static_cast<const float*>(alpha);
    c.beta = g.f64 ? *static_cast<const double*>(beta) : *static_cast<const float*>(beta);
    std::string name = f;
    emu::submit(static_cast<Handle*>(handle)->stream, [c, name] {
        try {
            if (c.g.f64)
                run<double>(c);
            else
                run<float>(c);
        } catch (const std::exception& e) {
            report(name + ": " + e.what());
        }
    });
    return STATUS_SUCCESS;
}

// ---- measured search (cudnnFind*AlgorithmEx): blocks, ranks by a stand-in time, leaves the output scribbled ---------

extern "C" int cudaStreamSynchronize(void* stream);

// cuDNN times every algorithm on the caller's buffers and returns them fastest first, having written the output
// with trial results. Here the "time" is the workspace an algorithm needs (fewest bytes first, then the lower
// number), so the measured order differs from the heuristics' (IMPLICIT_GEMM before IMPLICIT_PRECOMP_GEMM, ALGO_0
// before ALGO_1), the output is overwritten with all-ones bytes (NaN) on the handle's stream, and the call returns
// once that stream has run, as cuDNN's does. Algorithms needing more workspace than given report ALLOC_FAILED.
int findEx(const char* fn, Dir dir, void* handle, void* xDesc, void* wDesc, void* convDesc, void* yDesc, const void* in1,
           const void* in2, void* out, int requested, int* returned, AlgoPerf* perf, void* workspace, size_t workspaceBytes) {
    Geo g;
    int s = geometry(fn, handle, xDesc, wDesc, convDesc, yDesc, g);
    if (s != STATUS_SUCCESS) return s;
    std::string f = fn;
    if (returned == nullptr || perf == nullptr) return fail(STATUS_BAD_PARAM, f + ": null output pointer");
    if (requested <= 0) return fail(STATUS_BAD_PARAM, f + ": requestedAlgoCount " + std::to_string(requested));
    if (workspaceBytes > 0 && (workspace == nullptr || !emu::is_device_range(workspace, workspaceBytes)))
        return fail(STATUS_BAD_PARAM, f + ": the workspace is not inside one device allocation");
    const size_t bytes = operandBytes(fn, dir, g, in1, in2, out);
    if (bytes == 0) return STATUS_BAD_PARAM;
    std::vector<AlgoInfo> v = algos(dir, g);
    std::stable_sort(v.begin(), v.end(), [workspaceBytes](const AlgoInfo& a, const AlgoInfo& b) {
        bool ra = a.supported && a.memory <= workspaceBytes, rb = b.supported && b.memory <= workspaceBytes;
        if (ra != rb) return ra;
        return ra && (a.memory != b.memory ? a.memory < b.memory : a.algo < b.algo);
    });
    int n = std::min<int>(requested, static_cast<int>(v.size()));
    int math = g.f64 ? FMA_MATH : mathTypeOf(convDesc);
    for (int i = 0; i < n; i++) {
        AlgoPerf p{};
        p.algo = v[i].algo;
        p.status = !v[i].supported ? STATUS_NOT_SUPPORTED : v[i].memory > workspaceBytes ? STATUS_ALLOC_FAILED : STATUS_SUCCESS;
        p.time = p.status == STATUS_SUCCESS ? 0.001f * static_cast<float>(v[i].memory + 1) : -1.0f;
        p.memory = v[i].memory;
        p.determinism = v[i].determinism;
        p.mathType = math;
        perf[i] = p;
    }
    *returned = n;
    void* stream = static_cast<Handle*>(handle)->stream;
    emu::submit(stream, [out, bytes] { std::memset(out, 0xff, bytes); });
    return cudaStreamSynchronize(stream) == 0 ? STATUS_SUCCESS : fail(STATUS_EXECUTION_FAILED, f + ": the handle's stream failed");
}

// ---- batch normalisation: checks at the call, the work queued ------------------------------------------------------

enum : int { BN_PER_ACTIVATION = 0, BN_SPATIAL = 1, BN_SPATIAL_PERSISTENT = 2 };
enum : int { DATA_HALF = 2, DATA_BFLOAT16 = 9 };
// CUDNN_BN_MIN_EPSILON of cuDNN 9's cudnn_ops.h (org.bytedeco.cuda.global.cudnn); older headers had 1e-5. A smaller
// epsilon (negative, or NaN) is rejected with CUDNN_STATUS_BAD_PARAM.
constexpr double BN_MIN_EPSILON = 0.0;

// A spatial batch normalisation reduced to (n, c, d, h, w) (a 4-d tensor has d = 1 with stride 0), with the element
// strides of each data tensor (forward: x, y; backward: x, dy, dx) and of the per-channel vectors (dim 1 of the
// scale/bias/mean/variance descriptor); everything a queued kernel needs, by value.
struct BnGeo {
    int64_t N, C, sp[3];
    int64_t st[3][5];
    int64_t ps;
    bool f64;
    int64_t count() const { return N * sp[0] * sp[1] * sp[2]; }  // values per channel
    size_t es() const { return f64 ? 8 : 4; }
};

const char* typeName(int t) { return t == DATA_FLOAT ? "float" : t == DATA_DOUBLE ? "double" : "other"; }

// Checks the mode, the data tensors (the first is x; the others must have its dims and data type) and the
// per-channel descriptor against each other; fills g or reports what is inconsistent.
int bnGeometry(const std::string& f, void* handle, int mode, int count, void* const* descs, const char* const* names,
               void* paramDesc, const char* paramName, BnGeo& g) {
    if (as<Handle>(handle, HANDLE_MAGIC) == nullptr) return fail(STATUS_BAD_PARAM, f + ": handle is not a live cuDNN handle");
    if (mode == BN_PER_ACTIVATION)
        return fail(STATUS_NOT_SUPPORTED, f + ": mode CUDNN_BATCHNORM_PER_ACTIVATION (the emulator does CUDNN_BATCHNORM_SPATIAL "
                                              "and CUDNN_BATCHNORM_SPATIAL_PERSISTENT)");
    if (mode != BN_SPATIAL && mode != BN_SPATIAL_PERSISTENT) return fail(STATUS_BAD_PARAM, f + ": mode " + std::to_string(mode));
    const TensorDesc* t[3];
    for (int i = 0; i < count; i++) {
        t[i] = as<TensorDesc>(descs[i], TENSOR_MAGIC);
        if (t[i] == nullptr) return fail(STATUS_BAD_PARAM, f + ": " + names[i] + " is null or not a tensor descriptor");
        if (!t[i]->set) return fail(STATUS_BAD_PARAM, f + ": " + names[i] + " was created but never set");
    }
    auto* p = as<TensorDesc>(paramDesc, TENSOR_MAGIC);
    if (p == nullptr) return fail(STATUS_BAD_PARAM, f + ": " + paramName + " is null or not a tensor descriptor");
    if (!p->set) return fail(STATUS_BAD_PARAM, f + ": " + paramName + " was created but never set");
    const TensorDesc* x = t[0];
    const int nd = x->nbDims;
    if (nd != 4 && nd != 5)
        return fail(STATUS_BAD_PARAM, f + ": " + names[0] + " " + dimsText(x->dims, nd) + " has " + std::to_string(nd) +
                                          " dims (batch normalisation takes 4 or 5)");
    if (x->dataType != DATA_FLOAT && x->dataType != DATA_DOUBLE)
        return fail(STATUS_NOT_SUPPORTED, f + ": data type " + std::to_string(x->dataType) + " (the emulator does float and double)");
    for (int i = 1; i < count; i++) {
        if (t[i]->nbDims != nd || !std::equal(x->dims, x->dims + nd, t[i]->dims))
            return fail(STATUS_BAD_PARAM, f + ": " + names[i] + " " + dimsText(t[i]->dims, t[i]->nbDims) + " does not match " +
                                              names[0] + " " + dimsText(x->dims, nd));
        if (t[i]->dataType != x->dataType)
            return fail(STATUS_BAD_PARAM, f + ": data types differ (" + names[0] + " " + std::to_string(x->dataType) + ", " +
                                              names[i] + " " + std::to_string(t[i]->dataType) + ")");
    }
    int expect[5] = {1, x->dims[1], 1, 1, 1};
    if (p->nbDims != nd || !std::equal(expect, expect + nd, p->dims))
        return fail(STATUS_BAD_PARAM, f + ": " + paramName + " " + dimsText(p->dims, p->nbDims) + " is not " +
                                          dimsText(expect, nd) + " (one value per channel of " + names[0] + " " +
                                          dimsText(x->dims, nd) + ")");
    if (p->dataType != x->dataType)
        return fail(STATUS_BAD_PARAM, f + ": " + paramName + " has data type " + std::to_string(p->dataType) + ", but " +
                                          typeName(x->dataType) + " data needs " + typeName(x->dataType) + " parameters");
    g.N = x->dims[0];
    g.C = x->dims[1];
    const int lead = 5 - nd;  // a 4-d tensor has no depth
    for (int i = 0; i < 3; i++) g.sp[i] = i < lead ? 1 : x->dims[2 + i - lead];
    for (int k = 0; k < count; k++) {
        g.st[k][0] = t[k]->strides[0];
        g.st[k][1] = t[k]->strides[1];
        for (int i = 0; i < 3; i++) g.st[k][2 + i] = i < lead ? 0 : t[k]->strides[2 + i - lead];
    }
    g.ps = p->strides[1];
    g.f64 = x->dataType == DATA_DOUBLE;
    return STATUS_SUCCESS;
}

int badEpsilon(const std::string& f, double epsilon) {
    if (epsilon >= BN_MIN_EPSILON) return STATUS_SUCCESS;
    char m[64];
    std::snprintf(m, sizeof m, "%g", epsilon);
    return fail(STATUS_BAD_PARAM, f + ": epsilon " + m + " is below CUDNN_BN_MIN_EPSILON (" + std::to_string(BN_MIN_EPSILON) + ")");
}

// a pair of optional outputs (or inputs) must be given together
int badPair(const std::string& f, const void* a, const void* b, const char* names) {
    if ((a == nullptr) == (b == nullptr)) return STATUS_SUCCESS;
    return fail(STATUS_BAD_PARAM, f + ": " + names + " must be both null or both non-null");
}

bool dataOnDevice(const std::string& f, const char* name, const void* p, const BnGeo& g, int k) {
    return onDevice(f.c_str(), name, p, tensorExtent(g.N, g.C, g.sp, g.st[k]), g.es());
}

// an optional per-channel vector (null passes)
bool vecOnDevice(const std::string& f, const char* name, const void* p, const BnGeo& g) {
    return p == nullptr || onDevice(f.c_str(), name, p, 1 + (g.C - 1) * g.ps, g.es());
}

double hostScalar(const void* p, bool f64) { return f64 ? *static_cast<const double*>(p) : *static_cast<const float*>(p); }

enum class Bn { Train, Infer, Backward };

// One batch-normalisation call. Train: x -> y, running statistics, saved statistics. Infer: x -> y with the given
// statistics. Backward: x, dy -> dx, dscale, dbias.
struct BnCall {
    BnGeo g;
    Bn kind;
    const void* x;
    const void* dy;        // backward
    void* out;             // y or dx
    const void* scale;
    const void* bias;      // train, infer
    const void* mean;      // infer: estimated mean; backward: saved mean (optional)
    const void* var;       // infer: estimated variance; backward: saved inverse standard deviation (optional)
    void* runMean;         // train: optional pair
    void* runVar;
    void* saveMean;        // train: optional pair
    void* saveInv;
    void* dScale;          // backward
    void* dBias;
    double alpha, beta;    // data: y or dx
    double alphaP, betaP;  // backward: dscale, dbias
    double factor, epsilon;
};

// calls f(o) for each element of channel c in (n, d, h, w) order, o[k] its offset in data tensor k
template <class F>
void forChannel(const BnGeo& g, int64_t c, F f) {
    int64_t o[3];
    for (int64_t a = 0; a < g.N; a++)
        for (int64_t z = 0; z < g.sp[0]; z++)
            for (int64_t y = 0; y < g.sp[1]; y++)
                for (int64_t x = 0; x < g.sp[2]; x++) {
                    for (int k = 0; k < 3; k++) o[k] = a * g.st[k][0] + c * g.st[k][1] + z * g.st[k][2] + y * g.st[k][3] + x * g.st[k][4];
                    f(o);
                }
}

// mean and biased variance of channel c of x (data tensor 0): two passes in double
template <class T>
void channelStats(const BnGeo& g, const T* x, int64_t c, double& mean, double& var) {
    const double n = static_cast<double>(g.count());
    double s = 0;
    forChannel(g, c, [&](const int64_t* o) { s += x[o[0]]; });
    mean = s / n;
    double q = 0;
    forChannel(g, c, [&](const int64_t* o) {
        const double d = x[o[0]] - mean;
        q += d * d;
    });
    var = q / n;
}

// dst = alpha * r + beta * dst, rounded once to T; beta == 0 does not read dst
template <class T>
inline void blend(T& dst, double r, double alpha, double beta) {
    dst = static_cast<T>(beta == 0 ? alpha * r : alpha * r + beta * static_cast<double>(dst));
}

template <class T>
void bnRun(const BnCall& k) {
    const BnGeo& g = k.g;
    const T* x = static_cast<const T*>(k.x);
    const T* dy = static_cast<const T*>(k.dy);
    T* out = static_cast<T*>(k.out);
    const T* scale = static_cast<const T*>(k.scale);
    const T* bias = static_cast<const T*>(k.bias);
    const T* mean_ = static_cast<const T*>(k.mean);
    const T* var_ = static_cast<const T*>(k.var);
    const double n = static_cast<double>(g.count());
    for (int64_t c = 0; c < g.C; c++) {
        const int64_t pc = c * g.ps;
        const double sc = scale[pc];
        double mean, invstd;
        switch (k.kind) {
            case Bn::Train: {
                double var;
                channelStats(g, x, c, mean, var);
                invstd = 1.0 / std::sqrt(var + k.epsilon);
                const double b = bias[pc];
                forChannel(g, c, [&](const int64_t* o) { blend(out[o[1]], sc * (x[o[0]] - mean) * invstd + b, k.alpha, k.beta); });
                if (k.saveMean != nullptr) {
                    static_cast<T*>(k.saveMean)[pc] = static_cast<T>(mean);
                    static_cast<T*>(k.saveInv)[pc] = static_cast<T>(invstd);
                }
                if (k.runMean != nullptr) {
                    // the running variance takes the unbiased estimate (n = 1 has none: 0 / 0)
                    T& rm = static_cast<T*>(k.runMean)[pc];
                    T& rv = static_cast<T*>(k.runVar)[pc];
                    const double unbiased = var * n / (n - 1);
                    rm = static_cast<T>((1 - k.factor) * static_cast<double>(rm) + k.factor * mean);
                    rv = static_cast<T>((1 - k.factor) * static_cast<double>(rv) + k.factor * unbiased);
                }
                break;
            }
            case Bn::Infer: {
                mean = mean_[pc];
                invstd = 1.0 / std::sqrt(static_cast<double>(var_[pc]) + k.epsilon);
                const double b = bias[pc];
                forChannel(g, c, [&](const int64_t* o) { blend(out[o[1]], sc * (x[o[0]] - mean) * invstd + b, k.alpha, k.beta); });
                break;
            }
            case Bn::Backward: {
                if (mean_ != nullptr) {
                    mean = mean_[pc];
                    invstd = var_[pc];
                } else {
                    double var;
                    channelStats(g, x, c, mean, var);
                    invstd = 1.0 / std::sqrt(var + k.epsilon);
                }
                double db = 0, ds = 0;
                forChannel(g, c, [&](const int64_t* o) {
                    const double d = dy[o[1]];
                    db += d;
                    ds += d * ((x[o[0]] - mean) * invstd);
                });
                const double gain = sc * invstd, dbn = db / n, dsn = ds / n;
                forChannel(g, c, [&](const int64_t* o) {
                    const double xhat = (x[o[0]] - mean) * invstd;
                    blend(out[o[2]], gain * (dy[o[1]] - dbn - xhat * dsn), k.alpha, k.beta);
                });
                blend(static_cast<T*>(k.dScale)[pc], ds, k.alphaP, k.betaP);
                blend(static_cast<T*>(k.dBias)[pc], db, k.alphaP, k.betaP);
                break;
            }
        }
    }
}

void bnSubmit(void* handle, const BnCall& k, const std::string& name) {
    emu::submit(static_cast<Handle*>(handle)->stream, [k, name] {
        try {
            if (k.g.f64)
                bnRun<double>(k);
            else
                bnRun<float>(k);
        } catch (const std::exception& e) {
            report(name + ": " + e.what());
        }
    });
}

int bnForwardTraining(void* handle, int mode, const void* alpha, const void* beta, void* xDesc, const void* x, void* yDesc,
                      void* y, void* paramDesc, const void* scale, const void* bias, double factor, void* runMean,
                      void* runVar, double epsilon, void* saveMean, void* saveInv) {
    const std::string f = "cudnnBatchNormalizationForwardTraining";
    BnCall k{};
    void* descs[2] = {xDesc, yDesc};
    const char* names[2] = {"xDesc", "yDesc"};
    int s = bnGeometry(f, handle, mode, 2, descs, names, paramDesc, "bnScaleBiasMeanVarDesc", k.g);
    if (s == STATUS_SUCCESS) s = badEpsilon(f, epsilon);
    if (s != STATUS_SUCCESS) return s;
    if (alpha == nullptr || beta == nullptr) return fail(STATUS_BAD_PARAM, f + ": alpha or beta is null");
    if (x == nullptr || y == nullptr || scale == nullptr || bias == nullptr)
        return fail(STATUS_BAD_PARAM, f + ": x, y, bnScale and bnBias are required (one is null)");
    s = badPair(f, runMean, runVar, "resultRunningMean and resultRunningVariance");
    if (s == STATUS_SUCCESS) s = badPair(f, saveMean, saveInv, "resultSaveMean and resultSaveInvVariance");
    if (s != STATUS_SUCCESS) return s;
    const BnGeo& g = k.g;
    bool ok = dataOnDevice(f, "x", x, g, 0) & dataOnDevice(f, "y", y, g, 1) & vecOnDevice(f, "bnScale", scale, g) &
              vecOnDevice(f, "bnBias", bias, g) & vecOnDevice(f, "resultRunningMean", runMean, g) &
              vecOnDevice(f, "resultRunningVariance", runVar, g) & vecOnDevice(f, "resultSaveMean", saveMean, g) &
              vecOnDevice(f, "resultSaveInvVariance", saveInv, g);
    if (!ok) return STATUS_BAD_PARAM;
    k.kind = Bn::Train;
    k.x = x;
    k.out = y;
    k.scale = scale;
    k.bias = bias;
    k.runMean = runMean;
    k.runVar = runVar;
    k.saveMean = saveMean;
    k.saveInv = saveInv;
    k.alpha = hostScalar(alpha, g.f64);  // host scalars, read at the call
    k.beta = hostScalar(beta, g.f64);
    k.factor = factor;
    k.epsilon = epsilon;
    bnSubmit(handle, k, f);
    return STATUS_SUCCESS;
}

int bnForwardInference(void* handle, int mode, const void* alpha, const void* beta, void* xDesc, const void* x,
                       void* yDesc, void* y, void* paramDesc, const void* scale, const void* bias, const void* mean,
                       const void* var, double epsilon) {
    const std::string f = "cudnnBatchNormalizationForwardInference";
    BnCall k{};
    void* descs[2] = {xDesc, yDesc};
    const char* names[2] = {"xDesc", "yDesc"};
    int s = bnGeometry(f, handle, mode, 2, descs, names, paramDesc, "bnScaleBiasMeanVarDesc", k.g);
    if (s == STATUS_SUCCESS) s = badEpsilon(f, epsilon);
    if (s != STATUS_SUCCESS) return s;
    if (alpha == nullptr || beta == nullptr) return fail(STATUS_BAD_PARAM, f + ": alpha or beta is null");
    if (x == nullptr || y == nullptr || scale == nullptr || bias == nullptr || mean == nullptr || var == nullptr)
        return fail(STATUS_BAD_PARAM, f + ": x, y, bnScale, bnBias, estimatedMean and estimatedVariance are required (one is null)");
    const BnGeo& g = k.g;
    bool ok = dataOnDevice(f, "x", x, g, 0) & dataOnDevice(f, "y", y, g, 1) & vecOnDevice(f, "bnScale", scale, g) &
              vecOnDevice(f, "bnBias", bias, g) & vecOnDevice(f, "estimatedMean", mean, g) &
              vecOnDevice(f, "estimatedVariance", var, g);
    if (!ok) return STATUS_BAD_PARAM;
    k.kind = Bn::Infer;
    k.x = x;
    k.out = y;
    k.scale = scale;
    k.bias = bias;
    k.mean = mean;
    k.var = var;
    k.alpha = hostScalar(alpha, g.f64);
    k.beta = hostScalar(beta, g.f64);
    k.epsilon = epsilon;
    bnSubmit(handle, k, f);
    return STATUS_SUCCESS;
}

int bnBackward(void* handle, int mode, const void* alphaData, const void* betaData, const void* alphaParam,
               const void* betaParam, void* xDesc, const void* x, void* dyDesc, const void* dy, void* dxDesc, void* dx,
               void* paramDesc, const void* scale, void* dScale, void* dBias, double epsilon, const void* savedMean,
               const void* savedInv) {
    const std::string f = "cudnnBatchNormalizationBackward";
    BnCall k{};
    void* descs[3] = {xDesc, dyDesc, dxDesc};
    const char* names[3] = {"xDesc", "dyDesc", "dxDesc"};
    int s = bnGeometry(f, handle, mode, 3, descs, names, paramDesc, "dBnScaleBiasDesc", k.g);
    if (s == STATUS_SUCCESS) s = badEpsilon(f, epsilon);
    if (s != STATUS_SUCCESS) return s;
    if (alphaData == nullptr || betaData == nullptr || alphaParam == nullptr || betaParam == nullptr)
        return fail(STATUS_BAD_PARAM, f + ": alphaDataDiff, betaDataDiff, alphaParamDiff or betaParamDiff is null");
    if (x == nullptr || dy == nullptr || dx == nullptr || scale == nullptr || dScale == nullptr || dBias == nullptr)
        return fail(STATUS_BAD_PARAM, f + ": x, dy, dx, bnScale, dBnScaleResult and dBnBiasResult are required (one is null)");
    s = badPair(f, savedMean, savedInv, "savedMean and savedInvVariance");
    if (s != STATUS_SUCCESS) return s;
    const BnGeo& g = k.g;
    bool ok = dataOnDevice(f, "x", x, g, 0) & dataOnDevice(f, "dy", dy, g, 1) & dataOnDevice(f, "dx", dx, g, 2) &
              vecOnDevice(f, "bnScale", scale, g) & vecOnDevice(f, "dBnScaleResult", dScale, g) &
              vecOnDevice(f, "dBnBiasResult", dBias, g) & vecOnDevice(f, "savedMean", savedMean, g) &
              vecOnDevice(f, "savedInvVariance", savedInv, g);
    if (!ok) return STATUS_BAD_PARAM;
    k.kind = Bn::Backward;
    k.x = x;
    k.dy = dy;
    k.out = dx;
    k.scale = scale;
    k.mean = savedMean;
    k.var = savedInv;
    k.dScale = dScale;
    k.dBias = dBias;
    k.alpha = hostScalar(alphaData, g.f64);
    k.beta = hostScalar(betaData, g.f64);
    k.alphaP = hostScalar(alphaParam, g.f64);
    k.betaP = hostScalar(betaParam, g.f64);
    k.epsilon = epsilon;
    bnSubmit(handle, k, f);
    return STATUS_SUCCESS;
}

int badDims(const char* fn, int nbDims, const int* dims) {
    if (dims == nullptr) return fail(STATUS_BAD_PARAM, std::string(fn) + ": dimA is null");
    for (int i = 0; i < nbDims; i++)
        if (dims[i] <= 0) return fail(STATUS_BAD_PARAM, std::string(fn) + ": dims " + dimsText(dims, nbDims) + " must be positive");
    return STATUS_SUCCESS;
}

}  // namespace

// ---- handle (libcudnn_graph) ---------------------------------------------------------------------------------------

API size_t cudnnGetVersion() { return VERSION; }
API size_t cudnnGetCudartVersion() { return CUDART_VERSION; }

API int cudnnGetProperty(int type, int* value) {
    if (value == nullptr) return fail(STATUS_BAD_PARAM, "cudnnGetProperty: value is null");
    switch (type) {  // MAJOR_VERSION, MINOR_VERSION, PATCH_LEVEL
        case 0: *value = static_cast<int>(VERSION / 10000); return STATUS_SUCCESS;
        case 1: *value = static_cast<int>(VERSION / 100 % 100); return STATUS_SUCCESS;
        case 2: *value = static_cast<int>(VERSION % 100); return STATUS_SUCCESS;
        default: return fail(STATUS_BAD_PARAM, "cudnnGetProperty: unknown property " + std::to_string(type));
    }
}

API const char* cudnnGetErrorString(int status) {
    switch (status) {
        case 0: return "CUDNN_STATUS_SUCCESS";
        case 1001: return "CUDNN_STATUS_NOT_INITIALIZED";
        case 1002: return "CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH";
        case 1003: return "CUDNN_STATUS_SERIALIZATION_VERSION_MISMATCH";
        case 1004: return "CUDNN_STATUS_DEPRECATED";
        case 1005: return "CUDNN_STATUS_LICENSE_ERROR";
        case 1006: return "CUDNN_STATUS_RUNTIME_IN_PROGRESS";
        case 1007: return "CUDNN_STATUS_RUNTIME_FP_OVERFLOW";
        case 1008: return "CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED";
        case 2000: return "CUDNN_STATUS_BAD_PARAM";
        case 2001: return "CUDNN_STATUS_INVALID_VALUE";
        case 2002: return "CUDNN_STATUS_BAD_PARAM_NULL_POINTER";
        case 2003: return "CUDNN_STATUS_BAD_PARAM_MISALIGNED_POINTER";
        case 2004: return "CUDNN_STATUS_BAD_PARAM_NOT_FINALIZED";
        case 2005: return "CUDNN_STATUS_BAD_PARAM_OUT_OF_BOUND";
        case 2006: return "CUDNN_STATUS_BAD_PARAM_SIZE_INSUFFICIENT";
        case 2007: return "CUDNN_STATUS_BAD_PARAM_STREAM_MISMATCH";
        case 2008: return "CUDNN_STATUS_BAD_PARAM_SHAPE_MISMATCH";
        case 2009: return "CUDNN_STATUS_BAD_PARAM_DUPLICATED_ENTRIES";
        case 2010: return "CUDNN_STATUS_BAD_PARAM_ATTRIBUTE_TYPE";
        case 2011: return "CUDNN_STATUS_BAD_PARAM_CUDA_GRAPH_MISMATCH";
        case 2012: return "CUDNN_STATUS_BAD_PARAM_DESCRIPTOR_TYPE";
        case 3000: return "CUDNN_STATUS_NOT_SUPPORTED";
        case 3001: return "CUDNN_STATUS_NOT_SUPPORTED_GRAPH_PATTERN";
        case 3002: return "CUDNN_STATUS_NOT_SUPPORTED_SHAPE";
        case 3003: return "CUDNN_STATUS_NOT_SUPPORTED_DATA_TYPE";
        case 3004: return "CUDNN_STATUS_NOT_SUPPORTED_LAYOUT";
        case 3005: return "CUDNN_STATUS_NOT_SUPPORTED_INCOMPATIBLE_CUDA_DRIVER";
        case 3006: return "CUDNN_STATUS_NOT_SUPPORTED_INCOMPATIBLE_CUDART";
        case 3007: return "CUDNN_STATUS_NOT_SUPPORTED_ARCH_MISMATCH";
        case 3008: return "CUDNN_STATUS_NOT_SUPPORTED_RUNTIME_PREREQUISITE_MISSING";
        case 3009: return "CUDNN_STATUS_NOT_SUPPORTED_SUBLIBRARY_UNAVAILABLE";
        case 3010: return "CUDNN_STATUS_NOT_SUPPORTED_SHARED_MEMORY_INSUFFICIENT";
        case 3011: return "CUDNN_STATUS_NOT_SUPPORTED_PADDING";
        case 3012: return "CUDNN_STATUS_NOT_SUPPORTED_BAD_LAUNCH_PARAM";
        case 3013: return "CUDNN_STATUS_NOT_SUPPORTED_CUDA_GRAPH_NATIVE_API";
        case 3014: return "CUDNN_STATUS_NOT_SUPPORTED_INVALID_DYNAMIC_SHAPE";
        case 4000: return "CUDNN_STATUS_INTERNAL_ERROR";
        case 4001: return "CUDNN_STATUS_INTERNAL_ERROR_COMPILATION_FAILED";
        case 4002: return "CUDNN_STATUS_INTERNAL_ERROR_UNEXPECTED_VALUE";
        case 4003: return "CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED";
        case 4004: return "CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED";
        case 4005: return "CUDNN_STATUS_INTERNAL_ERROR_BAD_LAUNCH_PARAM";
        case 4006: return "CUDNN_STATUS_INTERNAL_ERROR_TEXTURE_CREATION_FAILED";
        case 5000: return "CUDNN_STATUS_EXECUTION_FAILED";
        case 5001: return "CUDNN_STATUS_EXECUTION_FAILED_CUDA_DRIVER";
        case 5002: return "CUDNN_STATUS_EXECUTION_FAILED_CUBLAS";
        case 5003: return "CUDNN_STATUS_EXECUTION_FAILED_CUDART";
        case 5004: return "CUDNN_STATUS_EXECUTION_FAILED_CURAND";
        default: return "CUDNN_STATUS_UNKNOWN";
    }
}

API int cudnnCreate(void** handle) { return createObject<Handle>(handle, "cudnnCreate", "handle"); }

API int cudnnDestroy(void* handle) {
    return destroyObject<Handle>(handle, HANDLE_MAGIC, "cudnnDestroy", "handle is not a live cuDNN handle");
}

API int cudnnSetStream(void* handle, void* stream) {
    auto* h = as<Handle>(handle, HANDLE_MAGIC);
    if (h == nullptr) return fail(STATUS_BAD_PARAM, "cudnnSetStream: handle is not a live cuDNN handle");
    h->stream = stream;
    return STATUS_SUCCESS;
}

API int cudnnGetStream(void* handle, void** stream) {
    auto* h = as<Handle>(handle, HANDLE_MAGIC);
    if (h == nullptr) return fail(STATUS_BAD_PARAM, "cudnnGetStream: handle is not a live cuDNN handle");
    if (stream == nullptr) return fail(STATUS_BAD_PARAM, "cudnnGetStream: stream is null");
    *stream = h->stream;
    return STATUS_SUCCESS;
}

// ---- tensor and filter descriptors (libcudnn_ops) ------------------------------------------------------------------

API int cudnnCreateTensorDescriptor(void** desc) { return createObject<TensorDesc>(desc, "cudnnCreateTensorDescriptor", "tensorDesc"); }

API int cudnnDestroyTensorDescriptor(void* desc) {
    if (desc == nullptr) return STATUS_SUCCESS;
    return destroyObject<TensorDesc>(desc, TENSOR_MAGIC, "cudnnDestroyTensorDescriptor", "not a tensor descriptor");
}

API int cudnnSetTensorNdDescriptor(void* desc, int dataType, int nbDims, const int* dimA, const int* strideA) {
    const char* fn = "cudnnSetTensorNdDescriptor";
    auto* d = as<TensorDesc>(desc, TENSOR_MAGIC);
    if (d == nullptr) return fail(STATUS_BAD_PARAM, std::string(fn) + ": not a tensor descriptor");
    if (dataType < 0 || dataType > DATA_LAST) return fail(STATUS_BAD_PARAM, std::string(fn) + ": data type " + std::to_string(dataType));
    if (nbDims < 3 || nbDims > DIM_MAX)
        return fail(STATUS_NOT_SUPPORTED, std::string(fn) + ": nbDims " + std::to_string(nbDims) + " (3 to 8)");
    int s = badDims(fn, nbDims, dimA);
    if (s != STATUS_SUCCESS) return s;
    if (strideA == nullptr) return fail(STATUS_BAD_PARAM, std::string(fn) + ": strideA is null");
    for (int i = 0; i < nbDims; i++)
        if (strideA[i] <= 0)
            return fail(STATUS_BAD_PARAM, std::string(fn) + ": strides " + dimsText(strideA, nbDims) + " must be positive");
    long long total = 1;
    for (int i = 0; i < nbDims; i++) total *= dimA[i];
    if (total > (1LL << 31) - 1)
        return fail(STATUS_NOT_SUPPORTED, std::string(fn) + ": " + dimsText(dimA, nbDims) + " has more than 2^31-1 elements");
    d->dataType = dataType;
    d->nbDims = nbDims;
    for (int i = 0; i < nbDims; i++) {
        d->dims[i] = dimA[i];
        d->strides[i] = strideA[i];
    }
    d->set = true;
    return STATUS_SUCCESS;
}

API int cudnnSetTensorNdDescriptorEx(void* desc, int format, int dataType, int nbDims, const int* dimA) {
    const char* fn = "cudnnSetTensorNdDescriptorEx";
    if (format != TENSOR_NCHW && format != TENSOR_NHWC)
        return fail(format == TENSOR_NCHW_VECT_C ? STATUS_NOT_SUPPORTED : STATUS_BAD_PARAM,
                    std::string(fn) + ": format " + std::to_string(format) + " (the emulator does NCHW and NHWC)");
    if (nbDims < 3 || nbDims > DIM_MAX)
        return fail(STATUS_NOT_SUPPORTED, std::string(fn) + ": nbDims " + std::to_string(nbDims) + " (3 to 8)");
    int s = badDims(fn, nbDims, dimA);
    if (s != STATUS_SUCCESS) return s;
    int strides[DIM_MAX];
    long long acc = 1;
    if (format == TENSOR_NCHW) {
        for (int i = nbDims - 1; i >= 0; i--) {
            strides[i] = static_cast<int>(acc);
            acc *= dimA[i];
        }
    } else {  // channels innermost, then the spatial dims, then the batch
        strides[1] = 1;
        acc = dimA[1];
        for (int i = nbDims - 1; i >= 2; i--) {
            strides[i] = static_cast<int>(acc);
            acc *= dimA[i];
        }
        strides[0] = static_cast<int>(acc);
    }
    return cudnnSetTensorNdDescriptor(desc, dataType, nbDims, dimA, strides);
}

API int cudnnGetTensorNdDescriptor(void* desc, int nbDimsRequested, int* dataType, int* nbDims, int* dimA, int* strideA) {
    auto* d = as<TensorDesc>(desc, TENSOR_MAGIC);
    if (d == nullptr || !d->set) return fail(STATUS_BAD_PARAM, "cudnnGetTensorNdDescriptor: not a set tensor descriptor");
    if (dataType) *dataType = d->dataType;
    if (nbDims) *nbDims = d->nbDims;
    for (int i = 0; i < std::min(nbDimsRequested, d->nbDims); i++) {
        if (dimA) dimA[i] = d->dims[i];
        if (strideA) strideA[i] = d->strides[i];
    }
    return STATUS_SUCCESS;
}

API int cudnnCreateFilterDescriptor(void** desc) { return createObject<FilterDesc>(desc, "cudnnCreateFilterDescriptor", "filterDesc"); }

API int cudnnDestroyFilterDescriptor(void* desc) {
    if (desc == nullptr) return STATUS_SUCCESS;
    return destroyObject<FilterDesc>(desc, FILTER_MAGIC, "cudnnDestroyFilterDescriptor", "not a filter descriptor");
}

API int cudnnSetFilterNdDescriptor(void* desc, int dataType, int format, int nbDims, const int* filterDimA) {
    const char* fn = "cudnnSetFilterNdDescriptor";
    auto* d = as<FilterDesc>(desc, FILTER_MAGIC);
    if (d == nullptr) return fail(STATUS_BAD_PARAM, std::string(fn) + ": not a filter descriptor");
    if (dataType < 0 || dataType > DATA_LAST) return fail(STATUS_BAD_PARAM, std::string(fn) + ": data type " + std::to_string(dataType));
    if (format < TENSOR_NCHW || format > TENSOR_NCHW_VECT_C) return fail(STATUS_BAD_PARAM, std::string(fn) + ": format " + std::to_string(format));
    if (nbDims < 3 || nbDims > DIM_MAX)
        return fail(STATUS_NOT_SUPPORTED, std::string(fn) + ": nbDims " + std::to_string(nbDims) + " (3 to 8)");
    int s = badDims(fn, nbDims, filterDimA);
    if (s != STATUS_SUCCESS) return s;
    d->dataType = dataType;
    d->format = format;
    d->nbDims = nbDims;
    for (int i = 0; i < nbDims; i++) d->dims[i] = filterDimA[i];
    d->set = true;
    return STATUS_SUCCESS;
}

API int cudnnGetFilterNdDescriptor(void* desc, int nbDimsRequested, int* dataType, int* format, int* nbDims, int* filterDimA) {
    auto* d = as<FilterDesc>(desc, FILTER_MAGIC);
    if (d == nullptr || !d->set) return fail(STATUS_BAD_PARAM, "cudnnGetFilterNdDescriptor: not a set filter descriptor");
    if (dataType) *dataType = d->dataType;
    if (format) *format = d->format;
    if (nbDims) *nbDims = d->nbDims;
    for (int i = 0; i < std::min(nbDimsRequested, d->nbDims); i++)
        if (filterDimA) filterDimA[i] = d->dims[i];
    return STATUS_SUCCESS;
}

// ---- convolution (libcudnn_cnn) ------------------------------------------------------------------------------------

API int cudnnCreateConvolutionDescriptor(void** desc) { return createObject<ConvDesc>(desc, "cudnnCreateConvolutionDescriptor", "convDesc"); }

API int cudnnDestroyConvolutionDescriptor(void* desc) {
    if (desc == nullptr) return STATUS_SUCCESS;
    return destroyObject<ConvDesc>(desc, CONV_MAGIC, "cudnnDestroyConvolutionDescriptor", "not a convolution descriptor");
}

API int cudnnSetConvolutionNdDescriptor(void* desc, int arrayLength, const int* padA, const int* strideA,
                                        const int* dilationA, int mode, int computeType) {
    std::string fn = "cudnnSetConvolutionNdDescriptor";
    auto* d = as<ConvDesc>(desc, CONV_MAGIC);
    if (d == nullptr) return fail(STATUS_BAD_PARAM, fn + ": not a convolution descriptor");
    if (arrayLength < 1 || arrayLength > DIM_MAX - 2)
        return fail(STATUS_BAD_PARAM, fn + ": arrayLength " + std::to_string(arrayLength));
    if (padA == nullptr || strideA == nullptr || dilationA == nullptr) return fail(STATUS_BAD_PARAM, fn + ": null array");
    for (int i = 0; i < arrayLength; i++) {
        if (padA[i] < 0 || strideA[i] <= 0 || dilationA[i] <= 0)
            return fail(STATUS_BAD_PARAM, fn + ": pad " + dimsText(padA, arrayLength) + " stride " + dimsText(strideA, arrayLength) +
                                              " dilation " + dimsText(dilationA, arrayLength) +
                                              " (pads must be >= 0, strides and dilations > 0)");
    }
    if (mode != MODE_CONVOLUTION && mode != MODE_CROSS_CORRELATION) return fail(STATUS_BAD_PARAM, fn + ": mode " + std::to_string(mode));
    if (computeType < 0 || computeType > DATA_LAST) return fail(STATUS_BAD_PARAM, fn + ": compute type " + std::to_string(computeType));
    d->nbSpatial = arrayLength;
    for (int i = 0; i < arrayLength; i++) {
        d->pad[i] = padA[i];
        d->stride[i] = strideA[i];
        d->dilation[i] = dilationA[i];
    }
    d->mode = mode;
    d->computeType = computeType;
    d->set = true;
    return STATUS_SUCCESS;
}

API int cudnnGetConvolutionNdDescriptor(void* desc, int arrayLengthRequested, int* arrayLength, int* padA, int* strideA,
                                        int* dilationA, int* mode, int* computeType) {
    auto* d = as<ConvDesc>(desc, CONV_MAGIC);
    if (d == nullptr || !d->set) return fail(STATUS_BAD_PARAM, "cudnnGetConvolutionNdDescriptor: not a set convolution descriptor");
    if (arrayLength) *arrayLength = d->nbSpatial;
    for (int i = 0; i < std::min(arrayLengthRequested, d->nbSpatial); i++) {
        if (padA) padA[i] = d->pad[i];
        if (strideA) strideA[i] = d->stride[i];
        if (dilationA) dilationA[i] = d->dilation[i];
    }
    if (mode) *mode = d->mode;
    if (computeType) *computeType = d->computeType;
    return STATUS_SUCCESS;
}

API int cudnnSetConvolutionGroupCount(void* desc, int groupCount) {
    auto* d = as<ConvDesc>(desc, CONV_MAGIC);
    if (d == nullptr) return fail(STATUS_BAD_PARAM, "cudnnSetConvolutionGroupCount: not a convolution descriptor");
    if (groupCount < 1) return fail(STATUS_BAD_PARAM, "cudnnSetConvolutionGroupCount: groupCount " + std::to_string(groupCount));
    d->groups = groupCount;
    return STATUS_SUCCESS;
}

API int cudnnGetConvolutionGroupCount(void* desc, int* groupCount) {
    auto* d = as<ConvDesc>(desc, CONV_MAGIC);
    if (d == nullptr || groupCount == nullptr) return fail(STATUS_BAD_PARAM, "cudnnGetConvolutionGroupCount: bad argument");
    *groupCount = d->groups;
    return STATUS_SUCCESS;
}

API int cudnnSetConvolutionMathType(void* desc, int mathType) {
    auto* d = as<ConvDesc>(desc, CONV_MAGIC);
    if (d == nullptr) return fail(STATUS_BAD_PARAM, "cudnnSetConvolutionMathType: not a convolution descriptor");
    if (mathType < DEFAULT_MATH || mathType > FMA_MATH)
        return fail(STATUS_BAD_PARAM, "cudnnSetConvolutionMathType: math type " + std::to_string(mathType));
    d->mathType = mathType;
    return STATUS_SUCCESS;
}

API int cudnnGetConvolutionMathType(void* desc, int* mathType) {
    auto* d = as<ConvDesc>(desc, CONV_MAGIC);
    if (d == nullptr || mathType == nullptr) return fail(STATUS_BAD_PARAM, "cudnnGetConvolutionMathType: bad argument");
    *mathType = d->mathType;
    return STATUS_SUCCESS;
}

API int cudnnGetConvolutionNdForwardOutputDim(void* convDesc, void* xDesc, void* wDesc, int nbDims, int* outDims) {
    std::string fn = "cudnnGetConvolutionNdForwardOutputDim";
    auto* c = as<ConvDesc>(convDesc, CONV_MAGIC);
    auto* x = as<TensorDesc>(xDesc, TENSOR_MAGIC);
    auto* w = as<FilterDesc>(wDesc, FILTER_MAGIC);
    if (c == nullptr || x == nullptr || w == nullptr || !c->set || !x->set || !w->set || outDims == nullptr)
        return fail(STATUS_BAD_PARAM, fn + ": a descriptor is null, of the wrong kind or not set");
    const int nd = c->nbSpatial + 2;
    if (nbDims != nd || x->nbDims != nd || w->nbDims != nd)
        return fail(STATUS_BAD_PARAM, fn + ": nbDims " + std::to_string(nbDims) + ", x " + std::to_string(x->nbDims) + ", w " +
                                          std::to_string(w->nbDims) + " do not match " + std::to_string(c->nbSpatial) + " spatial dims");
    if (x->dims[1] != w->dims[1] * c->groups)
        return fail(STATUS_BAD_PARAM, fn + ": x channels " + std::to_string(x->dims[1]) + " != filter channels " +
                                          std::to_string(w->dims[1]) + " * groups " + std::to_string(c->groups));
    outDims[0] = x->dims[0];
    outDims[1] = w->dims[0];
    for (int i = 0; i < c->nbSpatial; i++) {
        long long span = (long long)x->dims[2 + i] + 2LL * c->pad[i] - (long long)c->dilation[i] * (w->dims[2 + i] - 1) - 1;
        if (span < 0) return fail(STATUS_BAD_PARAM, fn + ": the dilated filter is larger than the padded input");
        outDims[2 + i] = static_cast<int>(span / c->stride[i] + 1);
    }
    return STATUS_SUCCESS;
}

API int cudnnGetConvolutionForwardAlgorithmMaxCount(void* handle, int* count) {
    if (as<Handle>(handle, HANDLE_MAGIC) == nullptr || count == nullptr)
        return fail(STATUS_BAD_PARAM, "cudnnGetConvolutionForwardAlgorithmMaxCount: bad argument");
    *count = FWD_ALGO_COUNT;
    return STATUS_SUCCESS;
}

API int cudnnGetConvolutionBackwardDataAlgorithmMaxCount(void* handle, int* count) {
    if (as<Handle>(handle, HANDLE_MAGIC) == nullptr || count == nullptr)
        return fail(STATUS_BAD_PARAM, "cudnnGetConvolutionBackwardDataAlgorithmMaxCount: bad argument");
    *count = BWD_DATA_ALGO_COUNT;
    return STATUS_SUCCESS;
}

API int cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(void* handle, int* count) {
    if (as<Handle>(handle, HANDLE_MAGIC) == nullptr || count == nullptr)
        return fail(STATUS_BAD_PARAM, "cudnnGetConvolutionBackwardFilterAlgorithmMaxCount: bad argument");
    *count = BWD_FILTER_ALGO_COUNT;
    return STATUS_SUCCESS;
}

API int cudnnGetConvolutionForwardAlgorithm_v7(void* handle, void* xDesc, void* wDesc, void* convDesc, void* yDesc,
                                               int requestedAlgoCount, int* returnedAlgoCount, void* perfResults) {
    return findAlgos("cudnnGetConvolutionForwardAlgorithm_v7", Dir::Fwd, handle, xDesc, wDesc, convDesc, yDesc,
                     requestedAlgoCount, returnedAlgoCount, static_cast<AlgoPerf*>(perfResults));
}

API int cudnnGetConvolutionBackwardDataAlgorithm_v7(void* handle, void* wDesc, void* dyDesc, void* convDesc, void* dxDesc,
                                                    int requestedAlgoCount, int* returnedAlgoCount, void* perfResults) {
    return findAlgos("cudnnGetConvolutionBackwardDataAlgorithm_v7", Dir::BwdData, handle, dxDesc, wDesc, convDesc, dyDesc,
                     requestedAlgoCount, returnedAlgoCount, static_cast<AlgoPerf*>(perfResults));
}

API int cudnnGetConvolutionBackwardFilterAlgorithm_v7(void* handle, void* xDesc, void* dyDesc, void* convDesc, void* dwDesc,
                                                      int requestedAlgoCount, int* returnedAlgoCount, void* perfResults) {
    return findAlgos("cudnnGetConvolutionBackwardFilterAlgorithm_v7", Dir::BwdFilter, handle, xDesc, dwDesc, convDesc, dyDesc,
                     requestedAlgoCount, returnedAlgoCount, static_cast<AlgoPerf*>(perfResults));
}

API int cudnnFindConvolutionForwardAlgorithmEx(void* handle, void* xDesc, const void* x, void* wDesc, const void* w, void* convDesc,
                                               void* yDesc, void* y, int requestedAlgoCount, int* returnedAlgoCount,
                                               void* perfResults, void* workSpace, size_t workSpaceSizeInBytes) {
    return findEx("cudnnFindConvolutionForwardAlgorithmEx", Dir::Fwd, handle, xDesc, wDesc, convDesc, yDesc, x, w, y,
                  requestedAlgoCount, returnedAlgoCount, static_cast<AlgoPerf*>(perfResults), workSpace, workSpaceSizeInBytes);
}

API int cudnnFindConvolutionBackwardDataAlgorithmEx(void* handle, void* wDesc, const void* w, void* dyDesc, const void* dy,
                                                    void* convDesc, void* dxDesc, void* dx, int requestedAlgoCount,
                                                    int* returnedAlgoCount, void* perfResults, void* workSpace,
                                                    size_t workSpaceSizeInBytes) {
    return findEx("cudnnFindConvolutionBackwardDataAlgorithmEx", Dir::BwdData, handle, dxDesc, wDesc, convDesc, dyDesc, w, dy, dx,
                  requestedAlgoCount, returnedAlgoCount, static_cast<AlgoPerf*>(perfResults), workSpace, workSpaceSizeInBytes);
}

API int cudnnFindConvolutionBackwardFilterAlgorithmEx(void* handle, void* xDesc, const void* x, void* dyDesc, const void* dy,
                                                      void* convDesc, void* dwDesc, void* dw, int requestedAlgoCount,
                                                      int* returnedAlgoCount, void* perfResults, void* workSpace,
                                                      size_t workSpaceSizeInBytes) {
    return findEx("cudnnFindConvolutionBackwardFilterAlgorithmEx", Dir::BwdFilter, handle, xDesc, dwDesc, convDesc, dyDesc, x, dy, dw,
                  requestedAlgoCount, returnedAlgoCount, static_cast<AlgoPerf*>(perfResults), workSpace, workSpaceSizeInBytes);
}

API int cudnnGetConvolutionForwardWorkspaceSize(void* handle, void* xDesc, void* wDesc, void* convDesc, void* yDesc,
                                                int algo, size_t* sizeInBytes) {
    return workspaceSize("cudnnGetConvolutionForwardWorkspaceSize", Dir::Fwd, handle, xDesc, wDesc, convDesc, yDesc, algo,
                         sizeInBytes);
}

API int cudnnGetConvolutionBackwardDataWorkspaceSize(void* handle, void* wDesc, void* dyDesc, void* convDesc, void* dxDesc,
                                                     int algo, size_t* sizeInBytes) {
    return workspaceSize("cudnnGetConvolutionBackwardDataWorkspaceSize", Dir::BwdData, handle, dxDesc, wDesc, convDesc,
                         dyDesc, algo, sizeInBytes);
}

API int cudnnGetConvolutionBackwardFilterWorkspaceSize(void* handle, void* xDesc, void* dyDesc, void* convDesc,
                                                       void* gradDesc, int algo, size_t* sizeInBytes) {
    return workspaceSize("cudnnGetConvolutionBackwardFilterWorkspaceSize", Dir::BwdFilter, handle, xDesc, gradDesc,
                         convDesc, dyDesc, algo, sizeInBytes);
}

API int cudnnConvolutionForward(void* handle, const void* alpha, void* xDesc, const void* x, void* wDesc, const void* w,
                                void* convDesc, int algo, void* workSpace, size_t workSpaceSizeInBytes, const void* beta,
                                void* yDesc, void* y) {
    return convolve("cudnnConvolutionForward", Dir::Fwd, handle, alpha, xDesc, wDesc, convDesc, yDesc, x, w, y, algo,
                    workSpace, workSpaceSizeInBytes, beta);
}

API int cudnnConvolutionBackwardData(void* handle, const void* alpha, void* wDesc, const void* w, void* dyDesc,
                                     const void* dy, void* convDesc, int algo, void* workSpace,
                                     size_t workSpaceSizeInBytes, const void* beta, void* dxDesc, void* dx) {
    return convolve("cudnnConvolutionBackwardData", Dir::BwdData, handle, alpha, dxDesc, wDesc, convDesc, dyDesc, w, dy,
                    dx, algo, workSpace, workSpaceSizeInBytes, beta);
}

API int cudnnConvolutionBackwardFilter(void* handle, const void* alpha, void* xDesc, const void* x, void* dyDesc,
                                       const void* dy, void* convDesc, int algo, void* workSpace,
                                       size_t workSpaceSizeInBytes, const void* beta, void* dwDesc, void* dw) {
    return convolve("cudnnConvolutionBackwardFilter", Dir::BwdFilter, handle, alpha, xDesc, dwDesc, convDesc, dyDesc, x,
                    dy, dw, algo, workSpace, workSpaceSizeInBytes, beta);
}

// ---- batch normalisation (libcudnn_ops) ----------------------------------------------------------------------------

API int cudnnDeriveBNTensorDescriptor(void* derivedBnDesc, void* xDesc, int mode) {
    const std::string f = "cudnnDeriveBNTensorDescriptor";
    auto* d = as<TensorDesc>(derivedBnDesc, TENSOR_MAGIC);
    auto* x = as<TensorDesc>(xDesc, TENSOR_MAGIC);
    if (d == nullptr) return fail(STATUS_BAD_PARAM, f + ": derivedBnDesc is null or not a tensor descriptor");
    if (x == nullptr || !x->set) return fail(STATUS_BAD_PARAM, f + ": xDesc is null, not a tensor descriptor or never set");
    if (mode != BN_PER_ACTIVATION && mode != BN_SPATIAL && mode != BN_SPATIAL_PERSISTENT)
        return fail(STATUS_BAD_PARAM, f + ": mode " + std::to_string(mode));
    const int nd = x->nbDims;
    if (nd != 4 && nd != 5)
        return fail(STATUS_BAD_PARAM, f + ": xDesc " + dimsText(x->dims, nd) + " has " + std::to_string(nd) + " dims (4 or 5)");
    // as cuDNN: half, bfloat16 and float data take float parameters, double data double ones
    int type;
    switch (x->dataType) {
        case DATA_FLOAT:
        case DATA_HALF:
        case DATA_BFLOAT16: type = DATA_FLOAT; break;
        case DATA_DOUBLE: type = DATA_DOUBLE; break;
        default: return fail(STATUS_NOT_SUPPORTED, f + ": data type " + std::to_string(x->dataType));
    }
    // spatial: one value per channel, [1, C, 1, 1(, 1)]; per activation: one per (c, spatial position), [1, C, ...]
    int dims[DIM_MAX], strides[DIM_MAX];
    for (int i = 0; i < nd; i++) dims[i] = i == 0 ? 1 : i == 1 || mode == BN_PER_ACTIVATION ? x->dims[i] : 1;
    long long acc = 1;
    for (int i = nd - 1; i >= 0; i--) {
        strides[i] = static_cast<int>(acc);
        acc *= dims[i];
    }
    return cudnnSetTensorNdDescriptor(derivedBnDesc, type, nd, dims, strides);
}

API int cudnnBatchNormalizationForwardTraining(void* handle, int mode, const void* alpha, const void* beta, void* xDesc,
                                               const void* x, void* yDesc, void* y, void* bnScaleBiasMeanVarDesc,
                                               const void* bnScale, const void* bnBias, double exponentialAverageFactor,
                                               void* resultRunningMean, void* resultRunningVariance, double epsilon,
                                               void* resultSaveMean, void* resultSaveInvVariance) {
    return bnForwardTraining(handle, mode, alpha, beta, xDesc, x, yDesc, y, bnScaleBiasMeanVarDesc, bnScale, bnBias,
                             exponentialAverageFactor, resultRunningMean, resultRunningVariance, epsilon, resultSaveMean,
                             resultSaveInvVariance);
}

API int cudnnBatchNormalizationForwardInference(void* handle, int mode, const void* alpha, const void* beta, void* xDesc,
                                                const void* x, void* yDesc, void* y, void* bnScaleBiasMeanVarDesc,
                                                const void* bnScale, const void* bnBias, const void* estimatedMean,
                                                const void* estimatedVariance, double epsilon) {
    return bnForwardInference(handle, mode, alpha, beta, xDesc, x, yDesc, y, bnScaleBiasMeanVarDesc, bnScale, bnBias,
                              estimatedMean, estimatedVariance, epsilon);
}

API int cudnnBatchNormalizationBackward(void* handle, int mode, const void* alphaDataDiff, const void* betaDataDiff,
                                        const void* alphaParamDiff, const void* betaParamDiff, void* xDesc, const void* x,
                                        void* dyDesc, const void* dy, void* dxDesc, void* dx, void* dBnScaleBiasDesc,
                                        const void* bnScale, void* dBnScaleResult, void* dBnBiasResult, double epsilon,
                                        const void* savedMean, const void* savedInvVariance) {
    return bnBackward(handle, mode, alphaDataDiff, betaDataDiff, alphaParamDiff, betaParamDiff, xDesc, x, dyDesc, dy,
                      dxDesc, dx, dBnScaleBiasDesc, bnScale, dBnScaleResult, dBnBiasResult, epsilon, savedMean,
                      savedInvVariance);
}
