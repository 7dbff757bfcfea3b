// Checks the emulator's cuBLAS and cuDNN (../blas.cpp, ../dnn.cpp) against plain reference loops. Every entry point
// is looked up the way libjnicublas.so / libjnicudnn.so bind it: by name and version node in the library that
// defines the node (dlvsym), so a cuDNN handle from libcudnn_graph.so.9 meets descriptors from libcudnn_ops.so.9 in
// libcudnn_cnn.so.9. Built and run by run.sh here against the stub runtime (emu_stub.cpp); prints a summary and
// exits non-zero on any failure.

#include <dlfcn.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

extern "C" int cudaMalloc(void** p, size_t bytes);
extern "C" int cudaFree(void* p);
// hooks of the stub runtime; absent from the emulator's real runtime, so the tests using them are skipped there
extern "C" __attribute__((weak)) void emu_stub_capture_begin(void* stream);
extern "C" __attribute__((weak)) long emu_stub_capture_end();
extern "C" __attribute__((weak)) void emu_stub_replay();
extern "C" __attribute__((weak)) void* emu_stub_last_stream();
extern "C" __attribute__((weak)) long emu_stub_reports();
extern "C" __attribute__((weak)) const char* emu_stub_last_report();
extern "C" __attribute__((weak)) void emu_stub_quiet(int);

namespace {

int checks = 0, failures = 0;

#define CHECK(cond, ...)                                                    \
    do {                                                                    \
        checks++;                                                           \
        if (!(cond)) {                                                      \
            failures++;                                                     \
            if (failures <= 60) {                                           \
                std::fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);   \
                std::fprintf(stderr, __VA_ARGS__);                          \
                std::fputc('\n', stderr);                                   \
            }                                                               \
        }                                                                   \
    } while (0)

[[noreturn]] void die(const std::string& m) {
    std::fprintf(stderr, "FATAL: %s\n", m.c_str());
    std::exit(2);
}

void* openLib(const char* so) {
    void* h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) die(std::string("dlopen ") + so + ": " + dlerror());
    return h;
}

template <class F>
void bind(F& f, void* lib, const char* name, const char* version) {
    void* p = dlvsym(lib, name, version);
    if (p == nullptr) die(std::string(name) + "@" + version + " not found");
    f = reinterpret_cast<F>(p);
}

bool stub() { return emu_stub_capture_begin != nullptr; }
long reportCount() { return emu_stub_reports ? emu_stub_reports() : 0; }
std::string lastReport() { return emu_stub_last_report ? emu_stub_last_report() : ""; }

// an error status must come with a report; on the stub the report is counted and its text checked
void expectReport(long before, const char* needle, const char* what) {
    if (!stub()) return;
    CHECK(reportCount() > before, "%s: no emu::report", what);
    CHECK(lastReport().find(needle) != std::string::npos, "%s: report '%s' lacks '%s'", what, lastReport().c_str(), needle);
}

template <class T>
struct Dev {
    T* p = nullptr;
    size_t n;
    explicit Dev(size_t n_) : n(n_) {
        if (cudaMalloc(reinterpret_cast<void**>(&p), (n ? n : 1) * sizeof(T)) != 0) die("cudaMalloc");
    }
    ~Dev() { cudaFree(p); }
    Dev(const Dev&) = delete;
    Dev& operator=(const Dev&) = delete;
    void load(const std::vector<T>& v) { std::memcpy(p, v.data(), v.size() * sizeof(T)); }
    std::vector<T> get() const { return std::vector<T>(p, p + n); }
};

std::mt19937 rng(12345);

template <class T>
std::vector<T> randomVec(size_t n) {
    std::uniform_real_distribution<double> d(-1.0, 1.0);
    std::vector<T> v(n);
    for (auto& x : v) x = static_cast<T>(d(rng));
    return v;
}

template <class T>
bool sameBits(T a, T b) {
    return std::memcmp(&a, &b, sizeof(T)) == 0;
}

// Reduced-precision rounding written independently of the libraries: through frexp/ldexp and rint (round to
// nearest even) on the significand; `bits` significant bits including the implicit one (TF32: 11, bf16: 8).
// Valid for normal numbers, which is all the tests use.
float roundSignificand(float v, int bits) {
    if (v == 0 || !std::isfinite(v)) return v;
    int e;
    double m = std::frexp(static_cast<double>(v), &e);  // v = m * 2^e, 0.5 <= |m| < 1
    double r = std::rint(std::ldexp(m, bits));
    return static_cast<float>(std::ldexp(r, e - bits));
}
float tf32(float v) { return roundSignificand(v, 11); }
float bf16(float v) { return roundSignificand(v, 8); }

// ================================================= cuBLAS ===========================================================

enum { OP_N = 0, OP_T = 1 };
enum { R_32F = 0, R_64F = 1, R_16F = 2, R_16BF = 14 };
enum { C32F = 68, C32F_PEDANTIC = 69, C64F = 70, C16F = 64, C32F_FAST_16BF = 75, C32F_FAST_TF32 = 77 };
enum { ST_OK = 0, ST_NOT_INITIALIZED = 1, ST_INVALID_VALUE = 7, ST_EXECUTION_FAILED = 13, ST_NOT_SUPPORTED = 15 };

struct Blas {
    int (*create)(void**);
    int (*destroy)(void*);
    int (*setStream)(void*, void*);
    int (*getStream)(void*, void**);
    int (*setWorkspace)(void*, void*, size_t);
    int (*setMathMode)(void*, int);
    int (*getVersion)(void*, int*);
    const char* (*statusString)(int);
    const char* (*statusName)(int);
    int (*gemm)(void*, int, int, int, int, int, const void*, const void*, int, int, long long, const void*, int, int,
                long long, const void*, void*, int, int, long long, int, int, int);
    int (*gemm64)(void*, int, int, int64_t, int64_t, int64_t, const void*, const void*, int, int64_t, long long,
                  const void*, int, int64_t, long long, const void*, void*, int, int64_t, long long, int64_t, int, int);
};

Blas loadBlas() {
    void* lib = openLib("libcublas.so.13");
    openLib("libcublasLt.so.13");
    const char* v = "libcublas.so.13";
    Blas b;
    bind(b.create, lib, "cublasCreate_v2", v);
    bind(b.destroy, lib, "cublasDestroy_v2", v);
    bind(b.setStream, lib, "cublasSetStream_v2", v);
    bind(b.getStream, lib, "cublasGetStream_v2", v);
    bind(b.setWorkspace, lib, "cublasSetWorkspace_v2", v);
    bind(b.setMathMode, lib, "cublasSetMathMode", v);
    bind(b.getVersion, lib, "cublasGetVersion_v2", v);
    bind(b.statusString, lib, "cublasGetStatusString", v);
    bind(b.statusName, lib, "cublasGetStatusName", v);
    bind(b.gemm, lib, "cublasGemmStridedBatchedEx", v);
    bind(b.gemm64, lib, "cublasGemmStridedBatchedEx_64", v);
    return b;
}

struct GemmShape {
    int opA, opB, m, n, k, batch;
    int lda, ldb, ldc;
    long long sA, sB, sC;
    size_t sizeA() const { return static_cast<size_t>((batch - 1) * sA + (long long)lda * (opA == OP_N ? k : m)); }
    size_t sizeB() const { return static_cast<size_t>((batch - 1) * sB + (long long)ldb * (opB == OP_N ? n : k)); }
    size_t sizeC() const { return static_cast<size_t>((batch - 1) * sC + (long long)ldc * n); }
    std::string text() const {
        char s[200];
        std::snprintf(s, sizeof s, "op%c%c m=%d n=%d k=%d batch=%d lda=%d ldb=%d ldc=%d sA=%lld sB=%lld sC=%lld",
                      opA ? 'T' : 'N', opB ? 'T' : 'N', m, n, k, batch, lda, ldb, ldc, sA, sB, sC);
        return s;
    }
};

template <class T>
T opAt(const T* X, int op, int ld, int r, int c) {
    return op == OP_N ? X[r + (size_t)c * ld] : X[c + (size_t)r * ld];
}

// the reference: cuBLAS's definition, C = alpha op(A) op(B) + beta C per batch, summed over l in order in T
template <class T, class R>
std::vector<T> refGemm(const GemmShape& s, const std::vector<T>& A, const std::vector<T>& B, const std::vector<T>& C0,
                       T alpha, T beta, R round) {
    std::vector<T> C = C0;
    for (int b = 0; b < s.batch; b++) {
        const T* a = A.data() + b * s.sA;
        const T* bb = B.data() + b * s.sB;
        T* c = C.data() + b * s.sC;
        for (int j = 0; j < s.n; j++)
            for (int i = 0; i < s.m; i++) {
                T acc = 0;
                for (int l = 0; l < s.k; l++) acc += round(opAt(a, s.opA, s.lda, i, l)) * round(opAt(bb, s.opB, s.ldb, l, j));
                T& out = c[i + (size_t)j * s.ldc];
                out = beta == T(0) ? alpha * acc : alpha * acc + beta * out;
            }
    }
    return C;
}

// |sum| bound of the terms of each C element, for tolerance checks against a double-precision reference
template <class T>
std::vector<double> magGemm(const GemmShape& s, const std::vector<T>& A, const std::vector<T>& B) {
    std::vector<double> M(s.sizeC(), 0.0);
    for (int b = 0; b < s.batch; b++)
        for (int j = 0; j < s.n; j++)
            for (int i = 0; i < s.m; i++) {
                double acc = 0;
                for (int l = 0; l < s.k; l++)
                    acc += std::fabs((double)opAt(A.data() + b * s.sA, s.opA, s.lda, i, l) *
                                     (double)opAt(B.data() + b * s.sB, s.opB, s.ldb, l, j));
                M[b * s.sC + i + (size_t)j * s.ldc] = acc;
            }
    return M;
}

bool inC(const GemmShape& s, size_t idx) {
    for (int b = 0; b < s.batch; b++) {
        long long off = (long long)idx - b * s.sC;
        if (s.sC == 0 && b > 0) break;
        if (off < 0) continue;
        long long j = off / s.ldc, i = off % s.ldc;
        if (j < s.n && i < s.m) return true;
    }
    return false;
}

uint16_t bf16Bits(float v) {  // v already a bfloat16 value
    uint32_t b;
    std::memcpy(&b, &v, 4);
    return static_cast<uint16_t>(b >> 16);
}
float bf16Value(uint16_t bits) {
    uint32_t b = static_cast<uint32_t>(bits) << 16;
    float v;
    std::memcpy(&v, &b, 4);
    return v;
}

// bfloat16 A, B and C (CUDA_R_16BF) under 32F compute: the float reference on the same values, rounded once
void gemmBf16Case(const Blas& bl, void* h, const GemmShape& s, int compute, float alpha, float beta, const char* tag) {
    auto round = [](std::vector<float> v) {
        for (auto& x : v) x = bf16(x);
        return v;
    };
    auto A = round(randomVec<float>(s.sizeA())), B = round(randomVec<float>(s.sizeB())), C0 = round(randomVec<float>(s.sizeC()));
    auto bits = [](const std::vector<float>& v) {
        std::vector<uint16_t> out(v.size());
        for (size_t i = 0; i < v.size(); i++) out[i] = bf16Bits(v[i]);
        return out;
    };
    std::vector<uint16_t> c0 = bits(C0);
    if (beta == 0.0f)
        for (auto& c : c0) c = 0x7fc0;  // beta == 0 must not read C
    Dev<uint16_t> dA(A.size()), dB(B.size()), dC(C0.size());
    dA.load(bits(A));
    dB.load(bits(B));
    dC.load(c0);
    int st = bl.gemm(h, s.opA, s.opB, s.m, s.n, s.k, &alpha, dA.p, R_16BF, s.lda, s.sA, dB.p, R_16BF, s.ldb, s.sB, &beta,
                     dC.p, R_16BF, s.ldc, s.sC, s.batch, compute, -1);
    CHECK(st == ST_OK, "gemm %s %s: status %d", tag, s.text().c_str(), st);
    auto got = dC.get();
    auto want = refGemm(s, A, B, C0, alpha, beta, [](float v) { return v; });
    int bad = 0;
    size_t firstBad = 0;
    for (size_t i = 0; i < got.size(); i++) {
        uint16_t w = inC(s, i) ? bf16Bits(bf16(want[i])) : c0[i];
        if (got[i] != w && bad++ == 0) firstBad = i;
    }
    CHECK(bad == 0, "gemm %s %s: %d elements differ from the reference, first at %zu: got %.9g want %.9g", tag,
          s.text().c_str(), bad, firstBad, (double)bf16Value(got[firstBad]), (double)bf16(want[firstBad]));
}

template <class T>
void gemmCase(const Blas& bl, void* h, const GemmShape& s, int compute, T alpha, T beta, const char* tag) {
    const int type = sizeof(T) == 8 ? R_64F : R_32F;
    auto A = randomVec<T>(s.sizeA()), B = randomVec<T>(s.sizeB());
    std::vector<T> C0 = randomVec<T>(s.sizeC());
    const T sentinel = std::numeric_limits<T>::quiet_NaN();
    if (beta == T(0))
        for (auto& c : C0) c = sentinel;  // beta == 0 must not read C: NaN there must not come through
    else
        for (size_t i = 0; i < C0.size(); i++)
            if (!inC(s, i)) C0[i] = sentinel;  // gaps keep their NaN: nothing may write there
    Dev<T> dA(A.size()), dB(B.size()), dC(C0.size());
    dA.load(A);
    dB.load(B);
    dC.load(C0);
    int st = bl.gemm(h, s.opA, s.opB, s.m, s.n, s.k, &alpha, dA.p, type, s.lda, s.sA, dB.p, type, s.ldb, s.sB, &beta, dC.p,
                     type, s.ldc, s.sC, s.batch, compute, -1);
    CHECK(st == ST_OK, "gemm %s %s: status %d", tag, s.text().c_str(), st);
    auto got = dC.get();
    auto plain = [](T v) { return v; };
    std::vector<T> want;
    if constexpr (sizeof(T) == 4) {
        if (compute == C32F_FAST_TF32)
            want = refGemm(s, A, B, C0, alpha, beta, [](float v) { return tf32(v); });
        else if (compute == C32F_FAST_16BF)
            want = refGemm(s, A, B, C0, alpha, beta, [](float v) { return bf16(v); });
        else
            want = refGemm(s, A, B, C0, alpha, beta, plain);
    } else {
        want = refGemm(s, A, B, C0, alpha, beta, plain);
    }
    // exact: same products summed in the same order in the same precision
    int bad = 0;
    size_t firstBad = 0;
    for (size_t i = 0; i < got.size(); i++)
        if (!sameBits(got[i], want[i])) {
            if (bad++ == 0) firstBad = i;
        }
    CHECK(bad == 0, "gemm %s %s: %d elements differ from the reference, first at %zu: got %.9g want %.9g", tag,
          s.text().c_str(), bad, firstBad, (double)got[firstBad], (double)want[firstBad]);
    // and close to the exact product (double reference on the unrounded inputs) within the compute type's precision
    std::vector<double> Ad(A.begin(), A.end()), Bd(B.begin(), B.end()), Cd(C0.begin(), C0.end());
    GemmShape sd = s;
    auto exact = refGemm<double>(sd, Ad, Bd, Cd, (double)alpha, (double)beta, [](double v) { return v; });
    auto mag = magGemm(s, A, B);
    double eps = sizeof(T) == 8 ? 1e-13 : compute == C32F_FAST_16BF ? 2e-2 : compute == C32F_FAST_TF32 ? 2e-3 : 1e-5;
    int far = 0;
    for (size_t i = 0; i < got.size(); i++) {
        if (!inC(s, i)) continue;
        double fromC = beta == T(0) ? 0.0 : std::fabs((double)beta * C0[i]);
        double tol = eps * (std::fabs((double)alpha) * mag[i] + fromC) + 1e-30;
        if (!(std::fabs((double)got[i] - exact[i]) <= tol)) far++;
    }
    CHECK(far == 0, "gemm %s %s: %d elements farther than %g from the exact product", tag, s.text().c_str(), far, eps);
}

void blasTests() {
    Blas bl = loadBlas();
    void* h = nullptr;
    CHECK(bl.create(&h) == ST_OK && h != nullptr, "cublasCreate");
    int version = 0;
    CHECK(bl.getVersion(h, &version) == ST_OK && version / 10000 == 13, "cublasGetVersion %d", version);
    CHECK(std::strcmp(bl.statusName(ST_NOT_SUPPORTED), "CUBLAS_STATUS_NOT_SUPPORTED") == 0, "cublasGetStatusName");
    CHECK(std::strlen(bl.statusString(ST_INVALID_VALUE)) > 0, "cublasGetStatusString");

    // stream and workspace as BlasHandle sets them
    void* stream = reinterpret_cast<void*>(0x5150);
    {
        Dev<char> ws(1 << 20);
        CHECK(bl.setWorkspace(h, ws.p, ws.n) == ST_OK, "cublasSetWorkspace on device memory");
        long before = reportCount();
        CHECK(bl.setWorkspace(h, ws.p + 8, 1024) == ST_INVALID_VALUE, "cublasSetWorkspace misaligned");
        expectReport(before, "aligned", "misaligned workspace");
        std::vector<char> host(4096);
        if (stub()) CHECK(bl.setWorkspace(h, host.data() + (256 - reinterpret_cast<uintptr_t>(host.data()) % 256) % 256, 1024) ==
                              ST_INVALID_VALUE, "cublasSetWorkspace on host memory");
        CHECK(bl.setStream(h, stream) == ST_OK, "cublasSetStream");
        void* got = nullptr;
        CHECK(bl.getStream(h, &got) == ST_OK && got == stream, "cublasGetStream");
    }

    // every transposition pair, odd sizes, padded leading dims, batch strides with gaps and stride 0 (broadcast)
    const int sizes[][3] = {{7, 5, 3}, {13, 11, 17}, {1, 9, 4}, {33, 1, 65}, {5, 6, 1}, {16, 16, 16}, {3, 4, 70}};
    int idx = 0, cases = 0;
    for (int opA : {OP_N, OP_T})
        for (int opB : {OP_N, OP_T})
            for (auto& sz : sizes)
                for (int batch : {1, 3}) {
                    GemmShape s;
                    s.opA = opA;
                    s.opB = opB;
                    s.m = sz[0];
                    s.n = sz[1];
                    s.k = sz[2];
                    s.batch = batch;
                    int rowsA = opA == OP_N ? s.m : s.k, colsA = opA == OP_N ? s.k : s.m;
                    int rowsB = opB == OP_N ? s.k : s.n, colsB = opB == OP_N ? s.n : s.k;
                    s.lda = rowsA + (idx % 2 ? 2 : 0);
                    s.ldb = rowsB + (idx % 3 ? 1 : 0);
                    s.ldc = s.m + (idx % 4 == 1 ? 3 : 0);
                    s.sA = batch > 1 && idx % 3 == 0 ? 0 : (long long)s.lda * colsA + (idx % 2);
                    s.sB = batch > 1 && idx % 3 == 1 ? 0 : (long long)s.ldb * colsB + 2;
                    s.sC = (long long)s.ldc * s.n + (idx % 2 ? 5 : 0);
                    idx++;
                    gemmCase<float>(bl, h, s, C32F, 1.0f, 0.0f, "32F");
                    gemmCase<float>(bl, h, s, C32F_PEDANTIC, 1.5f, -0.5f, "32F_PEDANTIC beta");
                    gemmCase<float>(bl, h, s, C32F_FAST_TF32, 1.0f, 0.0f, "TF32");
                    gemmCase<float>(bl, h, s, C32F_FAST_16BF, 0.75f, 2.0f, "BF16 beta");
                    gemmCase<double>(bl, h, s, C64F, 1.0, 0.0, "64F");
                    gemmCase<double>(bl, h, s, C64F, -2.0, 0.25, "64F beta");
                    gemmBf16Case(bl, h, s, C32F, 1.0f, 0.0f, "16BF data");
                    gemmBf16Case(bl, h, s, C32F_PEDANTIC, 0.5f, -1.5f, "16BF data beta");
                    cases++;
                }
    std::printf("  gemm: %d shapes x 8 type/scalar variants\n", cases);
    if (stub()) CHECK(emu_stub_last_stream() == stream, "gemm did not run on the handle's stream");

    // the rounding itself: 1x1x1 products through TF32 and bf16, ties to even
    {
        Dev<float> a(1), b(1), c(1);
        auto one = [&](float v, int compute) {
            float alpha = 1, beta = 0, bv = 1;
            *a.p = v;
            std::memcpy(b.p, &bv, 4);
            bl.gemm(h, OP_N, OP_N, 1, 1, 1, &alpha, a.p, R_32F, 1, 0, b.p, R_32F, 1, 0, &beta, c.p, R_32F, 1, 0, 1, compute, -1);
            return *c.p;
        };
        const float u = std::ldexp(1.0f, -10);  // TF32 ulp at 1
        CHECK(one(1 + u / 2, C32F_FAST_TF32) == 1.0f, "TF32 tie to even (down)");
        CHECK(one(1 + 3 * u / 2, C32F_FAST_TF32) == 1 + 2 * u, "TF32 tie to even (up)");
        CHECK(one(1 + u / 2 + u / 8, C32F_FAST_TF32) == 1 + u, "TF32 above the tie");
        CHECK(one(-(1 + 3 * u / 2), C32F_FAST_TF32) == -(1 + 2 * u), "TF32 negative");
        const float ub = std::ldexp(1.0f, -7);  // bf16 ulp at 1
        CHECK(one(1 + ub / 2, C32F_FAST_16BF) == 1.0f, "bf16 tie to even");
        CHECK(one(1 + 3 * ub / 2, C32F_FAST_16BF) == 1 + 2 * ub, "bf16 tie to even (up)");
        CHECK(one(1 + u / 2, C32F) == 1 + u / 2, "32F does not round");
        CHECK(std::isnan(one(std::numeric_limits<float>::quiet_NaN(), C32F_FAST_TF32)), "TF32 NaN stays NaN");
        CHECK(std::isinf(one(std::numeric_limits<float>::infinity(), C32F_FAST_16BF)), "bf16 inf stays inf");
        // the handle's TF32 math mode lets CUBLAS_COMPUTE_32F use TF32, but not the pedantic variant
        CHECK(bl.setMathMode(h, 3) == ST_OK, "cublasSetMathMode TF32");
        CHECK(one(1 + u / 2 + u / 8, C32F) == 1 + u, "TF32 math mode rounds 32F");
        CHECK(one(1 + u / 2 + u / 8, C32F_PEDANTIC) == 1 + u / 2 + u / 8, "TF32 math mode leaves 32F_PEDANTIC");
        CHECK(bl.setMathMode(h, 0) == ST_OK, "cublasSetMathMode default");
        setenv("NVIDIA_TF32_OVERRIDE", "0", 1);
        CHECK(one(1 + u / 2 + u / 8, C32F_FAST_TF32) == 1 + u / 2 + u / 8, "NVIDIA_TF32_OVERRIDE=0 turns TF32 off");
        CHECK(one(1 + ub / 2 + ub / 8, C32F_FAST_16BF) == 1 + ub, "NVIDIA_TF32_OVERRIDE=0 leaves bf16");
        unsetenv("NVIDIA_TF32_OVERRIDE");
    }

    // the 64-bit entry point
    {
        GemmShape s{OP_T, OP_N, 9, 7, 5, 2, 5, 5, 9, 45, 35, 63};
        std::vector<float> A = randomVec<float>(s.sizeA()), B = randomVec<float>(s.sizeB());
        Dev<float> dA(A.size()), dB(B.size()), c1(s.sizeC()), c2(s.sizeC());
        dA.load(A);
        dB.load(B);
        float alpha = 1, beta = 0;
        CHECK(bl.gemm(h, s.opA, s.opB, s.m, s.n, s.k, &alpha, dA.p, R_32F, s.lda, s.sA, dB.p, R_32F, s.ldb, s.sB, &beta, c1.p,
                      R_32F, s.ldc, s.sC, s.batch, C32F, -1) == ST_OK, "gemm");
        CHECK(bl.gemm64(h, s.opA, s.opB, s.m, s.n, s.k, &alpha, dA.p, R_32F, s.lda, s.sA, dB.p, R_32F, s.ldb, s.sB, &beta,
                        c2.p, R_32F, s.ldc, s.sC, s.batch, C32F, -1) == ST_OK, "gemm_64");
        CHECK(std::memcmp(c1.p, c2.p, s.sizeC() * 4) == 0, "cublasGemmStridedBatchedEx_64 differs");
    }

    // rejected calls: status and report
    {
        Dev<float> a(64), b(64), c(64);
        Dev<double> d(64);
        float alpha = 1, beta = 0;
        auto call = [&](void* hh, int opA, int m, int lda, int ta, int tc, int compute, void* A, int batch) {
            return bl.gemm(hh, opA, OP_N, m, 4, 4, &alpha, A, ta, lda, 0, b.p, R_32F, 4, 0, &beta, c.p, tc, m, 0, batch, compute, -1);
        };
        long r = reportCount();
        CHECK(call(h, OP_N, 4, 4, R_32F, R_32F, C64F, a.p, 1) == ST_NOT_SUPPORTED, "float data with 64F compute");
        expectReport(r, "CUDA_R_64F", "float data with 64F compute");
        r = reportCount();
        CHECK(call(h, OP_N, 4, 4, R_64F, R_32F, C32F, d.p, 1) == ST_NOT_SUPPORTED, "mixed data types");
        expectReport(r, "Atype", "mixed data types");
        r = reportCount();
        CHECK(call(h, OP_N, 4, 4, R_16BF, R_16BF, C32F, a.p, 1) == ST_NOT_SUPPORTED, "bfloat16 A and C with float B");
        expectReport(r, "CUDA_R_16BF", "bfloat16 A and C with float B");
        r = reportCount();
        CHECK(call(h, OP_N, 4, 4, R_16F, R_16F, C16F, a.p, 1) == ST_NOT_SUPPORTED, "16F compute");
        expectReport(r, "not emulated", "16F compute");
        r = reportCount();
        CHECK(call(h, OP_N, 4, 4, R_32F, R_32F, 12345, a.p, 1) == ST_INVALID_VALUE, "unknown compute type");
        expectReport(r, "computeType", "unknown compute type");
        r = reportCount();
        CHECK(call(h, OP_N, 4, 3, R_32F, R_32F, C32F, a.p, 1) == ST_INVALID_VALUE, "lda < m");
        expectReport(r, "lda", "lda < m");
        r = reportCount();
        CHECK(call(h, 7, 4, 4, R_32F, R_32F, C32F, a.p, 1) == ST_INVALID_VALUE, "bad transa");
        expectReport(r, "transa", "bad transa");
        r = reportCount();
        CHECK(call(h, OP_N, -1, 4, R_32F, R_32F, C32F, a.p, 1) == ST_INVALID_VALUE, "negative m");
        CHECK(call(h, OP_N, 4, 4, R_32F, R_32F, C32F, a.p, -2) == ST_INVALID_VALUE, "negative batch");
        CHECK(call(nullptr, OP_N, 4, 4, R_32F, R_32F, C32F, a.p, 1) == ST_NOT_INITIALIZED, "null handle");
        if (stub()) {
            std::vector<float> host(64, 1.0f);
            r = reportCount();
            CHECK(call(h, OP_N, 4, 4, R_32F, R_32F, C32F, host.data(), 1) == ST_EXECUTION_FAILED, "host pointer for A");
            expectReport(r, "device allocation", "host pointer for A");
            r = reportCount();
            CHECK(call(h, OP_N, 4, 4, R_32F, R_32F, C32F, a.p + 60, 1) == ST_EXECUTION_FAILED, "A runs past its allocation");
            expectReport(r, "matrix A", "A past its allocation");
        }
        CHECK(bl.gemm(h, OP_N, OP_N, 0, 4, 4, &alpha, a.p, R_32F, 1, 0, b.p, R_32F, 4, 0, &beta, c.p, R_32F, 1, 0, 1, C32F, -1) ==
                  ST_OK, "m = 0 is a no-op");
    }

    // graph capture: the call is recorded with copies of its scalars and runs at each replay
    if (stub()) {
        GemmShape s{OP_N, OP_T, 6, 5, 4, 2, 6, 5, 6, 24, 20, 30};
        auto A = randomVec<float>(s.sizeA()), B = randomVec<float>(s.sizeB());
        std::vector<float> C0(s.sizeC(), -7.0f);
        Dev<float> dA(A.size()), dB(B.size()), dC(C0.size());
        dA.load(A);
        dB.load(B);
        dC.load(C0);
        float alpha = 2, beta = 0;
        emu_stub_capture_begin(stream);
        CHECK(bl.gemm(h, s.opA, s.opB, s.m, s.n, s.k, &alpha, dA.p, R_32F, s.lda, s.sA, dB.p, R_32F, s.ldb, s.sB, &beta, dC.p,
                      R_32F, s.ldc, s.sC, s.batch, C32F, -1) == ST_OK, "gemm under capture");
        alpha = 100;  // the recorded call keeps the value it was given
        CHECK(emu_stub_capture_end() == 1, "one operation captured");
        CHECK(dC.get() == C0, "captured gemm ran before replay");
        emu_stub_replay();
        auto want = refGemm(s, A, B, C0, 2.0f, 0.0f, [](float v) { return v; });
        CHECK(dC.get() == want, "replayed gemm result");
        emu_stub_replay();
        CHECK(dC.get() == want, "second replay");
    }
    CHECK(bl.destroy(h) == ST_OK, "cublasDestroy");
}

// ================================================= cuDNN ============================================================

enum { D_FLOAT = 0, D_DOUBLE = 1 };
enum { NCHW = 0, NHWC = 1 };
enum { CONVOLUTION = 0, CROSS_CORRELATION = 1 };
enum { DEFAULT_MATH = 0, FMA_MATH = 3 };
enum { DN_OK = 0, DN_BAD_PARAM = 2000, DN_NOT_SUPPORTED = 3000, DN_ALLOC_FAILED = 4003 };

// cuDNN 9's cudnnConvolution*AlgoPerf_t
struct Perf {
    int algo;
    int status;
    float time;
    size_t memory;
    int determinism;
    int mathType;
    int reserved[3];
};

struct Dnn {
    size_t (*version)();
    const char* (*errorString)(int);
    int (*create)(void**);
    int (*destroy)(void*);
    int (*setStream)(void*, void*);
    int (*createTensor)(void**);
    int (*destroyTensor)(void*);
    int (*setTensor)(void*, int, int, const int*, const int*);
    int (*setTensorEx)(void*, int, int, int, const int*);
    int (*getTensor)(void*, int, int*, int*, int*, int*);
    int (*createFilter)(void**);
    int (*destroyFilter)(void*);
    int (*setFilter)(void*, int, int, int, const int*);
    int (*createConv)(void**);
    int (*destroyConv)(void*);
    int (*setConv)(void*, int, const int*, const int*, const int*, int, int);
    int (*setGroups)(void*, int);
    int (*setMath)(void*, int);
    int (*outputDim)(void*, void*, void*, int, int*);
    int (*fwdMax)(void*, int*);
    int (*fwdAlgos)(void*, void*, void*, void*, void*, int, int*, Perf*);
    int (*dataAlgos)(void*, void*, void*, void*, void*, int, int*, Perf*);
    int (*filterAlgos)(void*, void*, void*, void*, void*, int, int*, Perf*);
    int (*fwdFind)(void*, void*, const void*, void*, const void*, void*, void*, void*, int, int*, void*, void*, size_t);
    int (*dataFind)(void*, void*, const void*, void*, const void*, void*, void*, void*, int, int*, void*, void*, size_t);
    int (*fwdWs)(void*, void*, void*, void*, void*, int, size_t*);
    int (*dataWs)(void*, void*, void*, void*, void*, int, size_t*);
    int (*filterWs)(void*, void*, void*, void*, void*, int, size_t*);
    int (*forward)(void*, const void*, void*, const void*, void*, const void*, void*, int, void*, size_t, const void*, void*, void*);
    int (*backwardData)(void*, const void*, void*, const void*, void*, const void*, void*, int, void*, size_t, const void*, void*, void*);
    int (*backwardFilter)(void*, const void*, void*, const void*, void*, const void*, void*, int, void*, size_t, const void*, void*, void*);
    int (*deriveBN)(void*, void*, int);
    int (*bnTrain)(void*, int, const void*, const void*, void*, const void*, void*, void*, void*, const void*, const void*,
                   double, void*, void*, double, void*, void*);
    int (*bnInfer)(void*, int, const void*, const void*, void*, const void*, void*, void*, void*, const void*, const void*,
                   const void*, const void*, double);
    int (*bnBackward)(void*, int, const void*, const void*, const void*, const void*, void*, const void*, void*, const void*,
                      void*, void*, void*, const void*, void*, void*, double, const void*, const void*);
};

Dnn loadDnn() {
    void* graph = openLib("libcudnn_graph.so.9");
    void* ops = openLib("libcudnn_ops.so.9");
    void* cnn = openLib("libcudnn_cnn.so.9");
    void* adv = openLib("libcudnn_adv.so.9");
    void* all = openLib("libcudnn.so.9");
    const char *G = "libcudnn_graph.so.9", *O = "libcudnn_ops.so.9", *C = "libcudnn_cnn.so.9";
    Dnn d;
    bind(d.version, graph, "cudnnGetVersion", G);
    bind(d.errorString, graph, "cudnnGetErrorString", G);
    bind(d.create, graph, "cudnnCreate", G);
    bind(d.destroy, graph, "cudnnDestroy", G);
    bind(d.setStream, graph, "cudnnSetStream", G);
    bind(d.createTensor, ops, "cudnnCreateTensorDescriptor", O);
    bind(d.destroyTensor, ops, "cudnnDestroyTensorDescriptor", O);
    bind(d.setTensor, ops, "cudnnSetTensorNdDescriptor", O);
    bind(d.setTensorEx, ops, "cudnnSetTensorNdDescriptorEx", O);
    bind(d.getTensor, ops, "cudnnGetTensorNdDescriptor", O);
    bind(d.createFilter, ops, "cudnnCreateFilterDescriptor", O);
    bind(d.destroyFilter, ops, "cudnnDestroyFilterDescriptor", O);
    bind(d.setFilter, ops, "cudnnSetFilterNdDescriptor", O);
    bind(d.createConv, cnn, "cudnnCreateConvolutionDescriptor", C);
    bind(d.destroyConv, cnn, "cudnnDestroyConvolutionDescriptor", C);
    bind(d.setConv, cnn, "cudnnSetConvolutionNdDescriptor", C);
    bind(d.setGroups, cnn, "cudnnSetConvolutionGroupCount", C);
    bind(d.setMath, cnn, "cudnnSetConvolutionMathType", C);
    bind(d.outputDim, cnn, "cudnnGetConvolutionNdForwardOutputDim", C);
    bind(d.fwdMax, cnn, "cudnnGetConvolutionForwardAlgorithmMaxCount", C);
    bind(d.fwdAlgos, cnn, "cudnnGetConvolutionForwardAlgorithm_v7", C);
    bind(d.dataAlgos, cnn, "cudnnGetConvolutionBackwardDataAlgorithm_v7", C);
    bind(d.filterAlgos, cnn, "cudnnGetConvolutionBackwardFilterAlgorithm_v7", C);
    bind(d.fwdFind, cnn, "cudnnFindConvolutionForwardAlgorithmEx", C);
    bind(d.dataFind, cnn, "cudnnFindConvolutionBackwardDataAlgorithmEx", C);
    bind(d.fwdWs, cnn, "cudnnGetConvolutionForwardWorkspaceSize", C);
    bind(d.dataWs, cnn, "cudnnGetConvolutionBackwardDataWorkspaceSize", C);
    bind(d.filterWs, cnn, "cudnnGetConvolutionBackwardFilterWorkspaceSize", C);
    bind(d.forward, cnn, "cudnnConvolutionForward", C);
    bind(d.backwardData, cnn, "cudnnConvolutionBackwardData", C);
    bind(d.backwardFilter, cnn, "cudnnConvolutionBackwardFilter", C);
    bind(d.deriveBN, ops, "cudnnDeriveBNTensorDescriptor", O);
    bind(d.bnTrain, ops, "cudnnBatchNormalizationForwardTraining", O);
    bind(d.bnInfer, ops, "cudnnBatchNormalizationForwardInference", O);
    bind(d.bnBackward, ops, "cudnnBatchNormalizationBackward", O);
    size_t (*v)();
    bind(v, adv, "cudnnGetVersion", "libcudnn_adv.so.9");
    CHECK(v() == d.version(), "libcudnn_adv.so.9 version");
    bind(v, all, "cudnnGetVersion", "libcudnn.so.9");
    CHECK(v() == d.version(), "libcudnn.so.9 version");
    return d;
}

struct ConvCase {
    const char* name;
    int sp;  // spatial dims
    int N, C, K, G;
    int in[3], f[3], pad[3], str[3], dil[3];
    int mode;
    int layout;  // 0: packed NCHW, 1: NHWC (Ex), 2: padded strides, 3: packed NCHW through Ex
    int nd() const { return sp + 2; }
    int out(int i) const { return (in[i] + 2 * pad[i] - dil[i] * (f[i] - 1) - 1) / str[i] + 1; }
};

// a tensor as the test sees it: dims and element strides
struct Layout {
    int nd;
    int dims[5];
    int strides[5];
    size_t extent() const {
        size_t e = 1;
        for (int i = 0; i < nd; i++) e += (size_t)(dims[i] - 1) * strides[i];
        return e;
    }
    size_t count() const {
        size_t c = 1;
        for (int i = 0; i < nd; i++) c *= dims[i];
        return c;
    }
    // element offset of a (n, c, spatial...) coordinate
    size_t at(const int* coord) const {
        size_t o = 0;
        for (int i = 0; i < nd; i++) o += (size_t)coord[i] * strides[i];
        return o;
    }
};

Layout makeLayout(int nd, const int* dims, int layout) {
    Layout L;
    L.nd = nd;
    for (int i = 0; i < nd; i++) L.dims[i] = dims[i];
    if (layout == NHWC) {
        L.strides[1] = 1;
        int acc = dims[1];
        for (int i = nd - 1; i >= 2; i--) {
            L.strides[i] = acc;
            acc *= dims[i];
        }
        L.strides[0] = acc;
    } else {
        int acc = 1;
        for (int i = nd - 1; i >= 0; i--) {
            L.strides[i] = acc;
            acc = acc * dims[i] + (layout == 2 ? 1 + i % 2 : 0);  // gaps between rows, planes, images
        }
    }
    return L;
}

// iterate all coordinates of dims[0..nd)
template <class F>
void forEach(int nd, const int* dims, F f) {
    int c[5] = {0, 0, 0, 0, 0};
    for (int i = 0; i < nd; i++)
        if (dims[i] <= 0) return;
    while (true) {
        f(c);
        int i = nd - 1;
        while (i >= 0 && ++c[i] == dims[i]) c[i--] = 0;
        if (i < 0) return;
    }
}

int tapOf(const ConvCase& cc, int i, int t) { return cc.mode == CONVOLUTION ? cc.f[i] - 1 - t : t; }

// references in double, straight from the definition of cross-correlation (mirrored filter for CONVOLUTION)
template <class T>
std::vector<double> refForward(const ConvCase& c, const Layout& X, const std::vector<T>& x, const Layout& W,
                               const std::vector<T>& w, const Layout& Y, bool abs = false) {
    std::vector<double> y(Y.count());
    int Cg = c.C / c.G, Kg = c.K / c.G;
    size_t idx = 0;
    forEach(Y.nd, Y.dims, [&](const int* o) {
        double s = 0;
        int g = o[1] / Kg;
        for (int ci = 0; ci < Cg; ci++)
            forEach(c.sp, c.f, [&](const int* t) {
                int xc[5] = {o[0], g * Cg + ci}, wc[5] = {o[1], ci};
                for (int i = 0; i < c.sp; i++) {
                    xc[2 + i] = o[2 + i] * c.str[i] - c.pad[i] + t[i] * c.dil[i];
                    if (xc[2 + i] < 0 || xc[2 + i] >= c.in[i]) return;
                    wc[2 + i] = tapOf(c, i, t[i]);
                }
                double p = (double)w[W.at(wc)] * (double)x[X.at(xc)];
                s += abs ? std::fabs(p) : p;
            });
        y[idx++] = s;
    });
    return y;
}

template <class T>
std::vector<double> refBackwardData(const ConvCase& c, const Layout& X, const Layout& W, const std::vector<T>& w,
                                    const Layout& Y, const std::vector<T>& dy, bool abs = false) {
    std::vector<double> dx(X.count());
    int Cg = c.C / c.G, Kg = c.K / c.G;
    size_t idx = 0;
    forEach(X.nd, X.dims, [&](const int* xi) {
        double s = 0;
        int g = xi[1] / Cg;
        for (int kk = 0; kk < Kg; kk++)
            forEach(c.sp, c.f, [&](const int* t) {
                int yc[5] = {xi[0], g * Kg + kk}, wc[5] = {g * Kg + kk, xi[1] % Cg};
                for (int i = 0; i < c.sp; i++) {
                    int num = xi[2 + i] + c.pad[i] - t[i] * c.dil[i];  // = o * stride
                    if (num < 0 || num % c.str[i] != 0 || num / c.str[i] >= c.out(i)) return;
                    yc[2 + i] = num / c.str[i];
                    wc[2 + i] = tapOf(c, i, t[i]);
                }
                double p = (double)w[W.at(wc)] * (double)dy[Y.at(yc)];
                s += abs ? std::fabs(p) : p;
            });
        dx[idx++] = s;
    });
    return dx;
}

template <class T>
std::vector<double> refBackwardFilter(const ConvCase& c, const Layout& X, const std::vector<T>& x, const Layout& W,
                                      const Layout& Y, const std::vector<T>& dy, bool abs = false) {
    std::vector<double> dw(W.count());
    int Cg = c.C / c.G, Kg = c.K / c.G;
    int outs[3];
    for (int i = 0; i < c.sp; i++) outs[i] = c.out(i);
    size_t idx = 0;
    forEach(W.nd, W.dims, [&](const int* wi) {
        double s = 0;
        int g = wi[0] / Kg;
        for (int n = 0; n < c.N; n++)
            forEach(c.sp, outs, [&](const int* o) {
                int xc[5] = {n, g * Cg + wi[1]}, yc[5] = {n, wi[0]};
                for (int i = 0; i < c.sp; i++) {
                    int t = tapOf(c, i, wi[2 + i]);
                    xc[2 + i] = o[i] * c.str[i] - c.pad[i] + t * c.dil[i];
                    if (xc[2 + i] < 0 || xc[2 + i] >= c.in[i]) return;
                    yc[2 + i] = o[i];
                }
                double p = (double)dy[Y.at(yc)] * (double)x[X.at(xc)];
                s += abs ? std::fabs(p) : p;
            });
        dw[idx++] = s;
    });
    return dw;
}

// dense-ordered values of a strided tensor
template <class T>
std::vector<double> dense(const Layout& L, const std::vector<T>& v) {
    std::vector<double> d;
    d.reserve(L.count());
    forEach(L.nd, L.dims, [&](const int* c) { d.push_back((double)v[L.at(c)]); });
    return d;
}

template <class T>
std::vector<T> randomTensor(const Layout& L) {
    auto v = randomVec<T>(L.extent());
    std::vector<bool> used(v.size(), false);
    forEach(L.nd, L.dims, [&](const int* c) { used[L.at(c)] = true; });
    for (size_t i = 0; i < v.size(); i++)
        if (!used[i]) v[i] = std::numeric_limits<T>::quiet_NaN();  // gaps: NaN, never read, never written
    return v;
}

struct Descs {
    const Dnn& d;
    void *x = nullptr, *y = nullptr, *w = nullptr, *conv = nullptr;
    explicit Descs(const Dnn& dd) : d(dd) {
        d.createTensor(&x);
        d.createTensor(&y);
        d.createFilter(&w);
        d.createConv(&conv);
    }
    ~Descs() {
        if (x) d.destroyTensor(x);
        if (y) d.destroyTensor(y);
        if (w) d.destroyFilter(w);
        if (conv) d.destroyConv(conv);
    }
};

int setTensor(const Dnn& d, void* desc, int type, const Layout& L, int layout) {
    if (layout == NHWC) return d.setTensorEx(desc, NHWC, type, L.nd, L.dims);
    if (layout == 3) return d.setTensorEx(desc, NCHW, type, L.nd, L.dims);
    return d.setTensor(desc, type, L.nd, L.dims, L.strides);
}

// compares got (strided) with alpha * ref + beta * before, within eps of the terms' magnitude; gaps untouched
template <class T>
void compare(const char* what, const char* name, const Layout& L, const std::vector<T>& got, const std::vector<T>& before,
             const std::vector<double>& ref, const std::vector<double>& mag, double alpha, double beta, double eps) {
    std::vector<bool> used(got.size(), false);
    size_t i = 0;
    int bad = 0;
    std::string first;
    forEach(L.nd, L.dims, [&](const int* co) {
        size_t o = L.at(co);
        used[o] = true;
        double want = alpha * ref[i] + (beta != 0 ? beta * (double)before[o] : 0.0);
        double tol = eps * (std::fabs(alpha) * mag[i] + std::fabs(beta * (beta != 0 ? (double)before[o] : 0.0))) + 1e-300;
        if (!(std::fabs((double)got[o] - want) <= tol)) {
            if (bad++ == 0) first = "at " + std::to_string(i) + ": got " + std::to_string((double)got[o]) + " want " + std::to_string(want);
        }
        i++;
    });
    CHECK(bad == 0, "%s %s: %d of %zu wrong, first %s", name, what, bad, ref.size(), first.c_str());
    int touched = 0;
    for (size_t k = 0; k < got.size(); k++)
        if (!used[k] && !sameBits(got[k], before[k])) touched++;
    CHECK(touched == 0, "%s %s: %d gap elements written", name, what, touched);
}

// the algorithm the Java backend would pick: the first one the heuristics return with status success
int pick(const char* what, const ConvCase& c, int status, int returned, const Perf* perf, int expectCount, size_t& memory) {
    CHECK(status == DN_OK, "%s %s _v7: status %d", c.name, what, status);
    CHECK(returned == expectCount, "%s %s _v7: %d results, expected %d", c.name, what, returned, expectCount);
    for (int i = 0; i < returned; i++)
        if (perf[i].status == DN_OK) {
            memory = perf[i].memory;
            return perf[i].algo;
        }
    CHECK(false, "%s %s: no usable algorithm", c.name, what);
    return -1;
}

template <class T>
void convCase(const Dnn& d, void* h, const ConvCase& c, int math, double* adjoint) {
    const bool f64 = sizeof(T) == 8;
    const int type = f64 ? D_DOUBLE : D_FLOAT;
    const bool tf32Mode = !f64 && math != FMA_MATH;
    std::string label = std::string(c.name) + (f64 ? " f64" : tf32Mode ? " tf32" : " f32");
    ConvCase cl = c;
    cl.name = label.c_str();
    int xd[5] = {c.N, c.C}, wd[5] = {c.K, c.C / c.G}, yd[5] = {c.N, c.K};
    for (int i = 0; i < c.sp; i++) {
        xd[2 + i] = c.in[i];
        wd[2 + i] = c.f[i];
        yd[2 + i] = c.out(i);
    }
    const int tensorLayout = c.layout == 2 ? 2 : c.layout;
    Layout X = makeLayout(c.nd(), xd, tensorLayout), Y = makeLayout(c.nd(), yd, tensorLayout), W = makeLayout(c.nd(), wd, 0);
    Descs ds(d);
    CHECK(setTensor(d, ds.x, type, X, c.layout) == DN_OK, "%s: set x", cl.name);
    CHECK(setTensor(d, ds.y, type, Y, c.layout) == DN_OK, "%s: set y", cl.name);
    {
        int t, n, dims[5], strides[5];
        CHECK(d.getTensor(ds.x, 5, &t, &n, dims, strides) == DN_OK && t == type && n == c.nd() &&
                  std::memcmp(strides, X.strides, n * sizeof(int)) == 0,
              "%s: x descriptor strides", cl.name);
    }
    CHECK(d.setFilter(ds.w, type, NCHW, c.nd(), wd) == DN_OK, "%s: set w", cl.name);
    CHECK(d.setConv(ds.conv, c.sp, c.pad, c.str, c.dil, c.mode, type) == DN_OK, "%s: set conv", cl.name);
    CHECK(d.setGroups(ds.conv, c.G) == DN_OK, "%s: groups", cl.name);
    CHECK(d.setMath(ds.conv, math) == DN_OK, "%s: math", cl.name);
    int od[5] = {};
    CHECK(d.outputDim(ds.conv, ds.x, ds.w, c.nd(), od) == DN_OK && std::memcmp(od, yd, c.nd() * sizeof(int)) == 0,
          "%s: cudnnGetConvolutionNdForwardOutputDim", cl.name);

    auto x = randomTensor<T>(X), w = randomTensor<T>(W), dy = randomTensor<T>(Y);
    auto rnd = [&](std::vector<T> v) {
        if constexpr (sizeof(T) == 4)
            if (tf32Mode)
                for (auto& e : v) e = tf32(e);
        return v;
    };
    auto xr = rnd(x), wr = rnd(w), dyr = rnd(dy);
    Dev<T> dx_(X.extent()), dw_(W.extent()), dy_(Y.extent()), y_(Y.extent()), gx_(X.extent()), gw_(W.extent());
    dx_.load(x);
    dw_.load(w);
    dy_.load(dy);
    const double eps = f64 ? 1e-13 : 2e-6;
    Perf perf[16];
    int returned = 0;
    size_t memory = 0;

    for (int pass = 0; pass < 2; pass++) {
        // pass 0: alpha 1, beta 0 over NaN-filled outputs; pass 1: alpha 0.75, beta -1.25 over random outputs
        const double alpha = pass ? 0.75 : 1.0, beta = pass ? -1.25 : 0.0;
        const T a = static_cast<T>(alpha), b = static_cast<T>(beta);
        auto fill = [&](const Layout& L) {
            auto v = randomTensor<T>(L);
            if (pass == 0)
                forEach(L.nd, L.dims, [&](const int* co) { v[L.at(co)] = std::numeric_limits<T>::quiet_NaN(); });
            return v;
        };

        // forward
        {
            int s = d.fwdAlgos(h, ds.x, ds.w, ds.conv, ds.y, 16, &returned, perf);
            int algo = pick("forward", cl, s, returned, perf, 8, memory);
            size_t ws = 1;
            CHECK(d.fwdWs(h, ds.x, ds.w, ds.conv, ds.y, algo, &ws) == DN_OK && ws == memory, "%s: forward workspace size", cl.name);
            Dev<char> work(memory);
            auto before = fill(Y);
            y_.load(before);
            s = d.forward(h, &a, ds.x, dx_.p, ds.w, dw_.p, ds.conv, algo, memory ? work.p : nullptr, memory, &b, ds.y, y_.p);
            CHECK(s == DN_OK, "%s: forward status %d", cl.name, s);
            compare(pass ? "forward alpha/beta" : "forward", cl.name, Y, y_.get(), before, refForward(c, X, xr, W, wr, Y),
                    refForward(c, X, xr, W, wr, Y, true), alpha, beta, eps);
            if (tf32Mode && pass == 0) {
                // the inputs really were rounded: the unrounded reference is farther off than float rounding
                auto exact = refForward(c, X, x, W, w, Y);
                auto got = dense(Y, y_.get());
                double worst = 0;
                for (size_t i = 0; i < got.size(); i++) worst = std::max(worst, std::fabs(got[i] - exact[i]));
                CHECK(worst > 1e-5, "%s: forward does not look TF32-rounded (max diff %g)", cl.name, worst);
            }
        }
        // backward data
        {
            int s = d.dataAlgos(h, ds.w, ds.y, ds.conv, ds.x, 16, &returned, perf);
            int algo = pick("backward data", cl, s, returned, perf, 6, memory);
            size_t ws = 1;
            CHECK(d.dataWs(h, ds.w, ds.y, ds.conv, ds.x, algo, &ws) == DN_OK && ws == memory, "%s: bwd data workspace size", cl.name);
            Dev<char> work(memory);
            auto before = fill(X);
            gx_.load(before);
            s = d.backwardData(h, &a, ds.w, dw_.p, ds.y, dy_.p, ds.conv, algo, memory ? work.p : nullptr, memory, &b, ds.x, gx_.p);
            CHECK(s == DN_OK, "%s: backward data status %d", cl.name, s);
            compare(pass ? "backward data alpha/beta" : "backward data", cl.name, X, gx_.get(), before,
                    refBackwardData(c, X, W, wr, Y, dyr), refBackwardData(c, X, W, wr, Y, dyr, true), alpha, beta, eps);
        }
        // backward filter
        {
            int s = d.filterAlgos(h, ds.x, ds.y, ds.conv, ds.w, 16, &returned, perf);
            int algo = pick("backward filter", cl, s, returned, perf, 7, memory);
            size_t ws = 1;
            CHECK(d.filterWs(h, ds.x, ds.y, ds.conv, ds.w, algo, &ws) == DN_OK && ws == memory, "%s: bwd filter workspace size", cl.name);
            Dev<char> work(memory);
            auto before = fill(W);
            gw_.load(before);
            s = d.backwardFilter(h, &a, ds.x, dx_.p, ds.y, dy_.p, ds.conv, algo, memory ? work.p : nullptr, memory, &b, ds.w, gw_.p);
            CHECK(s == DN_OK, "%s: backward filter status %d", cl.name, s);
            compare(pass ? "backward filter alpha/beta" : "backward filter", cl.name, W, gw_.get(), before,
                    refBackwardFilter(c, X, xr, W, Y, dyr), refBackwardFilter(c, X, xr, W, Y, dyr, true), alpha, beta, eps);
        }
        if (pass == 0 && adjoint != nullptr) {
            // <conv(x, w), dy> = <x, bwdData(dy, w)> = <w, bwdFilter(x, dy)> on the library's own outputs
            auto yv = dense(Y, y_.get()), dyv = dense(Y, dy), xv = dense(X, x), gxv = dense(X, gx_.get()), wv = dense(W, w),
                 gwv = dense(W, gw_.get());
            double a1 = 0, a2 = 0, a3 = 0, m = 0;
            for (size_t i = 0; i < yv.size(); i++) a1 += yv[i] * dyv[i], m += std::fabs(yv[i] * dyv[i]);
            for (size_t i = 0; i < xv.size(); i++) a2 += xv[i] * gxv[i];
            for (size_t i = 0; i < wv.size(); i++) a3 += wv[i] * gwv[i];
            double tol = (f64 ? 1e-11 : 1e-4) * (m + 1);
            CHECK(std::fabs(a1 - a2) <= tol && std::fabs(a1 - a3) <= tol, "%s: adjoint identity %.17g %.17g %.17g", cl.name, a1, a2, a3);
            *adjoint = std::max(*adjoint, std::max(std::fabs(a1 - a2), std::fabs(a1 - a3)) / (m + 1));
        }
    }
}

const ConvCase CASES[] = {
    // name, sp, N, C, K, G, in, f, pad, stride, dilation, mode, layout
    {"1d pad/stride/dilation/groups", 1, 2, 4, 6, 2, {11}, {3}, {1}, {2}, {2}, CROSS_CORRELATION, 0},
    {"1d as 2d (H=1) like the backend", 2, 3, 3, 2, 1, {1, 9}, {1, 4}, {0, 2}, {1, 1}, {1, 1}, CROSS_CORRELATION, 0},
    {"1d 1x1 stride 3", 1, 2, 5, 3, 1, {10}, {1}, {0}, {3}, {1}, CROSS_CORRELATION, 3},
    {"2d mixed geometry, groups 2", 2, 2, 6, 4, 2, {7, 9}, {3, 2}, {1, 0}, {2, 1}, {1, 2}, CROSS_CORRELATION, 0},
    {"2d 3x3 same, CUDNN_CONVOLUTION", 2, 1, 3, 5, 1, {8, 8}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, CONVOLUTION, 0},
    {"2d depthwise, big pad", 2, 2, 4, 4, 4, {6, 5}, {3, 3}, {2, 2}, {3, 2}, {2, 1}, CROSS_CORRELATION, 0},
    {"2d NHWC strides", 2, 2, 3, 4, 1, {5, 6}, {2, 3}, {1, 1}, {1, 2}, {1, 1}, CROSS_CORRELATION, 1},
    {"2d padded strides", 2, 2, 4, 6, 2, {6, 7}, {3, 3}, {1, 1}, {2, 2}, {1, 1}, CROSS_CORRELATION, 2},
    {"2d filter = input", 2, 2, 2, 3, 1, {4, 5}, {4, 5}, {0, 0}, {1, 1}, {1, 1}, CROSS_CORRELATION, 0},
    {"3d mixed geometry", 3, 2, 2, 3, 1, {5, 6, 4}, {2, 3, 2}, {1, 1, 0}, {1, 2, 1}, {2, 1, 1}, CROSS_CORRELATION, 0},
    {"3d grouped stride 2", 3, 1, 4, 2, 2, {4, 5, 6}, {3, 3, 3}, {1, 1, 1}, {2, 2, 2}, {1, 1, 1}, CROSS_CORRELATION, 0},
    {"3d CUDNN_CONVOLUTION padded strides", 3, 2, 3, 3, 3, {3, 4, 5}, {2, 2, 3}, {1, 0, 2}, {1, 1, 2}, {1, 2, 1}, CONVOLUTION, 2},
};

// Algorithms cuDNN reports as nondeterministic really are: a grouped backward filter, where the heuristics rank
// ALGO_0 first, adds its images' partial sums in a new order per call, while ALGO_1 gives the same bits each time.
void dnnDeterminismTest(const Dnn& d, void* h) {
    const int N = 16, C = 4, K = 4, G = 2;
    int xd[4] = {N, C, 9, 9}, wd[4] = {K, C / G, 3, 3}, yd[4] = {N, K, 9, 9};
    int pad[2] = {1, 1}, str[2] = {1, 1}, dil[2] = {1, 1};
    Layout X = makeLayout(4, xd, 0), Y = makeLayout(4, yd, 0), W = makeLayout(4, wd, 0);
    Descs ds(d);
    CHECK(setTensor(d, ds.x, D_FLOAT, X, 0) == DN_OK && setTensor(d, ds.y, D_FLOAT, Y, 0) == DN_OK &&
              d.setFilter(ds.w, D_FLOAT, NCHW, 4, wd) == DN_OK && d.setConv(ds.conv, 2, pad, str, dil, CROSS_CORRELATION, D_FLOAT) == DN_OK &&
              d.setGroups(ds.conv, G) == DN_OK && d.setMath(ds.conv, FMA_MATH) == DN_OK,
          "determinism: descriptors");
    Perf perf[16];
    int returned = 0;
    CHECK(d.filterAlgos(h, ds.x, ds.y, ds.conv, ds.w, 16, &returned, perf) == DN_OK && returned == 7, "determinism: filter algorithms");
    CHECK(perf[0].algo == 0 && perf[0].status == DN_OK && perf[0].determinism == 0, "determinism: grouped filters rank ALGO_0 (nondeterministic) first, got %d", perf[0].algo);
    CHECK(perf[1].algo == 1 && perf[1].determinism == 1, "determinism: ALGO_1 second, deterministic");
    auto x = randomTensor<float>(X), dy = randomTensor<float>(Y);
    Dev<float> x_(X.extent()), dy_(Y.extent()), gw_(W.extent());
    x_.load(x);
    dy_.load(dy);
    Dev<char> work(perf[1].memory);
    const float a = 1, b = 0;
    for (int algo : {0, 1}) {
        std::vector<std::vector<float>> runs;
        for (int r = 0; r < 4; r++) {
            int s = d.backwardFilter(h, &a, ds.x, x_.p, ds.y, dy_.p, ds.conv, algo, algo ? work.p : nullptr, algo ? perf[1].memory : 0, &b, ds.w, gw_.p);
            CHECK(s == DN_OK, "determinism: backward filter ALGO_%d status %d", algo, s);
            runs.push_back(gw_.get());
        }
        int differing = 0;
        for (int r = 1; r < 4; r++)
            for (size_t i = 0; i < runs[0].size(); i++)
                if (!sameBits(runs[0][i], runs[r][i])) {
                    differing++;
                    break;
                }
        if (algo == 0) CHECK(differing > 0, "determinism: ALGO_0 gave the same bits in 4 calls");
        else CHECK(differing == 0, "determinism: ALGO_1 gave different bits in %d of 3 repeats", differing);
    }
}

// the measured search ranks by its stand-in time (workspace bytes), marks what does not fit the workspace given,
// scribbles on the output and checks its buffers
void dnnFindTest(const Dnn& d, void* h) {
    int xd[4] = {2, 3, 7, 7}, wd[4] = {4, 3, 3, 3}, yd[4] = {2, 4, 7, 7};
    int pad[2] = {1, 1}, str[2] = {1, 1}, dil[2] = {1, 1};
    Layout X = makeLayout(4, xd, 0), Y = makeLayout(4, yd, 0), W = makeLayout(4, wd, 0);
    Descs ds(d);
    CHECK(setTensor(d, ds.x, D_FLOAT, X, 0) == DN_OK && setTensor(d, ds.y, D_FLOAT, Y, 0) == DN_OK &&
              d.setFilter(ds.w, D_FLOAT, NCHW, 4, wd) == DN_OK && d.setConv(ds.conv, 2, pad, str, dil, CROSS_CORRELATION, D_FLOAT) == DN_OK &&
              d.setMath(ds.conv, FMA_MATH) == DN_OK,
          "find: descriptors");
    Dev<float> x_(X.extent()), w_(W.extent()), y_(Y.extent());
    x_.load(randomTensor<float>(X));
    w_.load(randomTensor<float>(W));
    y_.load(std::vector<float>(Y.extent(), 0.0f));
    Perf heur[16], perf[16];
    int nh = 0, n = 0;
    CHECK(d.fwdAlgos(h, ds.x, ds.w, ds.conv, ds.y, 16, &nh, heur) == DN_OK && heur[0].algo == 1, "find: the heuristics rank IMPLICIT_PRECOMP_GEMM first");
    Dev<char> work(1 << 20);
    CHECK(d.fwdFind(h, ds.x, x_.p, ds.w, w_.p, ds.conv, ds.y, y_.p, 16, &n, perf, work.p, 1 << 20) == DN_OK && n == 8, "find: forward, %d results", n);
    CHECK(perf[0].algo == 0 && perf[1].algo == 1 && perf[2].algo == 2, "find: measured order 0, 1, 2, got %d, %d, %d", perf[0].algo, perf[1].algo, perf[2].algo);
    CHECK(perf[0].status == DN_OK && perf[0].time >= 0 && perf[0].time <= perf[1].time && perf[1].time <= perf[2].time, "find: times ascend");
    CHECK(perf[3].status != DN_OK && perf[3].time < 0, "find: unsupported algorithms come last, untimed");
    auto y = y_.get();
    CHECK(std::isnan(y[0]) && std::isnan(y.back()), "find: the output holds trial results (scribbled), not the caller's values");
    CHECK(d.fwdFind(h, ds.x, x_.p, ds.w, w_.p, ds.conv, ds.y, y_.p, 16, &n, perf, nullptr, 0) == DN_OK, "find: no workspace");
    CHECK(perf[0].algo == 0 && perf[0].status == DN_OK && perf[1].status == DN_ALLOC_FAILED, "find: without workspace only IMPLICIT_GEMM runs");
    CHECK(d.dataFind(h, ds.w, w_.p, ds.y, y_.p, ds.conv, ds.x, x_.p, 16, &n, perf, work.p, 1 << 20) == DN_OK, "find: backward data");
    CHECK(perf[0].algo == 0 && perf[0].determinism == 0 && perf[1].algo == 1, "find: backward data measures ALGO_0 (nondeterministic) first");
    long before = reportCount();
    float host = 0;
    CHECK(d.fwdFind(h, ds.x, x_.p, ds.w, w_.p, ds.conv, ds.y, &host, 16, &n, perf, work.p, 1 << 20) == DN_BAD_PARAM, "find: a host output is refused");
    expectReport(before, "is not inside one device allocation", "find: host output");
}

void dnnErrorTests(const Dnn& d, void* h) {
    const int xd[4] = {2, 4, 6, 6}, wd[4] = {6, 2, 3, 3}, yd[4] = {2, 6, 6, 6}, pad[2] = {1, 1}, one[2] = {1, 1};
    auto packed = [](const int* dims, int* st) {
        int acc = 1;
        for (int i = 3; i >= 0; i--) st[i] = acc, acc *= dims[i];
    };
    int xs[4], ys[4];
    packed(xd, xs);
    packed(yd, ys);
    Descs ds(d);
    d.setTensor(ds.x, D_FLOAT, 4, xd, xs);
    d.setTensor(ds.y, D_FLOAT, 4, yd, ys);
    d.setFilter(ds.w, D_FLOAT, NCHW, 4, wd);
    d.setConv(ds.conv, 2, pad, one, one, CROSS_CORRELATION, D_FLOAT);
    d.setGroups(ds.conv, 2);
    Dev<float> x(2 * 4 * 36), w(6 * 2 * 9), y(2 * 6 * 36);
    Dev<char> work(1 << 16);
    float a = 1, b = 0;
    auto fwd = [&](int algo, void* ws, size_t wsBytes) {
        return d.forward(h, &a, ds.x, x.p, ds.w, w.p, ds.conv, algo, ws, wsBytes, &b, ds.y, y.p);
    };
    CHECK(fwd(0, nullptr, 0) == DN_OK, "error tests: the valid setup runs");
    long r = reportCount();
    CHECK(fwd(4, work.p, work.n) == DN_NOT_SUPPORTED, "FFT algorithm");
    expectReport(r, "does not support", "FFT algorithm");
    r = reportCount();
    CHECK(fwd(42, nullptr, 0) == DN_BAD_PARAM, "algorithm 42");
    expectReport(r, "not a forward algorithm", "algorithm 42");
    size_t need = 0;
    d.fwdWs(h, ds.x, ds.w, ds.conv, ds.y, 1, &need);
    r = reportCount();
    CHECK(need > 0 && fwd(1, work.p, need - 1) == DN_BAD_PARAM, "workspace too small");
    expectReport(r, "workspace", "workspace too small");
    if (stub()) {
        std::vector<char> host(need + 256);
        r = reportCount();
        CHECK(fwd(1, host.data(), need) == DN_BAD_PARAM, "host workspace");
        expectReport(r, "workspace", "host workspace");
        std::vector<float> hx(2 * 4 * 36);
        r = reportCount();
        CHECK(d.forward(h, &a, ds.x, hx.data(), ds.w, w.p, ds.conv, 0, nullptr, 0, &b, ds.y, y.p) == DN_BAD_PARAM, "host x");
        expectReport(r, "device allocation", "host x");
        r = reportCount();
        CHECK(d.forward(h, &a, ds.x, x.p, ds.w, w.p, ds.conv, 0, nullptr, 0, &b, ds.y, y.p + 1) == DN_BAD_PARAM, "y past its allocation");
        expectReport(r, "y (", "y past its allocation");
    }
    // output dims that do not follow from the geometry
    int yBad[4] = {2, 6, 6, 7}, ysBad[4];
    packed(yBad, ysBad);
    d.setTensor(ds.y, D_FLOAT, 4, yBad, ysBad);
    r = reportCount();
    CHECK(fwd(0, nullptr, 0) == DN_BAD_PARAM, "output dims mismatch");
    expectReport(r, "does not match the convolution", "output dims mismatch");
    int rr = 0;
    Perf perf[8];
    CHECK(d.fwdAlgos(h, ds.x, ds.w, ds.conv, ds.y, 8, &rr, perf) == DN_BAD_PARAM, "_v7 with mismatched output dims");
    d.setTensor(ds.y, D_FLOAT, 4, yd, ys);
    // groups that do not divide the channels
    d.setGroups(ds.conv, 3);
    r = reportCount();
    CHECK(fwd(0, nullptr, 0) == DN_BAD_PARAM, "group count mismatch");
    expectReport(r, "groups", "group count mismatch");
    d.setGroups(ds.conv, 2);
    // differing data types; double data with float compute
    d.setTensor(ds.x, D_DOUBLE, 4, xd, xs);
    r = reportCount();
    CHECK(fwd(0, nullptr, 0) == DN_BAD_PARAM, "data types differ");
    expectReport(r, "data types differ", "data types differ");
    d.setTensor(ds.y, D_DOUBLE, 4, yd, ys);
    d.setFilter(ds.w, D_DOUBLE, NCHW, 4, wd);
    r = reportCount();
    CHECK(fwd(0, nullptr, 0) == DN_NOT_SUPPORTED, "double data with float compute");
    expectReport(r, "compute type", "double data with float compute");
    // dimension count mismatch
    d.setConv(ds.conv, 1, pad, one, one, CROSS_CORRELATION, D_DOUBLE);
    r = reportCount();
    CHECK(fwd(0, nullptr, 0) == DN_BAD_PARAM, "spatial dims mismatch");
    expectReport(r, "spatial dims", "spatial dims mismatch");
    // descriptors never set, or of the wrong kind
    void* fresh = nullptr;
    d.createTensor(&fresh);
    CHECK(d.forward(h, &a, fresh, x.p, ds.w, w.p, ds.conv, 0, nullptr, 0, &b, ds.y, y.p) == DN_BAD_PARAM, "unset x descriptor");
    CHECK(d.forward(h, &a, ds.w, x.p, ds.w, w.p, ds.conv, 0, nullptr, 0, &b, ds.y, y.p) == DN_BAD_PARAM, "filter passed as tensor");
    d.destroyTensor(fresh);
    // bad descriptor contents
    const int zero[4] = {2, 0, 3, 3};
    CHECK(d.setTensor(ds.x, D_FLOAT, 4, zero, xs) == DN_BAD_PARAM, "zero dim");
    CHECK(d.setTensor(ds.x, D_FLOAT, 2, xd, xs) == DN_NOT_SUPPORTED, "2-d tensor");
    const int stride0[2] = {1, 0};
    CHECK(d.setConv(ds.conv, 2, pad, stride0, one, CROSS_CORRELATION, D_FLOAT) == DN_BAD_PARAM, "stride 0");
    CHECK(d.setMath(ds.conv, 9) == DN_BAD_PARAM, "math type 9");
    CHECK(d.forward(nullptr, &a, ds.x, x.p, ds.w, w.p, ds.conv, 0, nullptr, 0, &b, ds.y, y.p) == DN_BAD_PARAM, "null handle");
}

void dnnCaptureTest(const Dnn& d, void* h, void* stream) {
    if (!stub()) return;
    const ConvCase c = CASES[3];
    int xd[4] = {c.N, c.C, c.in[0], c.in[1]}, wd[4] = {c.K, c.C / c.G, c.f[0], c.f[1]}, yd[4] = {c.N, c.K, c.out(0), c.out(1)};
    Layout X = makeLayout(4, xd, 0), W = makeLayout(4, wd, 0), Y = makeLayout(4, yd, 0);
    auto x = randomTensor<double>(X), w = randomTensor<double>(W);
    Dev<double> dx(X.extent()), dw(W.extent()), dy(Y.extent());
    dx.load(x);
    dw.load(w);
    std::vector<double> before(Y.extent(), -3.0);
    dy.load(before);
    {
        Descs ds(d);
        d.setTensor(ds.x, D_DOUBLE, 4, xd, X.strides);
        d.setTensor(ds.y, D_DOUBLE, 4, yd, Y.strides);
        d.setFilter(ds.w, D_DOUBLE, NCHW, 4, wd);
        d.setConv(ds.conv, 2, c.pad, c.str, c.dil, c.mode, D_DOUBLE);
        d.setGroups(ds.conv, c.G);
        double a = 2, b = 0;
        emu_stub_capture_begin(stream);
        CHECK(d.forward(h, &a, ds.x, dx.p, ds.w, dw.p, ds.conv, 0, nullptr, 0, &b, ds.y, dy.p) == DN_OK, "forward under capture");
        a = 50;
        CHECK(emu_stub_capture_end() == 1, "one convolution captured");
    }  // descriptors destroyed before the replay
    CHECK(dy.get() == before, "captured convolution ran before replay");
    emu_stub_replay();
    auto ref = refForward(c, X, x, W, w, Y), mag = refForward(c, X, x, W, w, Y, true);
    compare("replayed forward", c.name, Y, dy.get(), before, ref, mag, 2.0, 0.0, 1e-13);
}

// ---- batch normalisation ---------------------------------------------------------------------------------------------

enum { BN_PER_ACTIVATION = 0, BN_SPATIAL = 1, BN_SPATIAL_PERSISTENT = 2 };
enum { D_HALF = 2 };

struct BnCase {
    const char* name;
    int nd;
    int dims[5];
    int layout;  // as ConvCase: 0 packed NCHW, 1 NHWC (Ex), 2 padded strides
    int mode;
};

const BnCase BN_CASES[] = {
    {"bn 4d 3x5x7x4", 4, {3, 5, 7, 4}, 0, BN_SPATIAL},
    {"bn 5d 3x5x2x3x2", 5, {3, 5, 2, 3, 2}, 0, BN_SPATIAL_PERSISTENT},
    {"bn 4d NHWC 2x3x5x3", 4, {2, 3, 5, 3}, 1, BN_SPATIAL},
    {"bn 5d padded strides 2x4x3x2x3", 5, {2, 4, 3, 2, 3}, 2, BN_SPATIAL},
};

struct TensorDescs {
    const Dnn& d;
    void* t[4] = {};
    explicit TensorDescs(const Dnn& dd) : d(dd) {
        for (auto& p : t) d.createTensor(&p);
    }
    ~TensorDescs() {
        for (auto* p : t) d.destroyTensor(p);
    }
};

// the layout given to y (and dx, and dy after two steps) for an x in `layout`, so each tensor's strides are exercised
int otherLayout(int layout) { return layout == 0 ? 2 : layout == 2 ? 1 : 0; }

// the per-channel layout [1, C, 1, 1(, 1)], packed
Layout bnParamLayout(int nd, int C) {
    int dims[5] = {1, C, 1, 1, 1};
    return makeLayout(nd, dims, 0);
}

// x with a different offset per channel (statistics far from 0), NaN in the gaps
template <class T>
std::vector<T> bnInput(const Layout& X) {
    auto v = randomTensor<T>(X);
    forEach(X.nd, X.dims, [&](const int* co) { v[X.at(co)] = static_cast<T>(v[X.at(co)] + 2.0 * co[1] - 3.0); });
    return v;
}

template <class T>
void fillNaN(const Layout& L, std::vector<T>& v) {
    forEach(L.nd, L.dims, [&](const int* co) { v[L.at(co)] = std::numeric_limits<T>::quiet_NaN(); });
}

// per-channel mean and biased variance, two passes in double over n and then the spatial dims: the order the
// emulator sums in, so that the statistics (and what is derived from them alone) agree bit for bit
struct BnStats {
    std::vector<double> mean, var;
    double n;
};

template <class T>
BnStats refStats(const Layout& X, const std::vector<T>& x) {
    const int C = X.dims[1];
    BnStats s{std::vector<double>(C, 0.0), std::vector<double>(C, 0.0), static_cast<double>(X.count() / C)};
    forEach(X.nd, X.dims, [&](const int* co) { s.mean[co[1]] += x[X.at(co)]; });
    for (auto& m : s.mean) m /= s.n;
    forEach(X.nd, X.dims, [&](const int* co) {
        const double d = x[X.at(co)] - s.mean[co[1]];
        s.var[co[1]] += d * d;
    });
    for (auto& v : s.var) v /= s.n;
    return s;
}

// how many of got differ in any bit from want rounded to T
template <class T>
int inexact(const std::vector<T>& got, const std::vector<double>& want) {
    int bad = 0;
    for (size_t i = 0; i < want.size(); i++)
        if (!sameBits(got[i], static_cast<T>(want[i]))) bad++;
    return bad;
}

// y = scale * (x - mean) * invstd + bias in dense order, and the magnitude of its terms
template <class T>
void refBnForward(const Layout& X, const std::vector<T>& x, const std::vector<T>& scale, const std::vector<T>& bias,
                  const std::vector<double>& mean, const std::vector<double>& invstd, std::vector<double>& ref,
                  std::vector<double>& mag) {
    ref.clear();
    mag.clear();
    forEach(X.nd, X.dims, [&](const int* co) {
        const int c = co[1];
        const double v = static_cast<double>(scale[c]) * (x[X.at(co)] - mean[c]) * invstd[c];
        ref.push_back(v + bias[c]);
        mag.push_back(std::fabs(v) + std::fabs(static_cast<double>(bias[c])));
    });
}

// training forward: beta 0 over NaN with running (f = 0.1) and saved statistics; beta != 0 with running statistics
// at f = 1 (the batch's unbiased variance) and no saved ones; neither running statistics
template <class T>
void bnTrainCase(const Dnn& d, void* h, const BnCase& bc) {
    const bool f64 = sizeof(T) == 8;
    const int type = f64 ? D_DOUBLE : D_FLOAT;
    const std::string label = std::string(bc.name) + (f64 ? " f64" : " f32");
    const char* name = label.c_str();
    const int yLayout = otherLayout(bc.layout);
    const Layout X = makeLayout(bc.nd, bc.dims, bc.layout), Y = makeLayout(bc.nd, bc.dims, yLayout);
    const int C = bc.dims[1];
    TensorDescs ds(d);
    void *xd = ds.t[0], *yd = ds.t[1], *pd = ds.t[2];
    CHECK(setTensor(d, xd, type, X, bc.layout) == DN_OK && setTensor(d, yd, type, Y, yLayout) == DN_OK, "%s: set x, y", name);
    CHECK(d.deriveBN(pd, xd, bc.mode) == DN_OK, "%s: cudnnDeriveBNTensorDescriptor", name);
    const auto x = bnInput<T>(X);
    const auto scale = randomVec<T>(C), bias = randomVec<T>(C);
    Dev<T> x_(X.extent()), y_(Y.extent()), scale_(C), bias_(C), rm_(C), rv_(C), sm_(C), si_(C);
    x_.load(x);
    scale_.load(scale);
    bias_.load(bias);
    const BnStats st = refStats(X, x);
    struct Pass {
        const char* what;
        double alpha, beta, factor, eps;
        bool running, save;
    };
    const Pass passes[] = {{"training beta 0, f 0.1", 1.0, 0.0, 0.1, 1e-5, true, true},
                           {"training alpha/beta, f 1", 0.75, -1.25, 1.0, 1e-3, true, false},
                           {"training without running statistics", 1.5, 0.0, 0.0, 0.5, false, true}};
    for (const Pass& p : passes) {
        const T a = static_cast<T>(p.alpha), b = static_cast<T>(p.beta);
        auto before = randomTensor<T>(Y);
        if (p.beta == 0) fillNaN(Y, before);  // beta == 0 must not read y
        y_.load(before);
        auto rm0 = randomVec<T>(C), rv0 = randomVec<T>(C);
        for (auto& v : rv0) v = static_cast<T>(std::fabs(v) + 0.5);
        rm_.load(rm0);
        rv_.load(rv0);
        const std::vector<T> nan(C, std::numeric_limits<T>::quiet_NaN());
        sm_.load(nan);
        si_.load(nan);
        int s = d.bnTrain(h, bc.mode, &a, &b, xd, x_.p, yd, y_.p, pd, scale_.p, bias_.p, p.factor, p.running ? rm_.p : nullptr,
                          p.running ? rv_.p : nullptr, p.eps, p.save ? sm_.p : nullptr, p.save ? si_.p : nullptr);
        CHECK(s == DN_OK, "%s %s: status %d", name, p.what, s);
        std::vector<double> invstd(C), ref, mag;
        for (int c = 0; c < C; c++) invstd[c] = 1.0 / std::sqrt(st.var[c] + p.eps);
        refBnForward(X, x, scale, bias, st.mean, invstd, ref, mag);
        compare(p.what, name, Y, y_.get(), before, ref, mag, p.alpha, p.beta, f64 ? 1e-13 : 1e-6);
        if (p.save) {
            CHECK(inexact(sm_.get(), st.mean) == 0, "%s %s: saved mean differs from the reference", name, p.what);
            CHECK(inexact(si_.get(), invstd) == 0, "%s %s: saved inverse standard deviation differs", name, p.what);
        }
        if (p.running) {
            std::vector<double> wantMean(C), wantVar(C), unbiased(C);
            for (int c = 0; c < C; c++) {
                unbiased[c] = st.var[c] * st.n / (st.n - 1);
                wantMean[c] = (1 - p.factor) * static_cast<double>(rm0[c]) + p.factor * st.mean[c];
                wantVar[c] = (1 - p.factor) * static_cast<double>(rv0[c]) + p.factor * unbiased[c];
            }
            const auto rm = rm_.get(), rv = rv_.get();
            CHECK(inexact(rm, wantMean) == 0, "%s %s: running mean differs from (1 - f) * running + f * mean", name, p.what);
            CHECK(inexact(rv, wantVar) == 0, "%s %s: running variance differs from (1 - f) * running + f * unbiased", name, p.what);
            if (p.factor == 1.0)  // f = 1: exactly the batch's mean and unbiased variance, nothing of the old values
                CHECK(inexact(rv, unbiased) == 0 && inexact(rm, st.mean) == 0, "%s %s: f = 1 is not the batch statistics", name, p.what);
        }
    }
}

// inference forward with given statistics, beta 0 over NaN and beta != 0
template <class T>
void bnInferCase(const Dnn& d, void* h, const BnCase& bc) {
    const bool f64 = sizeof(T) == 8;
    const int type = f64 ? D_DOUBLE : D_FLOAT;
    const std::string label = std::string(bc.name) + (f64 ? " f64" : " f32");
    const char* name = label.c_str();
    const int yLayout = otherLayout(bc.layout);
    const Layout X = makeLayout(bc.nd, bc.dims, bc.layout), Y = makeLayout(bc.nd, bc.dims, yLayout);
    const int C = bc.dims[1];
    TensorDescs ds(d);
    void *xd = ds.t[0], *yd = ds.t[1], *pd = ds.t[2];
    setTensor(d, xd, type, X, bc.layout);
    setTensor(d, yd, type, Y, yLayout);
    d.deriveBN(pd, xd, bc.mode);
    const auto x = bnInput<T>(X);
    const auto scale = randomVec<T>(C), bias = randomVec<T>(C), mean = randomVec<T>(C);
    auto var = randomVec<T>(C);
    for (auto& v : var) v = static_cast<T>(std::fabs(v) + 0.25);
    Dev<T> x_(X.extent()), y_(Y.extent()), scale_(C), bias_(C), m_(C), v_(C);
    x_.load(x);
    scale_.load(scale);
    bias_.load(bias);
    m_.load(mean);
    v_.load(var);
    const double eps = 1e-4;
    std::vector<double> meanD(mean.begin(), mean.end()), invstd(C), ref, mag;
    for (int c = 0; c < C; c++) invstd[c] = 1.0 / std::sqrt(static_cast<double>(var[c]) + eps);
    refBnForward(X, x, scale, bias, meanD, invstd, ref, mag);
    for (int pass = 0; pass < 2; pass++) {
        const double alpha = pass ? 0.5 : 1.0, beta = pass ? 1.5 : 0.0;
        const T a = static_cast<T>(alpha), b = static_cast<T>(beta);
        auto before = randomTensor<T>(Y);
        if (beta == 0) fillNaN(Y, before);
        y_.load(before);
        int s = d.bnInfer(h, bc.mode, &a, &b, xd, x_.p, yd, y_.p, pd, scale_.p, bias_.p, m_.p, v_.p, eps);
        CHECK(s == DN_OK, "%s inference: status %d", name, s);
        compare(pass ? "inference alpha/beta" : "inference", name, Y, y_.get(), before, ref, mag, alpha, beta, f64 ? 1e-13 : 1e-6);
    }
}

// backward against the formulas: saved statistics with beta 0 over NaN, recomputed ones with both betas != 0
template <class T>
void bnBackwardCase(const Dnn& d, void* h, const BnCase& bc) {
    const bool f64 = sizeof(T) == 8;
    const int type = f64 ? D_DOUBLE : D_FLOAT;
    const std::string label = std::string(bc.name) + (f64 ? " f64" : " f32");
    const char* name = label.c_str();
    const int dyLayout = otherLayout(otherLayout(bc.layout)), dxLayout = otherLayout(bc.layout);
    const Layout X = makeLayout(bc.nd, bc.dims, bc.layout), DY = makeLayout(bc.nd, bc.dims, dyLayout),
                 DX = makeLayout(bc.nd, bc.dims, dxLayout), P = bnParamLayout(bc.nd, bc.dims[1]);
    const int C = bc.dims[1];
    TensorDescs ds(d);
    void *xd = ds.t[0], *dyd = ds.t[1], *dxd = ds.t[2], *pd = ds.t[3];
    CHECK(setTensor(d, xd, type, X, bc.layout) == DN_OK && setTensor(d, dyd, type, DY, dyLayout) == DN_OK &&
              setTensor(d, dxd, type, DX, dxLayout) == DN_OK && d.deriveBN(pd, xd, bc.mode) == DN_OK,
          "%s: backward descriptors", name);
    const auto x = bnInput<T>(X), dy = randomTensor<T>(DY);
    const auto scale = randomVec<T>(C);
    Dev<T> x_(X.extent()), dy_(DY.extent()), dx_(DX.extent()), scale_(C), ds_(C), db_(C), sm_(C), si_(C);
    x_.load(x);
    dy_.load(dy);
    scale_.load(scale);
    const BnStats st = refStats(X, x);
    const double n = st.n;
    for (int pass = 0; pass < 2; pass++) {
        const bool saved = pass == 0;
        const double eps = saved ? 1e-5 : 1e-3;
        const double alphaD = saved ? 1.0 : 0.5, betaD = saved ? 0.0 : 2.0, alphaP = saved ? 1.0 : -1.5, betaP = saved ? 0.0 : 0.25;
        const T aD = static_cast<T>(alphaD), bD = static_cast<T>(betaD), aP = static_cast<T>(alphaP), bP = static_cast<T>(betaP);
        // the statistics the kernel uses: saved as the forward stores them (rounded to T), or recomputed
        std::vector<double> mean(C), inv(C);
        std::vector<T> savedMean(C), savedInv(C);
        for (int c = 0; c < C; c++) {
            savedMean[c] = static_cast<T>(st.mean[c]);
            savedInv[c] = static_cast<T>(1.0 / std::sqrt(st.var[c] + eps));
            mean[c] = saved ? static_cast<double>(savedMean[c]) : st.mean[c];
            inv[c] = saved ? static_cast<double>(savedInv[c]) : 1.0 / std::sqrt(st.var[c] + eps);
        }
        sm_.load(savedMean);
        si_.load(savedInv);
        auto before = randomTensor<T>(DX);
        if (betaD == 0) fillNaN(DX, before);
        dx_.load(before);
        auto dsBefore = randomVec<T>(C), dbBefore = randomVec<T>(C);
        if (betaP == 0) fillNaN(P, dsBefore), fillNaN(P, dbBefore);
        ds_.load(dsBefore);
        db_.load(dbBefore);
        int s = d.bnBackward(h, bc.mode, &aD, &bD, &aP, &bP, xd, x_.p, dyd, dy_.p, dxd, dx_.p, pd, scale_.p, ds_.p, db_.p, eps,
                             saved ? sm_.p : nullptr, saved ? si_.p : nullptr);
        CHECK(s == DN_OK, "%s backward: status %d", name, s);
        // dbias = sum(dy), dscale = sum(dy * xhat), dx = scale * invstd * (dy - dbias / n - xhat * dscale / n)
        std::vector<double> db(C, 0.0), dsc(C, 0.0), dbAbs(C, 0.0), dsAbs(C, 0.0);
        forEach(X.nd, X.dims, [&](const int* co) {
            const int c = co[1];
            const double g = dy[DY.at(co)], xhat = (x[X.at(co)] - mean[c]) * inv[c];
            db[c] += g;
            dsc[c] += g * xhat;
            dbAbs[c] += std::fabs(g);
            dsAbs[c] += std::fabs(g * xhat);
        });
        std::vector<double> ref, mag;
        forEach(X.nd, X.dims, [&](const int* co) {
            const int c = co[1];
            const double g = dy[DY.at(co)], xhat = (x[X.at(co)] - mean[c]) * inv[c], gain = scale[c] * inv[c];
            ref.push_back(gain * (g - db[c] / n - xhat * dsc[c] / n));
            mag.push_back(std::fabs(gain) * (std::fabs(g) + dbAbs[c] / n + std::fabs(xhat) * dsAbs[c] / n));
        });
        const double tol = f64 ? 1e-12 : 1e-6;
        compare(saved ? "backward dx, saved statistics" : "backward dx alpha/beta, recomputed statistics", name, DX, dx_.get(),
                before, ref, mag, alphaD, betaD, tol);
        compare(saved ? "backward dscale" : "backward dscale alpha/beta", name, P, ds_.get(), dsBefore, dsc, dsAbs, alphaP, betaP, tol);
        compare(saved ? "backward dbias" : "backward dbias alpha/beta", name, P, db_.get(), dbBefore, db, dbAbs, alphaP, betaP, tol);
    }
}

// dx, dscale and dbias against central differences of loss = sum(y * dy), y the library's training forward
double bnGradientCheck(const Dnn& d, void* h) {
    const int dims[4] = {2, 2, 3, 2};
    const Layout X = makeLayout(4, dims, 0);
    const int C = 2;
    TensorDescs ds(d);
    void *xd = ds.t[0], *yd = ds.t[1], *pd = ds.t[2];
    setTensor(d, xd, D_DOUBLE, X, 0);
    setTensor(d, yd, D_DOUBLE, X, 0);
    d.deriveBN(pd, xd, BN_SPATIAL);
    const auto x = bnInput<double>(X), dy = randomTensor<double>(X), scale = randomVec<double>(C), bias = randomVec<double>(C);
    Dev<double> x_(X.extent()), y_(X.extent()), dy_(X.extent()), dx_(X.extent()), s_(C), b_(C), gs_(C), gb_(C);
    const double eps = 1e-3, one = 1, zero = 0;
    auto loss = [&](const std::vector<double>& xv, const std::vector<double>& sv, const std::vector<double>& bv) {
        x_.load(xv);
        s_.load(sv);
        b_.load(bv);
        CHECK(d.bnTrain(h, BN_SPATIAL, &one, &zero, xd, x_.p, yd, y_.p, pd, s_.p, b_.p, 0.0, nullptr, nullptr, eps, nullptr,
                        nullptr) == DN_OK, "gradient check: forward");
        const auto y = y_.get();
        double l = 0;
        for (size_t i = 0; i < y.size(); i++) l += y[i] * dy[i];
        return l;
    };
    loss(x, scale, bias);
    dy_.load(dy);
    CHECK(d.bnBackward(h, BN_SPATIAL, &one, &zero, &one, &zero, xd, x_.p, yd, dy_.p, yd, dx_.p, pd, s_.p, gs_.p, gb_.p, eps,
                       nullptr, nullptr) == DN_OK, "gradient check: backward");
    const auto dx = dx_.get(), gs = gs_.get(), gb = gb_.get();
    const double step = 1e-5;
    double worst = 0;
    int bad = 0;
    char first[160] = "";
    auto check = [&](double analytic, double plus, double minus, const char* what, size_t i) {
        const double fd = (plus - minus) / (2 * step), err = std::fabs(fd - analytic) / (1 + std::fabs(analytic));
        worst = std::max(worst, err);
        if (!(err <= 1e-7) && bad++ == 0)
            std::snprintf(first, sizeof first, "%s[%zu] analytic %.12g, central difference %.12g", what, i, analytic, fd);
    };
    for (size_t i = 0; i < x.size(); i++) {
        auto xp = x, xm = x;
        xp[i] += step;
        xm[i] -= step;
        check(dx[i], loss(xp, scale, bias), loss(xm, scale, bias), "dx", i);
    }
    for (size_t c = 0; c < static_cast<size_t>(C); c++) {
        auto sp = scale, sm = scale, bp = bias, bm = bias;
        sp[c] += step;
        sm[c] -= step;
        bp[c] += step;
        bm[c] -= step;
        check(gs[c], loss(x, sp, bias), loss(x, sm, bias), "dscale", c);
        check(gb[c], loss(x, scale, bp), loss(x, scale, bm), "dbias", c);
    }
    CHECK(bad == 0, "gradient check: %d of %zu derivatives off, first %s", bad, x.size() + 2 * C, first);
    return worst;
}

void bnDeriveTests(const Dnn& d) {
    TensorDescs ds(d);
    void *x = ds.t[0], *p = ds.t[1], *fresh = ds.t[3];
    auto expect = [&](int type, int nd, const int* dims, const char* what) {
        int t = -1, n = 0, got[5] = {}, strides[5] = {}, packed[5];
        int acc = 1;
        for (int i = nd - 1; i >= 0; i--) packed[i] = acc, acc *= dims[i];
        CHECK(d.getTensor(p, 5, &t, &n, got, strides) == DN_OK && t == type && n == nd &&
                  std::memcmp(got, dims, nd * sizeof(int)) == 0 && std::memcmp(strides, packed, nd * sizeof(int)) == 0,
              "derive %s: type %d, dims %d [%d %d %d %d %d], strides [%d %d %d %d %d]", what, t, n, got[0], got[1], got[2],
              got[3], got[4], strides[0], strides[1], strides[2], strides[3], strides[4]);
    };
    const int x4[4] = {3, 5, 7, 4}, x5[5] = {3, 5, 2, 3, 2};
    const Layout L4 = makeLayout(4, x4, 0), L5 = makeLayout(5, x5, 1);
    d.setTensor(x, D_FLOAT, 4, L4.dims, L4.strides);
    CHECK(d.deriveBN(p, x, BN_SPATIAL) == DN_OK, "derive spatial");
    const int s4[4] = {1, 5, 1, 1}, a4[4] = {1, 5, 7, 4}, s5[5] = {1, 5, 1, 1, 1}, a5[5] = {1, 5, 2, 3, 2};
    expect(D_FLOAT, 4, s4, "4d spatial");
    CHECK(d.deriveBN(p, x, BN_PER_ACTIVATION) == DN_OK, "derive per activation");
    expect(D_FLOAT, 4, a4, "4d per activation");
    d.setTensor(x, D_DOUBLE, 5, L5.dims, L5.strides);  // NDHWC x: the derived descriptor is packed all the same
    CHECK(d.deriveBN(p, x, BN_SPATIAL_PERSISTENT) == DN_OK, "derive spatial persistent");
    expect(D_DOUBLE, 5, s5, "5d spatial persistent, double");
    CHECK(d.deriveBN(p, x, BN_PER_ACTIVATION) == DN_OK, "derive 5d per activation");
    expect(D_DOUBLE, 5, a5, "5d per activation, double");
    d.setTensor(x, D_HALF, 4, L4.dims, L4.strides);
    CHECK(d.deriveBN(p, x, BN_SPATIAL) == DN_OK, "derive from half data");
    expect(D_FLOAT, 4, s4, "half data takes float parameters");
    d.setTensor(x, D_FLOAT, 4, L4.dims, L4.strides);
    long r = reportCount();
    CHECK(d.deriveBN(p, x, 7) == DN_BAD_PARAM, "derive mode 7");
    expectReport(r, "mode 7", "derive mode 7");
    r = reportCount();
    CHECK(d.deriveBN(p, fresh, BN_SPATIAL) == DN_BAD_PARAM, "derive from an unset descriptor");
    expectReport(r, "never set", "derive from an unset descriptor");
    const int x3[3] = {2, 3, 4}, st3[3] = {12, 4, 1};
    d.setTensor(x, D_FLOAT, 3, x3, st3);
    r = reportCount();
    CHECK(d.deriveBN(p, x, BN_SPATIAL) == DN_BAD_PARAM, "derive from a 3-d tensor");
    expectReport(r, "4 or 5", "derive from a 3-d tensor");
}

void bnErrorTests(const Dnn& d, void* h) {
    const int xdims[4] = {2, 3, 4, 5};
    const Layout X = makeLayout(4, xdims, 0);
    TensorDescs ds(d);
    void *xd = ds.t[0], *yd = ds.t[1], *pd = ds.t[2], *other = ds.t[3];
    d.setTensor(xd, D_FLOAT, 4, X.dims, X.strides);
    d.setTensor(yd, D_FLOAT, 4, X.dims, X.strides);
    d.deriveBN(pd, xd, BN_SPATIAL);
    Dev<float> x(X.count()), y(X.count()), dx(X.count()), sc(3), bi(3), rm(3), rv(3), sm(3), si(3);
    x.load(randomVec<float>(X.count()));
    sc.load(randomVec<float>(3));
    bi.load(randomVec<float>(3));
    rm.load(randomVec<float>(3));
    rv.load(std::vector<float>(3, 1.0f));
    const float a = 1, b = 0;
    auto train = [&](int mode, double eps, void* yDesc, void* pDesc, const void* xp, void* runMean, void* runVar, void* saveMean,
                     void* saveInv, const void* scale) {
        return d.bnTrain(h, mode, &a, &b, xd, xp, yDesc, y.p, pDesc, scale, bi.p, 0.1, runMean, runVar, eps, saveMean, saveInv);
    };
    auto ok = [&](int mode, double eps) { return train(mode, eps, yd, pd, x.p, rm.p, rv.p, sm.p, si.p, sc.p); };
    auto backward = [&](int mode, double eps, void* dxDesc, const void* savedMean, const void* savedInv, void* dBias) {
        return d.bnBackward(h, mode, &a, &b, &a, &b, xd, x.p, yd, y.p, dxDesc, dx.p, pd, sc.p, sm.p, dBias, eps, savedMean, savedInv);
    };
    CHECK(ok(BN_SPATIAL, 1e-5) == DN_OK, "bn error tests: the valid setup runs");
    CHECK(backward(BN_SPATIAL, 1e-5, yd, sm.p, si.p, bi.p) == DN_OK, "bn error tests: the valid backward runs");
    // epsilon: CUDNN_BN_MIN_EPSILON is 0 in cuDNN 9, so only a negative (or NaN) epsilon is refused
    long r = reportCount();
    CHECK(ok(BN_SPATIAL, -1e-3) == DN_BAD_PARAM, "negative epsilon");
    expectReport(r, "CUDNN_BN_MIN_EPSILON", "negative epsilon");
    CHECK(ok(BN_SPATIAL, std::numeric_limits<double>::quiet_NaN()) == DN_BAD_PARAM, "NaN epsilon");
    CHECK(backward(BN_SPATIAL, -1e-3, yd, nullptr, nullptr, bi.p) == DN_BAD_PARAM, "backward negative epsilon");
    CHECK(ok(BN_SPATIAL, 1e-6) == DN_OK && ok(BN_SPATIAL, 0.0) == DN_OK, "epsilon 1e-6 and 0 (>= CUDNN_BN_MIN_EPSILON)");
    // modes
    r = reportCount();
    CHECK(ok(BN_PER_ACTIVATION, 1e-5) == DN_NOT_SUPPORTED, "per-activation training");
    expectReport(r, "PER_ACTIVATION", "per-activation training");
    r = reportCount();
    CHECK(backward(BN_PER_ACTIVATION, 1e-5, yd, sm.p, si.p, bi.p) == DN_NOT_SUPPORTED, "per-activation backward");
    expectReport(r, "PER_ACTIVATION", "per-activation backward");
    CHECK(d.bnInfer(h, BN_PER_ACTIVATION, &a, &b, xd, x.p, yd, y.p, pd, sc.p, bi.p, rm.p, rv.p, 1e-5) == DN_NOT_SUPPORTED,
          "per-activation inference");
    r = reportCount();
    CHECK(ok(9, 1e-5) == DN_BAD_PARAM, "mode 9");
    expectReport(r, "mode 9", "mode 9");
    CHECK(ok(BN_SPATIAL_PERSISTENT, 1e-5) == DN_OK, "spatial persistent");
    // optional pairs, required pointers
    r = reportCount();
    CHECK(train(BN_SPATIAL, 1e-5, yd, pd, x.p, rm.p, nullptr, sm.p, si.p, sc.p) == DN_BAD_PARAM, "running mean without variance");
    expectReport(r, "both null or both non-null", "running mean without variance");
    r = reportCount();
    CHECK(train(BN_SPATIAL, 1e-5, yd, pd, x.p, rm.p, rv.p, nullptr, si.p, sc.p) == DN_BAD_PARAM, "saved inverse variance without mean");
    expectReport(r, "resultSaveMean", "saved inverse variance without mean");
    CHECK(train(BN_SPATIAL, 1e-5, yd, pd, x.p, nullptr, nullptr, nullptr, nullptr, sc.p) == DN_OK, "no optional outputs");
    r = reportCount();
    CHECK(train(BN_SPATIAL, 1e-5, yd, pd, x.p, rm.p, rv.p, sm.p, si.p, nullptr) == DN_BAD_PARAM, "null bnScale");
    expectReport(r, "required", "null bnScale");
    CHECK(d.bnTrain(h, BN_SPATIAL, nullptr, &b, xd, x.p, yd, y.p, pd, sc.p, bi.p, 0.1, nullptr, nullptr, 1e-5, nullptr, nullptr) ==
              DN_BAD_PARAM, "null alpha");
    CHECK(d.bnTrain(nullptr, BN_SPATIAL, &a, &b, xd, x.p, yd, y.p, pd, sc.p, bi.p, 0.1, nullptr, nullptr, 1e-5, nullptr, nullptr) ==
              DN_BAD_PARAM, "null handle");
    r = reportCount();
    CHECK(backward(BN_SPATIAL, 1e-5, yd, sm.p, nullptr, bi.p) == DN_BAD_PARAM, "saved mean without inverse variance");
    expectReport(r, "savedMean and savedInvVariance", "saved mean without inverse variance");
    CHECK(backward(BN_SPATIAL, 1e-5, yd, nullptr, nullptr, nullptr) == DN_BAD_PARAM, "null dBnBiasResult");
    CHECK(backward(BN_SPATIAL, 1e-5, yd, nullptr, nullptr, bi.p) == DN_OK, "backward recomputing the statistics");
    // descriptors that disagree
    const int ybad[4] = {2, 3, 4, 6};
    const Layout YB = makeLayout(4, ybad, 0);
    d.setTensor(other, D_FLOAT, 4, YB.dims, YB.strides);
    r = reportCount();
    CHECK(train(BN_SPATIAL, 1e-5, other, pd, x.p, rm.p, rv.p, sm.p, si.p, sc.p) == DN_BAD_PARAM, "y dims differ from x");
    expectReport(r, "does not match", "y dims differ from x");
    r = reportCount();
    CHECK(backward(BN_SPATIAL, 1e-5, other, sm.p, si.p, bi.p) == DN_BAD_PARAM, "dx dims differ from x");
    expectReport(r, "dxDesc", "dx dims differ from x");
    d.setTensor(other, D_DOUBLE, 4, X.dims, X.strides);
    r = reportCount();
    CHECK(train(BN_SPATIAL, 1e-5, other, pd, x.p, rm.p, rv.p, sm.p, si.p, sc.p) == DN_BAD_PARAM, "y double, x float");
    expectReport(r, "data types differ", "y double, x float");
    const int p4[4] = {1, 4, 1, 1}, pstr[4] = {4, 1, 1, 1};
    d.setTensor(other, D_FLOAT, 4, p4, pstr);
    r = reportCount();
    CHECK(train(BN_SPATIAL, 1e-5, yd, other, x.p, rm.p, rv.p, sm.p, si.p, sc.p) == DN_BAD_PARAM, "scale descriptor [1, 4, 1, 1]");
    expectReport(r, "is not [1, 3, 1, 1]", "scale descriptor [1, 4, 1, 1]");
    d.deriveBN(other, xd, BN_PER_ACTIVATION);
    r = reportCount();
    CHECK(train(BN_SPATIAL, 1e-5, yd, other, x.p, rm.p, rv.p, sm.p, si.p, sc.p) == DN_BAD_PARAM, "per-activation scale descriptor");
    expectReport(r, "bnScaleBiasMeanVarDesc", "per-activation scale descriptor");
    const int p3[4] = {1, 3, 1, 1}, p3str[4] = {3, 1, 1, 1};
    d.setTensor(other, D_DOUBLE, 4, p3, p3str);
    r = reportCount();
    CHECK(train(BN_SPATIAL, 1e-5, yd, other, x.p, rm.p, rv.p, sm.p, si.p, sc.p) == DN_BAD_PARAM, "double scale for float data");
    expectReport(r, "float parameters", "double scale for float data");
    const int x3[3] = {2, 3, 20}, st3[3] = {60, 20, 1};
    d.setTensor(other, D_FLOAT, 3, x3, st3);
    r = reportCount();
    CHECK(d.bnTrain(h, BN_SPATIAL, &a, &b, other, x.p, other, y.p, pd, sc.p, bi.p, 0.1, nullptr, nullptr, 1e-5, nullptr, nullptr) ==
              DN_BAD_PARAM, "3-d x");
    expectReport(r, "4 or 5", "3-d x");
    d.setTensor(other, D_HALF, 4, X.dims, X.strides);
    CHECK(d.bnTrain(h, BN_SPATIAL, &a, &b, other, x.p, other, y.p, pd, sc.p, bi.p, 0.1, nullptr, nullptr, 1e-5, nullptr, nullptr) ==
              DN_NOT_SUPPORTED, "half data");
    void* fresh = nullptr;
    d.createTensor(&fresh);
    r = reportCount();
    CHECK(train(BN_SPATIAL, 1e-5, fresh, pd, x.p, rm.p, rv.p, sm.p, si.p, sc.p) == DN_BAD_PARAM, "unset y descriptor");
    expectReport(r, "never set", "unset y descriptor");
    d.destroyTensor(fresh);
    if (stub()) {
        std::vector<float> host(X.count());
        r = reportCount();
        CHECK(train(BN_SPATIAL, 1e-5, yd, pd, host.data(), rm.p, rv.p, sm.p, si.p, sc.p) == DN_BAD_PARAM, "host x");
        expectReport(r, "device allocation", "host x");
        r = reportCount();
        CHECK(train(BN_SPATIAL, 1e-5, yd, pd, x.p, rm.p + 1, rv.p, sm.p, si.p, sc.p) == DN_BAD_PARAM, "running mean past its allocation");
        expectReport(r, "resultRunningMean (", "running mean past its allocation");
    }
}

// a training forward captured, its descriptors destroyed and its scalars changed, then replayed
void bnCaptureTest(const Dnn& d, void* h, void* stream) {
    if (!stub()) return;
    const int dims[4] = {2, 3, 2, 2};
    const Layout X = makeLayout(4, dims, 0);
    const int C = 3;
    const auto x = bnInput<double>(X), scale = randomVec<double>(C), bias = randomVec<double>(C), rm0 = randomVec<double>(C);
    Dev<double> x_(X.extent()), y_(X.extent()), s_(C), b_(C), rm_(C), rv_(C);
    x_.load(x);
    s_.load(scale);
    b_.load(bias);
    rm_.load(rm0);
    rv_.load(std::vector<double>(C, 1.0));
    const std::vector<double> before(X.extent(), -3.0);
    y_.load(before);
    {
        TensorDescs ds(d);
        d.setTensor(ds.t[0], D_DOUBLE, 4, X.dims, X.strides);
        d.setTensor(ds.t[1], D_DOUBLE, 4, X.dims, X.strides);
        d.deriveBN(ds.t[2], ds.t[0], BN_SPATIAL);
        double a = 2, b = 0;
        emu_stub_capture_begin(stream);
        CHECK(d.bnTrain(h, BN_SPATIAL, &a, &b, ds.t[0], x_.p, ds.t[1], y_.p, ds.t[2], s_.p, b_.p, 0.5, rm_.p, rv_.p, 1e-5,
                        nullptr, nullptr) == DN_OK, "batch norm under capture");
        a = 50;
        CHECK(emu_stub_capture_end() == 1, "one batch norm captured");
    }
    CHECK(y_.get() == before && rm_.get() == rm0, "captured batch norm ran before replay");
    emu_stub_replay();
    const BnStats st = refStats(X, x);
    std::vector<double> invstd(C), ref, mag, wantMean(C);
    for (int c = 0; c < C; c++) {
        invstd[c] = 1.0 / std::sqrt(st.var[c] + 1e-5);
        wantMean[c] = 0.5 * rm0[c] + 0.5 * st.mean[c];
    }
    refBnForward(X, x, scale, bias, st.mean, invstd, ref, mag);
    compare("replayed training forward", "bn capture", X, y_.get(), before, ref, mag, 2.0, 0.0, 1e-13);
    CHECK(inexact(rm_.get(), wantMean) == 0, "replayed batch norm: running mean");
}

void bnTests(const Dnn& d, void* h, void* stream) {
    bnDeriveTests(d);
    int n = 0;
    for (const BnCase& c : BN_CASES) {
        bnTrainCase<float>(d, h, c);
        bnTrainCase<double>(d, h, c);
        bnInferCase<float>(d, h, c);
        bnInferCase<double>(d, h, c);
        bnBackwardCase<float>(d, h, c);
        bnBackwardCase<double>(d, h, c);
        n++;
    }
    std::printf("  batch norm: %d shapes x (f32, f64) x (training x 3, inference x 2, backward x 2)\n", n);
    if (stub()) CHECK(emu_stub_last_stream() == stream, "batch norm did not run on the handle's stream");
    std::printf("  batch norm gradient check: worst relative gap %.2e (f64)\n", bnGradientCheck(d, h));
    bnErrorTests(d, h);
    bnCaptureTest(d, h, stream);
}

void dnnTests() {
    Dnn d = loadDnn();
    CHECK(d.version() / 10000 == 9, "cudnnGetVersion %zu", d.version());
    CHECK(std::strcmp(d.errorString(DN_BAD_PARAM), "CUDNN_STATUS_BAD_PARAM") == 0, "cudnnGetErrorString");
    void* h = nullptr;
    CHECK(d.create(&h) == DN_OK && h != nullptr, "cudnnCreate");
    void* stream = reinterpret_cast<void*>(0x7e57);
    CHECK(d.setStream(h, stream) == DN_OK, "cudnnSetStream");
    int maxCount = 0;
    CHECK(d.fwdMax(h, &maxCount) == DN_OK && maxCount == 8, "forward algorithm max count");
    double worstAdjointF64 = 0, worstAdjointF32 = 0;
    int n = 0;
    for (const ConvCase& c : CASES) {
        convCase<float>(d, h, c, FMA_MATH, &worstAdjointF32);
        convCase<float>(d, h, c, DEFAULT_MATH, nullptr);
        convCase<double>(d, h, c, FMA_MATH, &worstAdjointF64);
        n++;
    }
    std::printf("  conv: %d geometries x (f32, tf32, f64) x (forward, backward data, backward filter) x (beta 0, beta != 0)\n", n);
    std::printf("  adjoint identity: worst relative gap %.2e (f64), %.2e (f32)\n", worstAdjointF64, worstAdjointF32);
    if (stub()) CHECK(emu_stub_last_stream() == stream, "convolution did not run on the handle's stream");
    dnnErrorTests(d, h);
    dnnDeterminismTest(d, h);
    dnnFindTest(d, h);
    dnnCaptureTest(d, h, stream);
    bnTests(d, h, stream);
    CHECK(d.destroy(h) == DN_OK, "cudnnDestroy");
}

}  // namespace

int main() {
    if (emu_stub_quiet) emu_stub_quiet(1);
    std::printf("emulator cuBLAS/cuDNN test%s\n", stub() ? " (stub runtime)" : "");
    std::printf("cuBLAS\n");
    blasTests();
    std::printf("cuDNN\n");
    dnnTests();
    std::printf("%d checks, %d failed: %s\n", checks, failures, failures ? "FAIL" : "OK");
    return failures ? 1 : 0;
}
