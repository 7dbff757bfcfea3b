// The emulator's cuBLAS (libcublas.so.13, version node libcublas.so.13): the entry points the Java backend
// calls through JavaCPP (kernels/.../Blas.java, BlasHandle.java), with the real C API's ABI, computed on the CPU.
// "Device" pointers are host memory handed out by the emulator's cudaMalloc, so kernels dereference them directly.
// Work is queued with emu::submit on the handle's stream, so it is stream ordered and can be captured into a graph;
// each queued lambda holds copies of everything it needs. Build lines: libs.txt here.
//
// cublasGemmStridedBatchedEx follows cuBLAS's column-major definition, C_i = alpha op(A_i) op(B_i) + beta C_i with
// X_i at X + i * strideX (stride 0: one matrix for all), beta == 0 not reading C. Compute types: 32F (and
// 32F_PEDANTIC) multiply and accumulate in float; 32F_FAST_TF32 first rounds the inputs to TF32 (10 mantissa bits,
// round to nearest even), as does 32F under the TF32 math mode, unless NVIDIA_TF32_OVERRIDE=0; 32F_FAST_16BF
// rounds them to bfloat16; 64F (and 64F_PEDANTIC) computes in double. Other compute types cuBLAS has are
// NOT_SUPPORTED here, as are data types other than all-float (32F*), all-double (64F*) or all-bfloat16 (under
// 32F and 32F_PEDANTIC: products of bfloat16 values accumulated in float, C rounded to nearest even).
//
// Exported: cublasCreate_v2, cublasDestroy_v2, cublasSetStream_v2, cublasGetStream_v2, cublasSetWorkspace_v2,
// cublasSetMathMode, cublasGetMathMode, cublasGetVersion_v2, cublasGetVersion, cublasGetProperty,
// cublasGetStatusName, cublasGetStatusString, cublasGemmStridedBatchedEx, cublasGemmStridedBatchedEx_64.

#include "emu.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <vector>

#define API extern "C" __attribute__((visibility("default")))

namespace {

// numeric values as in cublas_api.h / library_types.h (org.bytedeco.cuda.global.cublas / cudart constants)
enum : int {
    STATUS_SUCCESS = 0,
    STATUS_NOT_INITIALIZED = 1,
    STATUS_ALLOC_FAILED = 3,
    STATUS_INVALID_VALUE = 7,
    STATUS_ARCH_MISMATCH = 8,
    STATUS_MAPPING_ERROR = 11,
    STATUS_EXECUTION_FAILED = 13,
    STATUS_INTERNAL_ERROR = 14,
    STATUS_NOT_SUPPORTED = 15,
    STATUS_LICENSE_ERROR = 16,
};
enum : int { OP_N = 0, OP_T = 1, OP_C = 2 };
enum : int { R_32F = 0, R_64F = 1, R_16F = 2, R_8I = 3, C_32F = 4, C_64F = 5, R_16BF = 14 };
enum : int {
    COMPUTE_16F = 64,
    COMPUTE_16F_PEDANTIC = 65,
    COMPUTE_32F = 68,
    COMPUTE_32F_PEDANTIC = 69,
    COMPUTE_64F = 70,
    COMPUTE_64F_PEDANTIC = 71,
    COMPUTE_32I = 72,
    COMPUTE_32I_PEDANTIC = 73,
    COMPUTE_32F_FAST_16F = 74,
    COMPUTE_32F_FAST_16BF = 75,
    COMPUTE_32F_FAST_TF32 = 77,
    COMPUTE_32F_EMULATED_16BFX9 = 78,
    COMPUTE_64F_EMULATED_FIXEDPOINT = 79,
};
enum : int { DEFAULT_MATH = 0, TENSOR_OP_MATH = 1, PEDANTIC_MATH = 2, TF32_TENSOR_OP_MATH = 3 };
enum : int { GEMM_DEFAULT = -1, GEMM_ALGO23 = 23, GEMM_DEFAULT_TENSOR_OP = 99, GEMM_ALGO15_TENSOR_OP = 115 };

constexpr int VERSION = 130201;  // CUBLAS_VERSION of the headers the presets were built from (13.2.1)
constexpr uint32_t HANDLE_MAGIC = 0x424c4153;  // "BLAS"

struct Handle {
    uint32_t magic = HANDLE_MAGIC;
    void* stream = nullptr;
    void* workspace = nullptr;
    size_t workspaceBytes = 0;
    int mathMode = DEFAULT_MATH;
};

void report(const std::string& m) { emu::report("cuBLAS", m.c_str()); }

int fail(int status, const std::string& m) {
    report(m);
    return status;
}

Handle* handleOf(void* h) {
    auto* p = static_cast<Handle*>(h);
    return p != nullptr && p->magic == HANDLE_MAGIC ? p : nullptr;
}

// ---- input rounding of the reduced-precision compute types ------------------------------------------------------

enum class Round { None, TF32, BF16 };

// round-to-nearest-even to `keep` mantissa bits (of 23); NaN stays NaN, infinities stay, overflow goes to infinity
inline float roundMantissa(float v, int keep) {
    uint32_t b;
    std::memcpy(&b, &v, 4);
    if ((b & 0x7f800000u) == 0x7f800000u) {
        if (b & 0x007fffffu) b |= 0x00400000u;  // NaN: keep it a (quiet) NaN after truncation
    } else {
        int drop = 23 - keep;
        uint32_t lsb = (b >> drop) & 1u;
        b += ((1u << (drop - 1)) - 1u) + lsb;
    }
    b &= ~((1u << (23 - keep)) - 1u);
    std::memcpy(&v, &b, 4);
    return v;
}

inline float roundInput(float v, Round r) {
    switch (r) {
        case Round::TF32: return roundMantissa(v, 10);
        case Round::BF16: return roundMantissa(v, 7);
        default: return v;
    }
}
inline double roundInput(double v, Round) { return v; }

// bfloat16 storage (CUDA_R_16BF): read exactly as float, written rounded to nearest even
struct BF16 {
    uint16_t bits;
};
inline float load(float v) { return v; }
inline double load(double v) { return v; }
inline float load(BF16 v) {
    uint32_t b = static_cast<uint32_t>(v.bits) << 16;
    float f;
    std::memcpy(&f, &b, 4);
    return f;
}
template <class S, class T> S stored(T v) { return static_cast<S>(v); }
template <> BF16 stored<BF16, float>(float v) {
    float r = roundMantissa(v, 7);
    uint32_t b;
    std::memcpy(&b, &r, 4);
    return BF16{static_cast<uint16_t>(b >> 16)};
}

// ---- the kernel ----------------------------------------------------------------------------------------------------

struct Gemm {
    int opA, opB;
    int64_t m, n, k;
    double alpha, beta;  // exact copies of the float or double scalars
    const char* A;
    const char* B;
    char* C;
    int64_t lda, ldb, ldc;
    int64_t strideA, strideB, strideC;  // in elements
    int64_t batch;
    Round round;
};

// op(X) (rows x cols, column-major, leading dim ld) packed densely into out (column-major), inputs rounded
template <class S, class T>
void pack(const S* X, int op, int64_t rows, int64_t cols, int64_t ld, Round r, T* out) {
    if (op == OP_N) {
        for (int64_t c = 0; c < cols; c++)
            for (int64_t i = 0; i < rows; i++) out[i + c * rows] = roundInput(load(X[i + c * ld]), r);
    } else {  // op(X)(i, c) = X(c, i)
        for (int64_t i = 0; i < rows; i++)
            for (int64_t c = 0; c < cols; c++) out[i + c * rows] = roundInput(load(X[c + i * ld]), r);
    }
}

// S: the operands' element type in memory; T: the type products are accumulated in
template <class S, class T>
void runGemm(const Gemm& g) {
    const T alpha = static_cast<T>(g.alpha), beta = static_cast<T>(g.beta);
    const bool product = g.k > 0 && alpha != T(0);
    std::vector<T> a, b, acc(g.m);
    if (product) {
        a.resize(g.m * g.k);
        b.resize(g.k * g.n);
    }
    for (int64_t p = 0; p < g.batch; p++) {
        S* C = reinterpret_cast<S*>(g.C) + p * g.strideC;
        if (product) {
            // a stride-0 operand is the same matrix for every batch: pack it once
            if (p == 0 || g.strideA != 0)
                pack(reinterpret_cast<const S*>(g.A) + p * g.strideA, g.opA, g.m, g.k, g.lda, g.round, a.data());
            if (p == 0 || g.strideB != 0)
                pack(reinterpret_cast<const S*>(g.B) + p * g.strideB, g.opB, g.k, g.n, g.ldb, g.round, b.data());
        }
        for (int64_t j = 0; j < g.n; j++) {
            S* c = C + j * g.ldc;
            std::fill(acc.begin(), acc.end(), T(0));
            if (product) {
                T* s = acc.data();
                for (int64_t l = 0; l < g.k; l++) {
                    const T blj = b[l + j * g.k];
                    const T* al = a.data() + l * g.m;
                    for (int64_t i = 0; i < g.m; i++) s[i] += al[i] * blj;
                }
            }
            if (beta == T(0)) {
                for (int64_t i = 0; i < g.m; i++) c[i] = stored<S, T>(alpha * acc[i]);
            } else {
                for (int64_t i = 0; i < g.m; i++) c[i] = stored<S, T>(alpha * acc[i] + beta * load(c[i]));
            }
        }
    }
}

// element offsets [lo, hi] an operand touches over all batches
bool extent(int64_t rows, int64_t cols, int64_t ld, int64_t stride, int64_t batch, int64_t& lo, int64_t& hi) {
    if (rows == 0 || cols == 0 || batch == 0) return false;
    int64_t last = (cols - 1) * ld + (rows - 1);
    int64_t b = (batch - 1) * stride;
    lo = std::min<int64_t>(0, b);
    hi = last + std::max<int64_t>(0, b);
    return true;
}

bool deviceOperand(const char* name, const void* p, int64_t rows, int64_t cols, int64_t ld, int64_t stride,
                   int64_t batch, size_t es) {
    int64_t lo, hi;
    if (!extent(rows, cols, ld, stride, batch, lo, hi)) return true;
    const char* start = static_cast<const char*>(p) + lo * static_cast<int64_t>(es);
    size_t bytes = static_cast<size_t>(hi - lo + 1) * es;
    if (p != nullptr && emu::is_device_range(start, bytes)) return true;
    char m[256];
    std::snprintf(m, sizeof m,
                  "cublasGemmStridedBatchedEx: matrix %s (%p, %zu bytes over %lld batches) is not inside one device "
                  "allocation",
                  name, static_cast<const void*>(start), bytes, static_cast<long long>(batch));
    report(m);
    return false;
}

const char* opName(int op) { return op == OP_N ? "N" : op == OP_T ? "T" : "C"; }

int gemmStridedBatched(void* handle, int transa, int transb, int64_t m, int64_t n, int64_t k, const void* alpha,
                       const void* A, int Atype, int64_t lda, int64_t strideA, const void* B, int Btype, int64_t ldb,
                       int64_t strideB, const void* beta, void* C, int Ctype, int64_t ldc, int64_t strideC,
                       int64_t batchCount, int computeType, int algo, const char* fn) {
    Handle* h = handleOf(handle);
    if (h == nullptr) return fail(STATUS_NOT_INITIALIZED, std::string(fn) + ": handle is not a live cuBLAS handle");
    char m_[320];
    auto bad = [&](int status, const char* fmt, auto... args) {
        int n_ = std::snprintf(m_, sizeof m_, "%s: ", fn);
        std::snprintf(m_ + n_, sizeof m_ - n_, fmt, args...);
        return fail(status, m_);
    };
    if (m < 0 || n < 0 || k < 0 || batchCount < 0)
        return bad(STATUS_INVALID_VALUE, "negative size m=%lld n=%lld k=%lld batchCount=%lld", (long long)m,
                   (long long)n, (long long)k, (long long)batchCount);
    if (transa < OP_N || transa > OP_C || transb < OP_N || transb > OP_C)
        return bad(STATUS_INVALID_VALUE, "transa=%d transb=%d (must be CUBLAS_OP_N, T or C)", transa, transb);
    int64_t rowsA = transa == OP_N ? m : k, rowsB = transb == OP_N ? k : n;
    if (lda < std::max<int64_t>(1, rowsA))
        return bad(STATUS_INVALID_VALUE, "lda=%lld < max(1, %lld) for op(A)=%s", (long long)lda, (long long)rowsA,
                   opName(transa));
    if (ldb < std::max<int64_t>(1, rowsB))
        return bad(STATUS_INVALID_VALUE, "ldb=%lld < max(1, %lld) for op(B)=%s", (long long)ldb, (long long)rowsB,
                   opName(transb));
    if (ldc < std::max<int64_t>(1, m))
        return bad(STATUS_INVALID_VALUE, "ldc=%lld < max(1, m=%lld)", (long long)ldc, (long long)m);
    if (!(algo == GEMM_DEFAULT || (algo >= 0 && algo <= GEMM_ALGO23) ||
          (algo >= GEMM_DEFAULT_TENSOR_OP && algo <= GEMM_ALGO15_TENSOR_OP)))
        return bad(STATUS_INVALID_VALUE, "algo=%d is not a cublasGemmAlgo_t", algo);

    // the (compute type, data type) combinations the emulator computes; the others cuBLAS knows are NOT_SUPPORTED
    const bool bf16Data = Atype == R_16BF && Btype == R_16BF && Ctype == R_16BF;
    Round round = Round::None;
    bool f64 = false;
    switch (computeType) {
        case COMPUTE_32F:
        case COMPUTE_32F_PEDANTIC:
            // cuBLAS lets the handle's TF32 math mode speed up CUBLAS_COMPUTE_32F (not the pedantic variant)
            // (on float32 data: bfloat16 data is already narrower than TF32)
            if (computeType == COMPUTE_32F && !bf16Data && (h->mathMode & 0xf) == TF32_TENSOR_OP_MATH) round = Round::TF32;
            break;
        case COMPUTE_32F_FAST_TF32: round = Round::TF32; break;
        case COMPUTE_32F_FAST_16BF: round = Round::BF16; break;
        case COMPUTE_64F:
        case COMPUTE_64F_PEDANTIC: f64 = true; break;
        case COMPUTE_16F:
        case COMPUTE_16F_PEDANTIC:
        case COMPUTE_32I:
        case COMPUTE_32I_PEDANTIC:
        case COMPUTE_32F_FAST_16F:
        case COMPUTE_32F_EMULATED_16BFX9:
        case COMPUTE_64F_EMULATED_FIXEDPOINT:
            return bad(STATUS_NOT_SUPPORTED, "computeType %d is not emulated (only 32F, 32F_PEDANTIC, 32F_FAST_TF32, "
                                             "32F_FAST_16BF, 64F, 64F_PEDANTIC)", computeType);
        default: return bad(STATUS_INVALID_VALUE, "computeType %d is not a cublasComputeType_t", computeType);
    }
    // NVIDIA_TF32_OVERRIDE=0 keeps NVIDIA's libraries from using TF32 whatever the program asks
    if (round == Round::TF32) {
        const char* o = std::getenv("NVIDIA_TF32_OVERRIDE");
        if (o != nullptr && std::strcmp(o, "0") == 0) round = Round::None;
    }
    // bfloat16 A, B and C with the plain 32F compute types: bfloat16 products accumulated in float
    const bool bf16 = bf16Data && (computeType == COMPUTE_32F || computeType == COMPUTE_32F_PEDANTIC);
    const int want = f64 ? R_64F : R_32F;
    if (!bf16 && (Atype != want || Btype != want || Ctype != want))
        return bad(STATUS_NOT_SUPPORTED,
                   "Atype=%d Btype=%d Ctype=%d with computeType %d: the emulator computes it only with A, B and C "
                   "all CUDA_R_%s%s",
                   Atype, Btype, Ctype, computeType, f64 ? "64F" : "32F",
                   f64 ? "" : " (or all CUDA_R_16BF under computeType 32F or 32F_PEDANTIC)");
    if (alpha == nullptr || beta == nullptr) return bad(STATUS_INVALID_VALUE, "alpha or beta is null");

    Gemm g;
    g.opA = transa;
    g.opB = transb;
    g.m = m;
    g.n = n;
    g.k = k;
    // host pointer mode: the scalars are read now, like cuBLAS reads host scalars at the call
    g.alpha = f64 ? *static_cast<const double*>(alpha) : *static_cast<const float*>(alpha);
    g.beta = f64 ? *static_cast<const double*>(beta) : *static_cast<const float*>(beta);
    g.A = static_cast<const char*>(A);
    g.B = static_cast<const char*>(B);
    g.C = static_cast<char*>(C);
    g.lda = lda;
    g.ldb = ldb;
    g.ldc = ldc;
    g.strideA = strideA;
    g.strideB = strideB;
    g.strideC = strideC;
    g.batch = batchCount;
    g.round = round;
    if (m == 0 || n == 0 || batchCount == 0) return STATUS_SUCCESS;  // nothing to compute or write

    const size_t es = f64 ? 8 : bf16 ? 2 : 4;
    bool ok = true;
    if (k > 0 && g.alpha != 0) {
        ok &= deviceOperand("A", A, rowsA, transa == OP_N ? k : m, lda, strideA, batchCount, es);
        ok &= deviceOperand("B", B, rowsB, transb == OP_N ? n : k, ldb, strideB, batchCount, es);
    }
    ok &= deviceOperand("C", C, m, n, ldc, strideC, batchCount, es);
    if (!ok) return STATUS_EXECUTION_FAILED;

    emu::submit(h->stream, [g, f64, bf16] {
        try {
            if (f64)
                runGemm<double, double>(g);
            else if (bf16)
                runGemm<BF16, float>(g);
            else
                runGemm<float, float>(g);
        } catch (const std::exception& e) {
            report(std::string("cublasGemmStridedBatchedEx: ") + e.what());
        }
    });
    return STATUS_SUCCESS;
}

}  // namespace

// ---- API ------------------------------------------------------------------------------------------------------------

API int cublasCreate_v2(void** handle) {
    if (handle == nullptr) return fail(STATUS_INVALID_VALUE, "cublasCreate: handle is null");
    auto* h = new (std::nothrow) Handle();
    if (h == nullptr) return fail(STATUS_ALLOC_FAILED, "cublasCreate: out of host memory");
    *handle = h;
    return STATUS_SUCCESS;
}

API int cublasDestroy_v2(void* handle) {
    Handle* h = handleOf(handle);
    if (h == nullptr) return fail(STATUS_NOT_INITIALIZED, "cublasDestroy: handle is not a live cuBLAS handle");
    h->magic = 0;
    delete h;
    return STATUS_SUCCESS;
}

API int cublasSetStream_v2(void* handle, void* stream) {
    Handle* h = handleOf(handle);
    if (h == nullptr) return fail(STATUS_NOT_INITIALIZED, "cublasSetStream: handle is not a live cuBLAS handle");
    h->stream = stream;
    // like cuBLAS: setting the stream resets the workspace to the library's default pool
    h->workspace = nullptr;
    h->workspaceBytes = 0;
    return STATUS_SUCCESS;
}

API int cublasGetStream_v2(void* handle, void** stream) {
    Handle* h = handleOf(handle);
    if (h == nullptr) return fail(STATUS_NOT_INITIALIZED, "cublasGetStream: handle is not a live cuBLAS handle");
    if (stream == nullptr) return fail(STATUS_INVALID_VALUE, "cublasGetStream: stream is null");
    *stream = h->stream;
    return STATUS_SUCCESS;
}

API int cublasSetWorkspace_v2(void* handle, void* workspace, size_t bytes) {
    Handle* h = handleOf(handle);
    if (h == nullptr) return fail(STATUS_NOT_INITIALIZED, "cublasSetWorkspace: handle is not a live cuBLAS handle");
    if (bytes > 0) {
        if (workspace == nullptr) return fail(STATUS_INVALID_VALUE, "cublasSetWorkspace: null workspace of nonzero size");
        if (reinterpret_cast<uintptr_t>(workspace) % 256 != 0)
            return fail(STATUS_INVALID_VALUE, "cublasSetWorkspace: workspace is not aligned to 256 bytes");
        if (!emu::is_device_range(workspace, bytes))
            return fail(STATUS_INVALID_VALUE, "cublasSetWorkspace: workspace is not inside one device allocation");
    }
    h->workspace = workspace;
    h->workspaceBytes = bytes;
    return STATUS_SUCCESS;
}

API int cublasSetMathMode(void* handle, int mode) {
    Handle* h = handleOf(handle);
    if (h == nullptr) return fail(STATUS_NOT_INITIALIZED, "cublasSetMathMode: handle is not a live cuBLAS handle");
    int base = mode & 0xf, flags = mode & ~0xf;
    if (base > TF32_TENSOR_OP_MATH || (flags & ~16) != 0)
        return fail(STATUS_INVALID_VALUE, "cublasSetMathMode: mode " + std::to_string(mode) + " is not emulated");
    h->mathMode = mode;
    return STATUS_SUCCESS;
}

API int cublasGetMathMode(void* handle, int* mode) {
    Handle* h = handleOf(handle);
    if (h == nullptr) return fail(STATUS_NOT_INITIALIZED, "cublasGetMathMode: handle is not a live cuBLAS handle");
    if (mode == nullptr) return fail(STATUS_INVALID_VALUE, "cublasGetMathMode: mode is null");
    *mode = h->mathMode;
    return STATUS_SUCCESS;
}

API int cublasGetVersion_v2(void* handle, int* version) {
    if (handleOf(handle) == nullptr) return fail(STATUS_NOT_INITIALIZED, "cublasGetVersion: handle is not a live cuBLAS handle");
    if (version == nullptr) return fail(STATUS_INVALID_VALUE, "cublasGetVersion: version is null");
    *version = VERSION;
    return STATUS_SUCCESS;
}

API int cublasGetVersion(int* version) {
    if (version == nullptr) return fail(STATUS_INVALID_VALUE, "cublasGetVersion: version is null");
    *version = VERSION;
    return STATUS_SUCCESS;
}

API int cublasGetProperty(int type, int* value) {
    if (value == nullptr) return fail(STATUS_INVALID_VALUE, "cublasGetProperty: value is null");
    switch (type) {  // MAJOR_VERSION, MINOR_VERSION, PATCH_LEVEL
        case 0: *value = VERSION / 10000; return STATUS_SUCCESS;
        case 1: *value = VERSION / 100 % 100; return STATUS_SUCCESS;
        case 2: *value = VERSION % 100; return STATUS_SUCCESS;
        default: return fail(STATUS_INVALID_VALUE, "cublasGetProperty: unknown property " + std::to_string(type));
    }
}

API const char* cublasGetStatusName(int status) {
    switch (status) {
        case STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
        case STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
        case STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
        case STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
        case STATUS_ARCH_MISMATCH: return "CUBLAS_STATUS_ARCH_MISMATCH";
        case STATUS_MAPPING_ERROR: return "CUBLAS_STATUS_MAPPING_ERROR";
        case STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
        case STATUS_INTERNAL_ERROR: return "CUBLAS_STATUS_INTERNAL_ERROR";
        case STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
        case STATUS_LICENSE_ERROR: return "CUBLAS_STATUS_LICENSE_ERROR";
        default: return "CUBLAS_STATUS_UNKNOWN";
    }
}

API const char* cublasGetStatusString(int status) {
    switch (status) {
        case STATUS_SUCCESS: return "the operation completed successfully";
        case STATUS_NOT_INITIALIZED: return "the library was not initialized";
        case STATUS_ALLOC_FAILED: return "the resource allocation failed";
        case STATUS_INVALID_VALUE: return "an invalid numeric value was used as an argument";
        case STATUS_ARCH_MISMATCH: return "an absent device architectural feature is required";
        case STATUS_MAPPING_ERROR: return "an access to GPU memory space failed";
        case STATUS_EXECUTION_FAILED: return "the GPU program failed to execute";
        case STATUS_INTERNAL_ERROR: return "an internal operation failed";
        case STATUS_NOT_SUPPORTED: return "the functionality requested is not supported";
        case STATUS_LICENSE_ERROR: return "error detected trying to check the license";
        default: return "unknown error";
    }
}

API int cublasGemmStridedBatchedEx(void* handle, int transa, int transb, int m, int n, int k, const void* alpha,
                                   const void* A, int Atype, int lda, long long strideA, const void* B, int Btype,
                                   int ldb, long long strideB, const void* beta, void* C, int Ctype, int ldc,
                                   long long strideC, int batchCount, int computeType, int algo) {
    return gemmStridedBatched(handle, transa, transb, m, n, k, alpha, A, Atype, lda, strideA, B, Btype, ldb, strideB,
                              beta, C, Ctype, ldc, strideC, batchCount, computeType, algo,
                              "cublasGemmStridedBatchedEx");
}

API int cublasGemmStridedBatchedEx_64(void* handle, int transa, int transb, int64_t m, int64_t n, int64_t k,
                                      const void* alpha, const void* A, int Atype, int64_t lda, long long strideA,
                                      const void* B, int Btype, int64_t ldb, long long strideB, const void* beta,
                                      void* C, int Ctype, int64_t ldc, long long strideC, int64_t batchCount,
                                      int computeType, int algo) {
    return gemmStridedBatched(handle, transa, transb, m, n, k, alpha, A, Atype, lda, strideA, B, Btype, ldb, strideB,
                              beta, C, Ctype, ldc, strideC, batchCount, computeType, algo,
                              "cublasGemmStridedBatchedEx_64");
}
