// The emulator runtime's streams (runtime.cpp, DPVM_EMU_STREAMS): under lazy streams, work queued on one stream
// is not seen from another until an event orders them; a copy to host memory, cudaFree, cudaStreamDestroy and
// synchronisation run what they depend on; the legacy default stream is ordered with blocking streams only;
// host sources are staged at the call; an event's elapsed time is refused until it has completed; a replayed
// graph is queued like any work. Under eager streams every call has run its work when it returns.
// Usage: DPVM_EMU_STREAMS=M runtime_test M (read once per process). Built with runtime.cpp linked in.
#include <cstdio>
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
int cudaMalloc(void** p, size_t bytes);
int cudaFree(void* p);
int cudaMemcpyAsync(void* dst, const void* src, size_t bytes, int kind, void* stream);
int cudaMemsetAsync(void* p, int value, size_t bytes, void* stream);
int cudaStreamCreateWithFlags(void** stream, unsigned flags);
int cudaStreamDestroy(void* stream);
int cudaStreamSynchronize(void* stream);
int cudaStreamWaitEvent(void* stream, void* event, unsigned flags);
int cudaEventCreate(void** event);
int cudaEventDestroy(void* event);
int cudaEventRecord(void* event, void* stream);
int cudaEventSynchronize(void* event);
int cudaEventElapsedTime(float* ms, void* start, void* end);
int cudaEventQuery(void* event);
int cudaStreamBeginCapture(void* stream, int mode);
int cudaStreamEndCapture(void* stream, void** graph);
int cudaGraphInstantiate(void** exec, void* graph, unsigned long long flags);
int cudaGraphLaunch(void* exec, void* stream);
int cudaGraphDestroy(void* graph);
int cudaGraphExecDestroy(void* exec);
int cudaDeviceSynchronize();
int cudaGetLastError();
}

namespace {

constexpr int H2D = 1, D2H = 2, D2D = 3;
constexpr unsigned NON_BLOCKING = 1;
constexpr int NOT_READY = 600, INVALID_HANDLE = 400;
constexpr size_t N = 64;

int checks = 0, failures = 0;
bool lazy = true;

void expect(bool ok, const std::string& what) {
    checks++;
    if (!ok) {
        printf("FAILED: %s\n", what.c_str());
        failures++;
    }
}

void ok(int status, const char* call) { expect(status == 0, std::string(call) + " returned " + std::to_string(status)); }

// The first byte of a device buffer as read by a copy on `stream` (which runs that stream's queued work).
int firstByte(void* dev, void* stream) {
    unsigned char b = 0;
    ok(cudaMemcpyAsync(&b, dev, 1, D2H, stream), "cudaMemcpyAsync(device to host)");
    return b;
}

// What the copy should read: the value only if the writing work has run, which eager streams guarantee.
int seen(int lazyValue, int eagerValue) { return lazy ? lazyValue : eagerValue; }

void* fresh(void* stream, int value) {
    void* p = nullptr;
    ok(cudaMalloc(&p, N), "cudaMalloc");
    ok(cudaMemsetAsync(p, value, N, stream), "cudaMemsetAsync");
    ok(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    return p;
}

void unorderedStreamsAndEvents() {
    void *a = nullptr, *b = nullptr;
    ok(cudaStreamCreateWithFlags(&a, NON_BLOCKING), "cudaStreamCreateWithFlags");
    ok(cudaStreamCreateWithFlags(&b, NON_BLOCKING), "cudaStreamCreateWithFlags");
    void* x = fresh(a, 0);

    ok(cudaMemsetAsync(x, 7, N, a), "cudaMemsetAsync");
    expect(firstByte(x, b) == seen(0, 7), "a write on stream a is unseen from stream b without an event");
    expect(firstByte(x, a) == 7, "stream a sees its own write");

    void* done = nullptr;
    ok(cudaEventCreate(&done), "cudaEventCreate");
    ok(cudaMemsetAsync(x, 9, N, a), "cudaMemsetAsync");
    ok(cudaEventRecord(done, a), "cudaEventRecord");
    ok(cudaMemsetAsync(x, 11, N, a), "cudaMemsetAsync");  // after the event: not waited for
    ok(cudaStreamWaitEvent(b, done, 0), "cudaStreamWaitEvent");
    expect(firstByte(x, b) == seen(9, 11), "stream b waits for the event, and only for the work before it");
    ok(cudaStreamSynchronize(a), "cudaStreamSynchronize");
    expect(firstByte(x, b) == 11, "after synchronising a, b sees its last write");

    // a device-to-device copy on b reads what b's queue says: nothing newer from a
    void* y = fresh(b, 0);
    ok(cudaMemsetAsync(x, 13, N, a), "cudaMemsetAsync");
    ok(cudaMemcpyAsync(y, x, N, D2D, b), "cudaMemcpyAsync(device to device)");
    expect(firstByte(y, b) == seen(11, 13), "a device-to-device copy on b does not wait for a");
    ok(cudaStreamSynchronize(a), "cudaStreamSynchronize");

    ok(cudaEventDestroy(done), "cudaEventDestroy");
    ok(cudaFree(y), "cudaFree");
    ok(cudaFree(x), "cudaFree");
    ok(cudaStreamDestroy(b), "cudaStreamDestroy");
    ok(cudaStreamDestroy(a), "cudaStreamDestroy");
}

void implicitSynchronisation() {
    void *a = nullptr, *b = nullptr;
    ok(cudaStreamCreateWithFlags(&a, NON_BLOCKING), "cudaStreamCreateWithFlags");
    ok(cudaStreamCreateWithFlags(&b, NON_BLOCKING), "cudaStreamCreateWithFlags");
    void *x = fresh(a, 0), *spare = fresh(a, 0);

    ok(cudaMemsetAsync(x, 3, N, a), "cudaMemsetAsync");
    ok(cudaFree(spare), "cudaFree");  // waits for every stream's queued work, as on a GPU
    expect(firstByte(x, b) == 3, "cudaFree runs all queued work first");

    ok(cudaMemsetAsync(x, 4, N, a), "cudaMemsetAsync");
    ok(cudaStreamDestroy(a), "cudaStreamDestroy");
    expect(firstByte(x, b) == 4, "a destroyed stream's queued work still runs");
    expect(cudaMemsetAsync(x, 6, N, a) == INVALID_HANDLE, "work on a destroyed stream is refused");
    expect(cudaGetLastError() == INVALID_HANDLE, "the refusal is the last error");
    expect(firstByte(x, b) == 4, "and does not run");

    ok(cudaMemsetAsync(x, 5, N, b), "cudaMemsetAsync");
    ok(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    void* c = nullptr;
    ok(cudaStreamCreateWithFlags(&c, NON_BLOCKING), "cudaStreamCreateWithFlags");
    expect(firstByte(x, c) == 5, "cudaDeviceSynchronize runs every stream's work");

    ok(cudaFree(x), "cudaFree");
    ok(cudaStreamDestroy(b), "cudaStreamDestroy");
    ok(cudaStreamDestroy(c), "cudaStreamDestroy");
}

void legacyStream() {
    void *blocking = nullptr, *nonBlocking = nullptr;
    ok(cudaStreamCreateWithFlags(&blocking, 0), "cudaStreamCreateWithFlags");
    ok(cudaStreamCreateWithFlags(&nonBlocking, NON_BLOCKING), "cudaStreamCreateWithFlags");
    void* x = fresh(nullptr, 0);

    ok(cudaMemsetAsync(x, 21, N, blocking), "cudaMemsetAsync");
    expect(firstByte(x, nullptr) == 21, "the legacy stream waits for a blocking stream");
    ok(cudaMemsetAsync(x, 22, N, nullptr), "cudaMemsetAsync");
    expect(firstByte(x, blocking) == 22, "a blocking stream waits for the legacy stream");
    ok(cudaMemsetAsync(x, 23, N, nonBlocking), "cudaMemsetAsync");
    expect(firstByte(x, nullptr) == seen(22, 23), "the legacy stream does not wait for a non-blocking stream");
    ok(cudaStreamSynchronize(nonBlocking), "cudaStreamSynchronize");

    ok(cudaFree(x), "cudaFree");
    ok(cudaStreamDestroy(blocking), "cudaStreamDestroy");
    ok(cudaStreamDestroy(nonBlocking), "cudaStreamDestroy");
}

void stagedHostCopies() {
    void* s = nullptr;
    ok(cudaStreamCreateWithFlags(&s, NON_BLOCKING), "cudaStreamCreateWithFlags");
    void* x = fresh(s, 0);
    std::vector<unsigned char> host(N, 31);
    ok(cudaMemcpyAsync(x, host.data(), N, H2D, s), "cudaMemcpyAsync(host to device)");
    std::fill(host.begin(), host.end(), 32);  // pageable memory may be reused as soon as the call returns
    expect(firstByte(x, s) == 31, "a host-to-device copy reads the host memory at the call");
    ok(cudaFree(x), "cudaFree");
    ok(cudaStreamDestroy(s), "cudaStreamDestroy");
}

void eventTimes() {
    void *s = nullptr, *start = nullptr, *end = nullptr;
    ok(cudaStreamCreateWithFlags(&s, NON_BLOCKING), "cudaStreamCreateWithFlags");
    ok(cudaEventCreate(&start), "cudaEventCreate");
    ok(cudaEventCreate(&end), "cudaEventCreate");
    void* x = fresh(s, 0);
    ok(cudaEventRecord(start, s), "cudaEventRecord");
    ok(cudaMemsetAsync(x, 1, N, s), "cudaMemsetAsync");
    ok(cudaEventRecord(end, s), "cudaEventRecord");
    expect(cudaEventQuery(end) == seen(NOT_READY, 0), "an event after queued work is not ready until something waits for it");
    expect(cudaGetLastError() == 0, "not ready is not an error");
    float ms = -1;
    int early = cudaEventElapsedTime(&ms, start, end);
    if (lazy) {
        expect(early == NOT_READY, "the elapsed time of events not yet complete is refused: got " + std::to_string(early));
        expect(cudaGetLastError() == NOT_READY, "the refusal is the last error");
    }
    ok(cudaEventSynchronize(end), "cudaEventSynchronize");
    ok(cudaEventQuery(end), "cudaEventQuery");
    ok(cudaEventElapsedTime(&ms, start, end), "cudaEventElapsedTime");
    expect(ms >= 0, "elapsed time is not negative: " + std::to_string(ms));
    ok(cudaFree(x), "cudaFree");
    ok(cudaEventDestroy(start), "cudaEventDestroy");
    ok(cudaEventDestroy(end), "cudaEventDestroy");
    ok(cudaStreamDestroy(s), "cudaStreamDestroy");
}

void graphReplay() {
    void *s = nullptr, *other = nullptr;
    ok(cudaStreamCreateWithFlags(&s, NON_BLOCKING), "cudaStreamCreateWithFlags");
    ok(cudaStreamCreateWithFlags(&other, NON_BLOCKING), "cudaStreamCreateWithFlags");
    void *x = fresh(s, 0), *y = fresh(s, 0);
    void *graph = nullptr, *exec = nullptr;
    ok(cudaStreamBeginCapture(s, 0), "cudaStreamBeginCapture");
    ok(cudaMemsetAsync(x, 41, N, s), "cudaMemsetAsync");
    ok(cudaMemcpyAsync(y, x, N, D2D, s), "cudaMemcpyAsync(device to device)");
    ok(cudaStreamEndCapture(s, &graph), "cudaStreamEndCapture");
    expect(firstByte(y, other) == 0, "captured work does not run");
    ok(cudaGraphInstantiate(&exec, graph, 0), "cudaGraphInstantiate");
    ok(cudaGraphLaunch(exec, s), "cudaGraphLaunch");
    expect(firstByte(y, other) == seen(0, 41), "a replay is queued on its stream");
    expect(firstByte(y, s) == 41, "a replay runs when its stream is synchronised");
    ok(cudaGraphExecDestroy(exec), "cudaGraphExecDestroy");
    ok(cudaGraphDestroy(graph), "cudaGraphDestroy");
    ok(cudaFree(x), "cudaFree");
    ok(cudaFree(y), "cudaFree");
    ok(cudaStreamDestroy(s), "cudaStreamDestroy");
    ok(cudaStreamDestroy(other), "cudaStreamDestroy");
}

}  // namespace

int main(int argc, char** argv) {
    lazy = !(argc > 1 && strcmp(argv[1], "eager") == 0);
    unorderedStreamsAndEvents();
    implicitSynchronisation();
    legacyStream();
    stagedHostCopies();
    eventTimes();
    graphReplay();
    printf("runtime_test %s: %d checks, %d failed: %s\n", lazy ? "lazy" : "eager", checks, failures, failures ? "FAIL" : "OK");
    return failures ? 1 : 0;
}
