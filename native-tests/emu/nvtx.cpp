// Stand-in for libnvtx3interop.so.1: the two range calls the backend makes, recorded per thread so that a test
// can read back which ranges an op opened and that every push met its pop (emu_nvtx_* below, not NVTX's API).
#include <string>
#include <vector>

namespace {
thread_local std::vector<std::string> events;  // "push NAME" or "pop", oldest first
thread_local int depth = 0;
}

extern "C" int nvtxRangePushA(const char* message) {
    events.push_back(std::string("push ") + (message ? message : ""));
    return depth++;  // NVTX returns the zero-based level of the range opened
}

extern "C" int nvtxRangePop() {
    if (depth == 0) {
        events.push_back("pop without push");
        return -1;  // as NVTX does when there is no range to close
    }
    events.push_back("pop");
    return --depth;
}

// The calling thread's events, newline-separated, into out (at most cap - 1 characters and a NUL); returns the
// full length, so a caller can tell that it cut.
extern "C" int emu_nvtx_events(char* out, int cap) {
    std::string all;
    for (const std::string& e : events) all += e + "\n";
    if (cap > 0) {
        size_t n = all.size() < (size_t) cap - 1 ? all.size() : (size_t) cap - 1;
        all.copy(out, n);
        out[n] = '\0';
    }
    return (int) all.size();
}

extern "C" void emu_nvtx_clear() {
    events.clear();
}

extern "C" int emu_nvtx_depth() {
    return depth;
}
