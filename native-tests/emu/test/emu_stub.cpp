// Test-only stand-in for the emulator runtime (built as libcudart.so.13 with version node libcudart.so.13 by
// run.sh here): the emu.h contract, cudaMalloc/cudaFree as aligned host allocations, and hooks for the test to
// see which stream work went to, to record work as a graph capture would and replay it, and to read reports.

#include "emu.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace {
std::recursive_mutex lock;
std::map<const char*, size_t> allocations;  // start -> bytes
void* captureStream = nullptr;
bool capturing = false;
std::vector<std::function<void()>> recorded;
void* lastStream = reinterpret_cast<void*>(-1);
long submits = 0, reports = 0;
std::string lastReport;
bool quiet = false;
}  // namespace

namespace emu {

void submit(void* stream, std::function<void()> work) {
    std::lock_guard<std::recursive_mutex> g(lock);
    lastStream = stream;
    submits++;
    if (capturing && stream == captureStream)
        recorded.push_back(std::move(work));
    else
        work();
}

bool is_device_range(const void* p, size_t bytes) {
    std::lock_guard<std::recursive_mutex> g(lock);
    const char* c = static_cast<const char*>(p);
    auto it = allocations.upper_bound(c);
    if (it == allocations.begin()) return false;
    --it;
    return c >= it->first && c + bytes <= it->first + it->second && c + bytes >= c;
}

void report(const char* who, const char* message) {
    std::lock_guard<std::recursive_mutex> g(lock);
    reports++;
    lastReport = std::string(who) + ": " + message;
    if (!quiet) std::fprintf(stderr, "[emu] %s\n", lastReport.c_str());
}

}  // namespace emu

extern "C" int cudaMalloc(void** p, size_t bytes) {
    if (p == nullptr) return 1;
    size_t n = (bytes + 255) / 256 * 256;
    if (n == 0) n = 256;
    void* m = std::aligned_alloc(256, n);
    if (m == nullptr) return 2;
    std::memset(m, 0xa5, n);  // not zero: kernels must not rely on fresh memory being cleared
    std::lock_guard<std::recursive_mutex> g(lock);
    allocations[static_cast<const char*>(m)] = bytes;
    *p = m;
    return 0;
}

extern "C" int cudaFree(void* p) {
    if (p == nullptr) return 0;
    std::lock_guard<std::recursive_mutex> g(lock);
    auto it = allocations.find(static_cast<const char*>(p));
    if (it == allocations.end()) return 1;
    allocations.erase(it);
    std::free(p);
    return 0;
}

// work runs at submit here, so a stream has nothing left to wait for (cuDNN's measured search synchronises)
extern "C" int cudaStreamSynchronize(void*) { return 0; }

extern "C" void emu_stub_capture_begin(void* stream) {
    std::lock_guard<std::recursive_mutex> g(lock);
    capturing = true;
    captureStream = stream;
    recorded.clear();
}

extern "C" long emu_stub_capture_end() {
    std::lock_guard<std::recursive_mutex> g(lock);
    capturing = false;
    return static_cast<long>(recorded.size());
}

extern "C" void emu_stub_replay() {
    std::lock_guard<std::recursive_mutex> g(lock);
    for (auto& w : recorded) w();
}

extern "C" void* emu_stub_last_stream() { return lastStream; }
extern "C" long emu_stub_submits() { return submits; }
extern "C" long emu_stub_reports() { return reports; }
extern "C" const char* emu_stub_last_report() { return lastReport.c_str(); }
extern "C" void emu_stub_quiet(int q) { quiet = q != 0; }
