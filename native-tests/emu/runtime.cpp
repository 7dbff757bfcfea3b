// The emulator's CUDA runtime and driver (built as libcudart.so.13; libcuda.so.1 is an empty companion so the
// JavaCPP bindings link): one device with host memory as device memory, streams with queues of work, events
// with host clocks, graph capture and replay, and kernel modules made by the emulator's NVRTC (shared objects
// compiled from the kernel sources, see device.h) launched on fibers.
//
// Streams are lazy by default (DPVM_EMU_STREAMS=lazy): queued work runs only when the host has to see it (a
// synchronisation, a copy to host memory, an event wait, cudaFree), and then only the work it depends on: the
// stream's earlier work and, through event waits, other streams' work. So work on two streams that the host
// forgot to order runs in the wrong order every time, not once in a thousand runs, and an error inside a
// kernel surfaces at the next synchronisation, as on a GPU. DPVM_EMU_STREAMS=eager runs work at once instead.
//
// Only what the engine's CUDA backend calls is here. Parameter checks are stricter than the real library's
// where that helps find host-side bugs: copies must stay inside live allocations, a stream being captured
// cannot be synchronised, the elapsed time of an event that has not completed is refused, and so is work on a
// destroyed stream.
#include "emu.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace {

enum {
    cudaSuccess = 0,
    cudaErrorInvalidValue = 1,
    cudaErrorMemoryAllocation = 2,
    cudaErrorInvalidDevice = 101,
    cudaErrorInvalidResourceHandle = 400,
    cudaErrorNotReady = 600,
    cudaErrorIllegalAddress = 700,
    cudaErrorLaunchFailure = 719,
    cudaErrorStreamCaptureUnsupported = 900,
    cudaErrorStreamCaptureInvalidated = 901,
    cudaErrorStreamCaptureUnmatched = 903,
};
enum {
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
    CUDA_ERROR_LAUNCH_FAILED = 719,
    CUDA_ERROR_NOT_SUPPORTED = 801,
};
enum { cudaMemcpyHostToHost, cudaMemcpyHostToDevice, cudaMemcpyDeviceToHost, cudaMemcpyDeviceToDevice, cudaMemcpyDefault };
enum {
    cudaDevAttrMultiProcessorCount = 16,
    cudaDevAttrL2CacheSize = 38,
    cudaDevAttrMaxThreadsPerMultiProcessor = 39,
    cudaDevAttrComputeCapabilityMajor = 75,
    cudaDevAttrComputeCapabilityMinor = 76,
};

// A small device, so grid-stride loops and multi-block paths run even on test-sized inputs.
constexpr int MULTIPROCESSORS = 2;
// The most threads per block the emulator launches for a kernel that declares no __launch_bounds__: a GPU runs
// more only while the kernel's registers fit (65536 a multiprocessor, up to 255 a thread), which depends on
// the compiler; with 256 they always fit, so refusing more here makes the register limit a rule, not luck.
constexpr int UNBOUNDED_THREADS = 256;
constexpr int L2_BYTES = 4 << 20;

std::recursive_mutex lock;
std::map<uintptr_t, size_t> allocations;  // start -> bytes (rounded to 256), not counting the redzones
size_t allocated = 0;

// Every allocation sits between two redzones of canary words. A kernel that wrote past the end (or before the
// start) of an operand it was given is named when its launch ends; any other writer, when the memory is freed.
// The canary reads as a float NaN and a negative int, so a kernel that reads past an operand tends to fail the
// comparison with the CPU, or an index check, too.
constexpr size_t REDZONE = 256;
constexpr uint32_t CANARY = 0xFFA5A5A5u;

void paint_redzones(uintptr_t start, size_t bytes) {
    for (size_t i = 0; i < REDZONE; i += 4) {
        memcpy((char*) start - REDZONE + i, &CANARY, 4);
        memcpy((char*) start + bytes + i, &CANARY, 4);
    }
}

// "" when both redzones of the allocation at `start` are intact, else what was overwritten (and repaints it).
std::string check_redzones(uintptr_t start, size_t bytes) {
    long before = -1, after = -1;
    for (size_t i = 0; i < REDZONE; i += 4) {
        if (memcmp((char*) start - REDZONE + i, &CANARY, 4) != 0 && before < 0) before = (long) (REDZONE - i);
        if (memcmp((char*) start + bytes + i, &CANARY, 4) != 0) after = (long) (i + 4);
    }
    if (before < 0 && after < 0) return "";
    paint_redzones(start, bytes);
    char text[200];
    snprintf(text, sizeof text, "the %zu-byte allocation at 0x%lx was written %s%s%s", bytes, (unsigned long) start,
             after >= 0 ? ("up to " + std::to_string(after) + " bytes past its end").c_str() : "",
             after >= 0 && before >= 0 ? " and " : "",
             before >= 0 ? ("up to " + std::to_string(before) + " bytes before its start").c_str() : "");
    return text;
}
std::string last_message;

size_t memory_limit() {
    const char* v = getenv("DPVM_EMU_MEMORY_MIB");
    long mib = v ? atol(v) : 4096;
    return (size_t) (mib > 0 ? mib : 4096) << 20;
}

struct Graph {
    std::vector<std::function<void()>> work;
};

struct Stream;

// Queued work and what it waits for: other streams' work up to a count (event waits, and the legacy default
// stream's implicit ordering with blocking streams). Every count refers to work queued earlier, so waits
// cannot form a cycle.
struct Item {
    std::function<void()> work;  // empty for a pure wait
    std::vector<std::pair<Stream*, uint64_t>> after;
};

struct Stream {
    Graph* capture = nullptr;
    bool blocking = true;  // ordered with the legacy default stream (not created with cudaStreamNonBlocking)
    bool destroyed = false;
    std::deque<Item> queue;
    uint64_t queued = 0, completed = 0;  // items ever queued / run
};

Stream legacy;                 // the legacy default stream (nullptr in the API)
std::vector<Stream*> streams;  // live created streams; destroyed ones are kept (events may name them) but not listed

Stream* of(void* stream) { return stream ? (Stream*) stream : &legacy; }

struct Event {
    double ms = 0;
    bool recorded = false;
    Stream* stream = nullptr;  // where the last record was queued (null: recorded inside a graph, position unknown)
    uint64_t position = 0;     // complete once stream->completed reaches it
};

bool lazy_streams() {
    static const bool lazy = [] {
        const char* v = getenv("DPVM_EMU_STREAMS");
        if (!v || !*v || !strcmp(v, "lazy")) return true;
        if (!strcmp(v, "eager")) return false;
        fprintf(stderr, "cuda-emu: DPVM_EMU_STREAMS=%s is neither lazy nor eager; using lazy\n", v);
        return true;
    }();
    return lazy;
}

struct Module {
    void* so;
    int (*run)(void (*)(void**), void**, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, const char**);
};

struct Function {
    Module* module;
    std::string name;
    void (*kernel)(void**);
    int (*params)(size_t*);
    int maxThreads;  // per block: the kernel's __launch_bounds__, else UNBOUNDED_THREADS
    bool bounded;    // whether the kernel declares __launch_bounds__
};

double now_ms() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

// Set by work that fails while it runs (a kernel whose block cannot finish), read by the call that ran it.
thread_local int failure = 0;

// The runtime's per-thread last error: set by a failing runtime call, returned and cleared by cudaGetLastError,
// so a caller that handles an error (the caching allocator after a failed cudaMalloc) must clear it, as on a GPU.
thread_local int last_error = 0;

// The live allocation holding address a, or allocations.end().
std::map<uintptr_t, size_t>::iterator holding(uintptr_t a) {
    auto it = allocations.upper_bound(a);
    if (it == allocations.begin()) return allocations.end();
    --it;
    return a < it->first + it->second ? it : allocations.end();
}

bool inside(const void* p, size_t bytes) {
    auto it = holding((uintptr_t) p);
    return it != allocations.end() && (uintptr_t) p + bytes <= it->first + it->second;
}

bool capturing(void* stream) { return stream && ((Stream*) stream)->capture; }

bool destroyed(void* stream) { return stream && ((Stream*) stream)->destroyed; }

// Runs s's queued work until s->completed reaches `upto`, first running whatever each item waits for. Returns
// cudaErrorLaunchFailure if a kernel failed on the way (the rest still runs), else cudaSuccess.
int drain(Stream* s, uint64_t upto) {
    int result = cudaSuccess;
    while (s->completed < upto && !s->queue.empty()) {
        Item item = std::move(s->queue.front());
        s->queue.pop_front();
        for (auto& [other, count] : item.after)
            if (drain(other, count) != cudaSuccess) result = cudaErrorLaunchFailure;
        if (item.work) {
            failure = 0;
            item.work();
            if (failure) result = cudaErrorLaunchFailure;
        }
        s->completed++;
    }
    return result;
}

int drain(Stream* s) { return drain(s, s->queued); }

bool complete(const Event* e) { return !e->stream || e->stream->completed >= e->position; }

int drain_all() {
    int result = drain(&legacy);
    for (Stream* s : streams)
        if (drain(s) != cudaSuccess) result = cudaErrorLaunchFailure;
    return result;
}

// Queues an item on s (with the legacy stream's implicit ordering against blocking streams); eager streams run
// it at once. Returns what running it returned (always cudaSuccess for lazy streams).
int enqueue(Stream* s, Item item) {
    if (s == &legacy) {
        for (Stream* b : streams)
            if (b->blocking && b->queued > b->completed) item.after.emplace_back(b, b->queued);
    } else if (s->blocking && legacy.queued > legacy.completed) {
        item.after.emplace_back(&legacy, legacy.queued);
    }
    s->queue.push_back(std::move(item));
    s->queued++;
    return lazy_streams() ? cudaSuccess : drain(s);
}

}  // namespace

namespace emu {

void submit(void* stream, std::function<void()> work) {
    std::lock_guard<std::recursive_mutex> g(lock);
    if (destroyed(stream)) {
        report("cudart", "work queued on a destroyed stream (dropped; a GPU may crash or run it on a stream that reuses the handle)");
        return;
    }
    if (capturing(stream)) {
        ((Stream*) stream)->capture->work.push_back(std::move(work));
    } else {
        enqueue(of(stream), Item{std::move(work), {}});
    }
}

bool is_device_range(const void* p, size_t bytes) {
    std::lock_guard<std::recursive_mutex> g(lock);
    return inside(p, bytes);
}

void report(const char* who, const char* message) {
    std::lock_guard<std::recursive_mutex> g(lock);
    last_message = std::string(who) + ": " + message;
    fprintf(stderr, "cuda-emu: %s\n", last_message.c_str());
}

}  // namespace emu

namespace {

int fail(int code, const std::string& message) {
    emu::report("cudart", message.c_str());
    last_error = code;
    return code;
}

// Driver API failures are returned only: the driver has no last-error state of its own, and the runtime's is
// not touched by driver calls.
int driver_fail(int code, const std::string& message) {
    emu::report("cudart", message.c_str());
    return code;
}

}  // namespace

extern "C" {

// ---------------------------------------------------------------- device

int cudaGetDeviceCount(int* count) {
    *count = 1;
    return cudaSuccess;
}

// the CUDA version the presets were built for (13.1), as driver and runtime report it: major * 1000 + minor * 10
int cudaDriverGetVersion(int* version) {
    if (version == nullptr) return fail(cudaErrorInvalidValue, "cudaDriverGetVersion: version is null");
    *version = 13010;
    return cudaSuccess;
}

int cudaRuntimeGetVersion(int* version) {
    if (version == nullptr) return fail(cudaErrorInvalidValue, "cudaRuntimeGetVersion: version is null");
    *version = 13010;
    return cudaSuccess;
}

int cudaSetDevice(int device) { return device == 0 ? cudaSuccess : fail(cudaErrorInvalidDevice, "no device " + std::to_string(device)); }

int cudaDeviceGetAttribute(int* value, int attr, int device) {
    if (device != 0) return fail(cudaErrorInvalidDevice, "no device " + std::to_string(device));
    switch (attr) {
        case cudaDevAttrMultiProcessorCount: *value = MULTIPROCESSORS; return cudaSuccess;
        case cudaDevAttrL2CacheSize: *value = L2_BYTES; return cudaSuccess;
        case cudaDevAttrMaxThreadsPerMultiProcessor: *value = 2048; return cudaSuccess;  // compute capability 9.0's
        case cudaDevAttrComputeCapabilityMajor: *value = 9; return cudaSuccess;
        case cudaDevAttrComputeCapabilityMinor: *value = 0; return cudaSuccess;
        default: return fail(cudaErrorInvalidValue, "attribute " + std::to_string(attr) + " is not emulated");
    }
}

int cudaDeviceSynchronize() {
    std::lock_guard<std::recursive_mutex> g(lock);
    int e = drain_all();
    return e ? last_error = e : cudaSuccess;
}

int cudaGetLastError() {
    int e = last_error;
    last_error = cudaSuccess;
    return e;
}

const char* cudaGetErrorName(int e) {
    switch (e) {
        case cudaSuccess: return "cudaSuccess";
        case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
        case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
        case cudaErrorInvalidDevice: return "cudaErrorInvalidDevice";
        case cudaErrorInvalidResourceHandle: return "cudaErrorInvalidResourceHandle";
        case cudaErrorNotReady: return "cudaErrorNotReady";
        case cudaErrorIllegalAddress: return "cudaErrorIllegalAddress";
        case cudaErrorLaunchFailure: return "cudaErrorLaunchFailure";
        case cudaErrorStreamCaptureUnsupported: return "cudaErrorStreamCaptureUnsupported";
        case cudaErrorStreamCaptureInvalidated: return "cudaErrorStreamCaptureInvalidated";
        case cudaErrorStreamCaptureUnmatched: return "cudaErrorStreamCaptureUnmatched";
        default: return "cudaErrorUnknown";
    }
}

const char* cudaGetErrorString(int e) {
    static thread_local std::string s;
    std::lock_guard<std::recursive_mutex> g(lock);
    s = std::string(cudaGetErrorName(e)) + " (emulated" + (last_message.empty() ? "" : "; last: " + last_message) + ")";
    return s.c_str();
}

// ---------------------------------------------------------------- memory

int cudaMalloc(void** p, size_t bytes) {
    std::lock_guard<std::recursive_mutex> g(lock);
    *p = nullptr;
    // compared before rounding, so a request near SIZE_MAX fails cleanly instead of wrapping around
    if (bytes > memory_limit() - allocated) return last_error = cudaErrorMemoryAllocation;  // no report: the caching allocator handles this
    size_t rounded = (bytes + 255) / 256 * 256;
    if (rounded == 0) rounded = 256;
    if (rounded > memory_limit() - allocated) return last_error = cudaErrorMemoryAllocation;
    char* base = (char*) aligned_alloc(256, rounded + 2 * REDZONE);
    if (!base) return last_error = cudaErrorMemoryAllocation;
    char* m = base + REDZONE;
    memset(m, 0xFF, rounded);  // fresh device memory reads as NaN / -1, so unwritten outputs show
    paint_redzones((uintptr_t) m, rounded);
    allocations[(uintptr_t) m] = rounded;
    allocated += rounded;
    *p = m;
    return cudaSuccess;
}

// Waits for all queued work first, as cudaFree does on a GPU (queued work may still use the memory).
int cudaFree(void* p) {
    std::lock_guard<std::recursive_mutex> g(lock);
    if (!p) return cudaSuccess;
    auto it = allocations.find((uintptr_t) p);
    if (it == allocations.end()) return fail(cudaErrorInvalidValue, "cudaFree of an address that is not an allocation's start");
    int e = drain_all();
    std::string damage = check_redzones(it->first, it->second);
    allocated -= it->second;
    allocations.erase(it);
    free((char*) p - REDZONE);
    if (!damage.empty()) return fail(cudaErrorIllegalAddress, "cudaFree: " + damage + " by work queued while it was live (a library call, or a kernel through an address it computed)");
    return e ? last_error = e : cudaSuccess;
}

int cudaMemGetInfo(size_t* freeBytes, size_t* total) {
    std::lock_guard<std::recursive_mutex> g(lock);
    *total = memory_limit();
    *freeBytes = *total - allocated;
    return cudaSuccess;
}

int cudaMemcpyAsync(void* dst, const void* src, size_t bytes, int kind, void* stream) {
    if (bytes == 0) return cudaSuccess;
    std::lock_guard<std::recursive_mutex> g(lock);
    if (destroyed(stream)) return fail(cudaErrorInvalidResourceHandle, "cudaMemcpyAsync on a destroyed stream");
    bool dstDev = kind == cudaMemcpyHostToDevice || kind == cudaMemcpyDeviceToDevice;
    bool srcDev = kind == cudaMemcpyDeviceToHost || kind == cudaMemcpyDeviceToDevice;
    if (kind == cudaMemcpyDefault) dstDev = inside(dst, bytes), srcDev = inside(src, bytes);
    if (capturing(stream) && (!dstDev || !srcDev))  // all host memory here is pageable (the backend pins none)
        return fail(cudaErrorStreamCaptureUnsupported, "cudaMemcpyAsync between host and device on a stream being captured (a graph cannot copy pageable host memory; copy into a device tensor before capture)");
    if (dstDev && !inside(dst, bytes)) return fail(cudaErrorInvalidValue, "cudaMemcpyAsync: destination range of " + std::to_string(bytes) + " bytes is not inside a device allocation");
    if (srcDev && !inside(src, bytes)) return fail(cudaErrorInvalidValue, "cudaMemcpyAsync: source range of " + std::to_string(bytes) + " bytes is not inside a device allocation");
    if (!srcDev) {
        // pageable host memory is staged at the call, so the caller may reuse it as soon as the call returns
        auto staged = std::make_shared<std::vector<char>>((const char*) src, (const char*) src + bytes);
        emu::submit(stream, [=] { memcpy(dst, staged->data(), bytes); });
        return cudaSuccess;
    }
    emu::submit(stream, [=] { memmove(dst, src, bytes); });
    // a copy into pageable host memory returns only once it is done, so the stream's earlier work runs first
    if (!dstDev) {
        int e = drain(of(stream));
        if (e) return last_error = e;
    }
    return cudaSuccess;
}

int cudaMemsetAsync(void* p, int value, size_t bytes, void* stream) {
    if (bytes == 0) return cudaSuccess;
    std::lock_guard<std::recursive_mutex> g(lock);
    if (destroyed(stream)) return fail(cudaErrorInvalidResourceHandle, "cudaMemsetAsync on a destroyed stream");
    if (!inside(p, bytes)) return fail(cudaErrorInvalidValue, "cudaMemsetAsync: range of " + std::to_string(bytes) + " bytes is not inside a device allocation");
    emu::submit(stream, [=] { memset(p, value, bytes); });
    return cudaSuccess;
}

// ---------------------------------------------------------------- streams and events

int cudaStreamCreateWithFlags(void** stream, unsigned flags) {
    std::lock_guard<std::recursive_mutex> g(lock);
    Stream* s = new Stream();
    s->blocking = (flags & 1u) == 0;  // cudaStreamNonBlocking
    streams.push_back(s);
    *stream = s;
    return cudaSuccess;
}

// The stream's queued work still runs (here: now); the object is kept, unlisted, for events recorded on it.
int cudaStreamDestroy(void* stream) {
    std::lock_guard<std::recursive_mutex> g(lock);
    if (!stream) return fail(cudaErrorInvalidResourceHandle, "cudaStreamDestroy of the legacy default stream");
    if (capturing(stream)) return fail(cudaErrorStreamCaptureUnmatched, "cudaStreamDestroy of a stream being captured");
    Stream* s = (Stream*) stream;
    if (s->destroyed) return fail(cudaErrorInvalidResourceHandle, "cudaStreamDestroy of a stream already destroyed");
    int e = drain(s);
    s->destroyed = true;
    streams.erase(std::find(streams.begin(), streams.end(), s));
    return e ? last_error = e : cudaSuccess;
}

int cudaStreamSynchronize(void* stream) {
    std::lock_guard<std::recursive_mutex> g(lock);
    if (destroyed(stream)) return fail(cudaErrorInvalidResourceHandle, "cudaStreamSynchronize on a destroyed stream");
    if (capturing(stream)) return fail(cudaErrorStreamCaptureUnsupported, "cudaStreamSynchronize on a stream being captured (a captured step must not wait for the GPU)");
    int e = drain(of(stream));
    return e ? last_error = e : cudaSuccess;
}

// Work queued on the stream after this waits for the event's last record. Inside a capture the wait is not
// recorded (the graph runs in the order it was captured on one stream).
int cudaStreamWaitEvent(void* stream, void* event, unsigned) {
    std::lock_guard<std::recursive_mutex> g(lock);
    if (destroyed(stream)) return fail(cudaErrorInvalidResourceHandle, "cudaStreamWaitEvent on a destroyed stream");
    Event* e = (Event*) event;
    if (capturing(stream) || complete(e)) return cudaSuccess;
    int r = enqueue(of(stream), Item{{}, {{e->stream, e->position}}});
    return r ? last_error = r : cudaSuccess;
}

int cudaEventCreate(void** event) {
    *event = new Event();
    return cudaSuccess;
}

int cudaEventDestroy(void* event) {
    delete (Event*) event;
    return cudaSuccess;
}

int cudaEventRecord(void* event, void* stream) {
    std::lock_guard<std::recursive_mutex> g(lock);
    if (destroyed(stream)) return fail(cudaErrorInvalidResourceHandle, "cudaEventRecord on a destroyed stream");
    Event* e = (Event*) event;
    auto mark = [e] {
        e->ms = now_ms();
        e->recorded = true;
    };
    if (capturing(stream)) {
        e->stream = nullptr;
        emu::submit(stream, mark);
        return cudaSuccess;
    }
    Stream* s = of(stream);
    e->stream = s;
    e->position = s->queued + 1;
    int r = enqueue(s, Item{mark, {}});
    return r ? last_error = r : cudaSuccess;
}

int cudaEventSynchronize(void* event) {
    std::lock_guard<std::recursive_mutex> g(lock);
    Event* e = (Event*) event;
    int r = e->stream ? drain(e->stream, e->position) : drain_all();
    return r ? last_error = r : cudaSuccess;
}

// Runs nothing: work that nothing has waited for stays queued, so an event after it is not ready. Not-ready is a
// status, not an error, so it does not become the last error.
int cudaEventQuery(void* event) {
    std::lock_guard<std::recursive_mutex> g(lock);
    return complete((Event*) event) ? cudaSuccess : cudaErrorNotReady;
}

int cudaEventElapsedTime(float* ms, void* start, void* end) {
    std::lock_guard<std::recursive_mutex> g(lock);
    Event *a = (Event*) start, *b = (Event*) end;
    if (!complete(a) || !complete(b)) return fail(cudaErrorNotReady, "cudaEventElapsedTime of an event that has not completed (synchronize the end event first)");
    if (!a->recorded || !b->recorded) return fail(cudaErrorInvalidResourceHandle, "cudaEventElapsedTime of an event never recorded");
    *ms = (float) (b->ms - a->ms);
    return cudaSuccess;
}

// ---------------------------------------------------------------- graphs

int cudaStreamBeginCapture(void* stream, int) {
    std::lock_guard<std::recursive_mutex> g(lock);
    if (!stream) return fail(cudaErrorStreamCaptureUnsupported, "the legacy default stream cannot be captured");
    if (capturing(stream)) return fail(cudaErrorIllegalAddress, "cudaStreamBeginCapture on a stream already being captured");
    ((Stream*) stream)->capture = new Graph();
    return cudaSuccess;
}

int cudaStreamEndCapture(void* stream, void** graph) {
    std::lock_guard<std::recursive_mutex> g(lock);
    if (!capturing(stream)) return fail(cudaErrorStreamCaptureUnmatched, "cudaStreamEndCapture on a stream not being captured");
    *graph = ((Stream*) stream)->capture;
    ((Stream*) stream)->capture = nullptr;
    return cudaSuccess;
}

int cudaGraphInstantiate(void** exec, void* graph, unsigned long long) {
    *exec = new Graph(*(Graph*) graph);
    return cudaSuccess;
}

int cudaGraphLaunch(void* exec, void* stream) {
    std::lock_guard<std::recursive_mutex> lk(lock);
    if (destroyed(stream)) return fail(cudaErrorInvalidResourceHandle, "cudaGraphLaunch on a destroyed stream");
    if (capturing(stream)) return fail(cudaErrorStreamCaptureUnsupported, "cudaGraphLaunch into a stream being captured is not emulated");
    Graph* g = (Graph*) exec;
    for (auto& w : g->work)
        if (int e = enqueue(of(stream), Item{w, {}})) return last_error = e;  // eager streams: a failed kernel stops the replay
    return cudaSuccess;
}

int cudaGraphDestroy(void* graph) {
    delete (Graph*) graph;
    return cudaSuccess;
}

int cudaGraphExecDestroy(void* exec) {
    delete (Graph*) exec;
    return cudaSuccess;
}

// ---------------------------------------------------------------- driver: modules and launches

int cuInit(unsigned) { return CUDA_SUCCESS; }

int cuDeviceGet(int* device, int ordinal) {
    if (ordinal != 0) return CUDA_ERROR_INVALID_VALUE;
    *device = 0;
    return CUDA_SUCCESS;
}

int cuDeviceGetName(char* name, int length, int device) {
    if (device != 0 || length < 1) return CUDA_ERROR_INVALID_VALUE;
    snprintf(name, (size_t) length, "%s", "cuda-emu (CPU emulation)");
    return CUDA_SUCCESS;
}

int cuGetErrorName(int e, const char** name) {
    switch (e) {
        case CUDA_SUCCESS: *name = "CUDA_SUCCESS"; break;
        case CUDA_ERROR_INVALID_VALUE: *name = "CUDA_ERROR_INVALID_VALUE"; break;
        case CUDA_ERROR_INVALID_IMAGE: *name = "CUDA_ERROR_INVALID_IMAGE"; break;
        case CUDA_ERROR_INVALID_HANDLE: *name = "CUDA_ERROR_INVALID_HANDLE"; break;
        case CUDA_ERROR_NOT_FOUND: *name = "CUDA_ERROR_NOT_FOUND"; break;
        case CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES: *name = "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"; break;
        case CUDA_ERROR_LAUNCH_FAILED: *name = "CUDA_ERROR_LAUNCH_FAILED"; break;
        case CUDA_ERROR_NOT_SUPPORTED: *name = "CUDA_ERROR_NOT_SUPPORTED"; break;
        default: *name = "CUDA_ERROR_UNKNOWN"; break;
    }
    return CUDA_SUCCESS;
}

int cuGetErrorString(int e, const char** text) { return cuGetErrorName(e, text); }

// The image is what the emulator's NVRTC returns as "cubin": the magic DPVMEMU1, a 64-bit length, then a
// shared object. It is written to a temporary file for dlopen.
int cuModuleLoadData(void** module, const void* image) {
    const char* bytes = (const char*) image;
    if (memcmp(bytes, "DPVMEMU1", 8) != 0) return driver_fail(CUDA_ERROR_INVALID_IMAGE, "cuModuleLoadData: not an image made by the emulator's NVRTC");
    uint64_t n;
    memcpy(&n, bytes + 8, 8);
    const char* dir = getenv("TMPDIR");
    std::string path = std::string(dir && *dir ? dir : "/tmp") + "/dpvm-emu-module-XXXXXX";
    std::vector<char> name(path.begin(), path.end());
    name.push_back(0);
    int fd = mkstemp(name.data());
    if (fd < 0) return driver_fail(CUDA_ERROR_INVALID_IMAGE, "cuModuleLoadData: cannot create " + path);
    bool ok = write(fd, bytes + 16, n) == (ssize_t) n;
    close(fd);
    void* so = ok ? dlopen(name.data(), RTLD_NOW | RTLD_LOCAL) : nullptr;
    std::string why = so ? "" : (ok ? dlerror() : "short write");
    unlink(name.data());
    if (!so) return driver_fail(CUDA_ERROR_INVALID_IMAGE, "cuModuleLoadData: " + why);
    auto run = (decltype(Module::run)) dlsym(so, "emu_run");
    if (!run) return driver_fail(CUDA_ERROR_INVALID_IMAGE, "cuModuleLoadData: image has no emu_run");
    *module = new Module{so, run};
    return CUDA_SUCCESS;
}

int cuModuleUnload(void* module) {
    std::lock_guard<std::recursive_mutex> g(lock);
    drain_all();  // queued launches still call into the module
    Module* m = (Module*) module;
    dlclose(m->so);
    delete m;
    return CUDA_SUCCESS;
}

int cuModuleGetFunction(void** function, void* module, const char* name) {
    Module* m = (Module*) module;
    auto kernel = (void (*)(void**)) dlsym(m->so, ("emu_kernel_" + std::string(name)).c_str());
    auto params = (int (*)(size_t*)) dlsym(m->so, ("emu_params_" + std::string(name)).c_str());
    if (!kernel || !params) return driver_fail(CUDA_ERROR_NOT_FOUND, std::string("cuModuleGetFunction: no kernel named ") + name);
    auto bounds = (int (*)()) dlsym(m->so, ("emu_bounds_" + std::string(name)).c_str());
    *function = new Function{m, name, kernel, params, bounds ? bounds() : UNBOUNDED_THREADS, bounds != nullptr};
    return CUDA_SUCCESS;
}

// A kernel's registers, local and shared memory are a real compiler's choice, which the emulator does not have, so
// they are refused rather than made up, as is the occupancy that follows from them.
int cuFuncGetAttribute(int*, int, void*) { return CUDA_ERROR_NOT_SUPPORTED; }

int cuOccupancyMaxActiveBlocksPerMultiprocessor(int*, void*, int, size_t) { return CUDA_ERROR_NOT_SUPPORTED; }

int cuLaunchKernel(void* function, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                   unsigned sharedBytes, void* stream, void** params, void** extra) {
    Function* f = (Function*) function;
    if (extra) return driver_fail(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel: the extra parameter form is not emulated");
    if (sharedBytes) return driver_fail(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel: dynamic shared memory is not emulated");
    if (gx == 0 || gy == 0 || gz == 0 || gx > 0x7fffffffu || gy > 65535 || gz > 65535)
        return driver_fail(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel(" + f->name + "): bad grid");
    unsigned long long threads = (unsigned long long) bx * by * bz;
    if (bx == 0 || by == 0 || bz == 0 || bz > 64 || threads > 1024)
        return driver_fail(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel(" + f->name + "): block of " + std::to_string(bx) + "x" + std::to_string(by) + "x" + std::to_string(bz) + " threads (at most 1024, z at most 64)");
    if (threads > (unsigned long long) f->maxThreads && f->bounded)
        return driver_fail(CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, "cuLaunchKernel(" + f->name + "): block of " + std::to_string(threads) + " threads exceeds the kernel's __launch_bounds__(" + std::to_string(f->maxThreads) + ")");
    if (threads > (unsigned long long) f->maxThreads)
        return driver_fail(CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, "cuLaunchKernel(" + f->name + "): block of " + std::to_string(threads) +
                                                                   " threads for a kernel without __launch_bounds__, which the compiler may give up to 255 registers a thread: a multiprocessor's 65536 fit only " +
                                                                   std::to_string(UNBOUNDED_THREADS) + " such threads, so a GPU refuses the launch when the kernel uses more than " +
                                                                   std::to_string(65536 / threads) + " (declare __launch_bounds__(" + std::to_string(threads) + "))");
    size_t sizes[64];
    int count = f->params(sizes);
    // copy the parameter values now, as CUDA does (the caller reuses its buffers, and a graph replays later)
    std::vector<std::vector<char>> values(count);
    for (int i = 0; i < count; i++) values[i].assign((char*) params[i], (char*) params[i] + sizes[i]);
    std::lock_guard<std::recursive_mutex> g(lock);
    if (destroyed(stream)) return driver_fail(CUDA_ERROR_INVALID_HANDLE, "cuLaunchKernel(" + f->name + ") on a destroyed stream");
    failure = 0;
    emu::submit(stream, [f, values, gx, gy, gz, bx, by, bz]() mutable {
        std::vector<void*> p(values.size());
        for (size_t i = 0; i < values.size(); i++) p[i] = values[i].data();
        const char* error = nullptr;
        if (f->module->run(f->kernel, p.data(), gx, gy, gz, bx, by, bz, &error) != 0) {
            failure = CUDA_ERROR_LAUNCH_FAILED;
            emu::report("cuLaunchKernel", (f->name + ": " + error).c_str());
        }
        // the allocations the kernel was handed (pointer-sized parameters that point into one) must have
        // kept their redzones: an out-of-bounds write, which a GPU reports as an illegal address or not at all
        for (auto& v : values) {
            if (v.size() != sizeof(uintptr_t)) continue;
            uintptr_t a;
            memcpy(&a, v.data(), sizeof a);
            auto it = holding(a);
            if (it == allocations.end()) continue;
            std::string damage = check_redzones(it->first, it->second);
            if (!damage.empty()) {
                failure = CUDA_ERROR_LAUNCH_FAILED;
                emu::report("cuLaunchKernel", (f->name + ": out-of-bounds write: " + damage).c_str());
            }
        }
    });
    return failure;  // set only by eager streams, which ran the kernel already; lazy ones report it when synchronised
}

}  // extern "C"
