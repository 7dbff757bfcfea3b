// The emulator's NVRTC (built as libnvrtc.so.13): "compiles" a kernel source by handing it to the host C++
// compiler after device.h, which makes CUDA C++ host code, and returns the resulting shared object as the
// "cubin" (the emulator's runtime loads it in cuModuleLoadData). Kernels are found by preprocessing the source
// with __global__ left in place; each gets a launch entry (EMU_KERNEL). The compiler is $DPVM_EMU_CXX, else g++.
//
// Options: --gpu-architecture and the other NVRTC flags are accepted and ignored; -D and -I are passed on.
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

const char* DEVICE_H =
#include "device_h.inc"
    ;

enum { NVRTC_SUCCESS = 0, NVRTC_ERROR_INVALID_INPUT = 3, NVRTC_ERROR_INVALID_PROGRAM = 4, NVRTC_ERROR_COMPILATION = 6, NVRTC_ERROR_INTERNAL_ERROR = 11 };

struct Program {
    std::string name, source;
    std::vector<std::pair<std::string, std::string>> headers;  // include name, text
    std::string log;
    std::string image;
};

bool write_file(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary);
    f << text;
    return bool(f);
}

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

std::string quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

// Runs a shell command, appending its output to the log; true on exit status 0.
bool run(const std::string& command, std::string& log) {
    std::string out = command + " 2>&1";
    FILE* p = popen(out.c_str(), "r");
    if (!p) {
        log += "cannot start: " + command + "\n";
        return false;
    }
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) log.append(buf, n);
    return pclose(p) == 0;
}

bool ident_char(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

struct Kernel {
    std::string name;
    long bound;  // __launch_bounds__'s most threads per block, 0 when the kernel declares none
};

// The kernels in preprocessed text: the identifier after each "__global__ void", and the first argument of a
// "__launch_bounds__(...)" between the two (device.h keeps it in the discovery pass).
std::vector<Kernel> kernels(const std::string& text) {
    std::vector<Kernel> found;
    auto skip = [&](size_t i) {
        while (i < text.size() && isspace((unsigned char) text[i])) i++;
        return i;
    };
    for (size_t at = text.find("__global__"); at != std::string::npos; at = text.find("__global__", at + 10)) {
        size_t i = skip(at + 10);
        if (text.compare(i, 4, "void") != 0) continue;
        i = skip(i + 4);
        long bound = 0;
        if (text.compare(i, 17, "__launch_bounds__") == 0) {
            i = skip(i + 17);
            if (i < text.size() && text[i] == '(') bound = strtol(text.c_str() + i + 1, nullptr, 0);
            size_t close = text.find(')', i);
            if (close == std::string::npos) continue;
            i = skip(close + 1);
        }
        size_t start = i;
        while (i < text.size() && ident_char(text[i])) i++;
        if (i > start) found.push_back({text.substr(start, i - start), bound});
    }
    return found;
}

void remove_tree(const std::string& dir) {
    if (DIR* d = opendir(dir.c_str())) {
        while (dirent* e = readdir(d)) {
            std::string n = e->d_name;
            if (n != "." && n != "..") unlink((dir + "/" + n).c_str());
        }
        closedir(d);
    }
    rmdir(dir.c_str());
}

std::string safe(const std::string& name) {
    std::string s;
    for (char c : name) s += ident_char(c) || c == '.' || c == '-' ? c : '_';
    return s.empty() ? "kernel.cu" : s;
}

// Shared memory holds garbage when a block starts, on a GPU; here a __shared__ array is a function static. So each
// declaration `__shared__ T name[...];` gets a registration after it (device.h: shared_array), and every block
// starts with the registered arrays filled with 0xff bytes (NaN in float and double, -1 in integers): a kernel that
// reads shared memory before writing it computes NaN here too. The registration's static flag is initialised once,
// by the first thread that reaches the declaration, before any thread can have written the array.
std::string poison_shared(const std::string& source) {
    static const std::regex declaration(R"((__shared__\s+[A-Za-z_][\w:<>, ]*?\s+([A-Za-z_]\w*)\s*(?:\[[^\]\n]*\]\s*)+;))");
    return std::regex_replace(source, declaration, "$1 static const bool $2_emu_registered = emu_dev::shared_array($2, sizeof($2));");
}

int compile(Program& p, const std::vector<std::string>& options) {
    const char* tmp = getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/dpvm-emu-nvrtc-XXXXXX";
    std::vector<char> dir(pattern.begin(), pattern.end());
    dir.push_back(0);
    if (!mkdtemp(dir.data())) {
        p.log = "cannot create a folder for " + pattern;
        return NVRTC_ERROR_INTERNAL_ERROR;
    }
    std::string d = dir.data(), src = safe(p.name);
    bool ok = write_file(d + "/emu_device.h", DEVICE_H) && write_file(d + "/" + src, poison_shared(p.source));
    for (auto& h : p.headers) ok = ok && write_file(d + "/" + safe(h.first), poison_shared(h.second));
    if (!ok) {
        remove_tree(d);
        p.log = "cannot write the sources to " + d;
        return NVRTC_ERROR_INTERNAL_ERROR;
    }
    const char* cxx = getenv("DPVM_EMU_CXX");
    std::string compiler = cxx && *cxx ? cxx : "g++", passed;
    for (const std::string& o : options)
        if (o.rfind("-D", 0) == 0 || o.rfind("-I", 0) == 0) passed += " " + quote(o);
    std::string common = compiler + " -std=c++17 -x c++ -I" + quote(d) + passed;
    // NVRTC contracts a * b + c into one fused multiply-add unless --fmad=false, and so does this compile where the
    // host has FMA (-O1 alone leaves products and sums apart; -fexpensive-optimizations lets g++ fuse them): code
    // that needs the separate roundings must say so (__fmul_rn and friends), here as on the GPU. The contractions
    // g++ picks are not ptxas's, so results that depend on them differ from the GPU's in the last bits either way.
    bool fmad = true;
    for (const std::string& o : options)
        if (o == "--fmad=false" || o == "-fmad=false") fmad = false;
    std::string contract = fmad && __builtin_cpu_supports("fma") ? " -ffp-contract=fast -mfma -fexpensive-optimizations" : " -ffp-contract=off";
    int rc = NVRTC_SUCCESS;
    if (!run(common + " -E -P -DEMU_DISCOVER -include emu_device.h " + quote(d + "/" + src) + " -o " + quote(d + "/found.ii"), p.log)) {
        rc = NVRTC_ERROR_COMPILATION;
    } else {
        std::string wrapper = "#include \"emu_device.h\"\n#include \"" + src + "\"\n";
        for (const Kernel& k : kernels(read_file(d + "/found.ii"))) {
            wrapper += "EMU_KERNEL(" + k.name + ")\n";
            if (k.bound > 0) wrapper += "EMU_BOUNDS(" + k.name + ", " + std::to_string(k.bound) + ")\n";
        }
        wrapper += "EMU_MODULE()\n";
        write_file(d + "/emu_module.cpp", wrapper);
        if (!run(common + " -O1 -fPIC -shared" + contract + " -fno-fast-math -U_FORTIFY_SOURCE -w " + quote(d + "/emu_module.cpp") + " -o " + quote(d + "/module.so"), p.log)) {
            rc = NVRTC_ERROR_COMPILATION;
        } else {
            std::string so = read_file(d + "/module.so");
            uint64_t n = so.size();
            p.image = std::string("DPVMEMU1", 8) + std::string((const char*) &n, 8) + so;
        }
    }
    remove_tree(d);
    return rc;
}

}  // namespace

extern "C" {

const char* nvrtcGetErrorString(int e) {
    switch (e) {
        case NVRTC_SUCCESS: return "NVRTC_SUCCESS";
        case NVRTC_ERROR_INVALID_INPUT: return "NVRTC_ERROR_INVALID_INPUT";
        case NVRTC_ERROR_INVALID_PROGRAM: return "NVRTC_ERROR_INVALID_PROGRAM";
        case NVRTC_ERROR_COMPILATION: return "NVRTC_ERROR_COMPILATION";
        default: return "NVRTC_ERROR_INTERNAL_ERROR";
    }
}

// The emulator reports version 0.1, so kernel caches keyed by NVRTC's version never mix its images with
// real cubins.
int nvrtcVersion(int* major, int* minor) {
    *major = 0;
    *minor = 1;
    return NVRTC_SUCCESS;
}

int nvrtcCreateProgram(void** prog, const char* src, const char* name, int numHeaders, const char* const* headers, const char* const* includeNames) {
    if (!prog || !src) return NVRTC_ERROR_INVALID_INPUT;
    Program* p = new Program();
    p->source = src;
    p->name = name ? name : "default_program";
    for (int i = 0; i < numHeaders; i++) p->headers.emplace_back(includeNames[i], headers[i]);
    *prog = p;
    return NVRTC_SUCCESS;
}

int nvrtcCompileProgram(void* prog, int numOptions, const char* const* options) {
    if (!prog) return NVRTC_ERROR_INVALID_PROGRAM;
    std::vector<std::string> opts;
    for (int i = 0; i < numOptions; i++) opts.emplace_back(options[i]);
    return compile(*(Program*) prog, opts);
}

int nvrtcGetProgramLogSize(void* prog, size_t* size) {
    *size = ((Program*) prog)->log.size() + 1;
    return NVRTC_SUCCESS;
}

int nvrtcGetProgramLog(void* prog, char* log) {
    const std::string& l = ((Program*) prog)->log;
    memcpy(log, l.c_str(), l.size() + 1);
    return NVRTC_SUCCESS;
}

int nvrtcGetCUBINSize(void* prog, size_t* size) {
    *size = ((Program*) prog)->image.size();
    return NVRTC_SUCCESS;
}

int nvrtcGetCUBIN(void* prog, char* cubin) {
    const std::string& img = ((Program*) prog)->image;
    memcpy(cubin, img.data(), img.size());
    return NVRTC_SUCCESS;
}

int nvrtcDestroyProgram(void** prog) {
    delete (Program*) *prog;
    *prog = nullptr;
    return NVRTC_SUCCESS;
}

}  // extern "C"
