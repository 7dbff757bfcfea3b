// The emulator's run order (DPVM_EMU_ORDER, device.h): a kernel that reads shared memory another thread writes
// without a barrier between sees fresh or stale values depending on the order, while the same kernel with the
// barrier sees fresh values under every order; blocks run in the order asked for; the shuffled block order is a
// permutation at every grid size; a warp shuffle that reads an exited lane fails its launch. Usage: DPVM_EMU_ORDER=O order_test O (run once per order: it is read once).
#include "device.h"

#include <set>
#include <string>
#include <vector>

constexpr int THREADS = 64, BLOCKS = 16;

// each thread publishes a value unique to its block and thread, then reads its right neighbour's slot
__global__ void neighbour(int* out, int* blocks, int* count) {
    __shared__ int seen[THREADS];
    int t = threadIdx.x;
    seen[t] = blockIdx.x * 1000 + t;
    out[blockIdx.x * THREADS + t] = seen[(t + 1) % THREADS];
    if (t == 0) blocks[(*count)++] = blockIdx.x;
}

__global__ void neighbour_synced(int* out, int* blocks, int* count) {
    __shared__ int seen[THREADS];
    int t = threadIdx.x;
    seen[t] = blockIdx.x * 1000 + t;
    __syncthreads();
    out[blockIdx.x * THREADS + t] = seen[(t + 1) % THREADS];
    if (t == 0) blocks[(*count)++] = blockIdx.x;
}

// a warp sum by shuffles over `live` lanes of a block of `threads`; the upper lanes exit first when `early_exit`
__global__ void warp_sum(float* out, int live, int width, bool early_exit) {
    int t = threadIdx.x;
    if (early_exit && t >= live) return;
    float v = t < live ? 1.0f + t : 0.0f;
    for (int d = width / 2; d > 0; d /= 2) v += __shfl_down_sync(0xffffffffu, v, d, width);
    if (t == 0) *out = v;
}

EMU_KERNEL(neighbour)
EMU_KERNEL(neighbour_synced)
EMU_KERNEL(warp_sum)
EMU_MODULE()

static int failures = 0;
static void expect(bool ok, const std::string& what) {
    if (!ok) {
        printf("FAILED: %s\n", what.c_str());
        failures++;
    }
}

struct Result {
    int fresh = 0, stale = 0;
    std::vector<int> blocks;
};

static Result launch(void (*kernel)(void**)) {
    std::vector<int> out(BLOCKS * THREADS, -1), blocks(BLOCKS, -1);
    int count = 0;
    int* a = out.data();
    int* b = blocks.data();
    int* c = &count;
    void* args[] = {&a, &b, &c};
    const char* error = nullptr;
    if (emu_run(kernel, args, BLOCKS, 1, 1, THREADS, 1, 1, &error) != 0) printf("FAILED: launch: %s\n", error), failures++;
    Result r;
    for (int blk = 0; blk < BLOCKS; blk++)
        for (int t = 0; t < THREADS; t++) (out[blk * THREADS + t] == blk * 1000 + (t + 1) % THREADS ? r.fresh : r.stale)++;
    r.blocks = blocks;
    return r;
}

// One block of warp_sum: the launch's error ("" when it ran) and lane 0's sum.
static std::string warpSum(int threads, int live, int width, bool earlyExit, float* sum) {
    float* o = sum;
    void* args[] = {&o, &live, &width, &earlyExit};
    const char* error = nullptr;
    return emu_run(emu_kernel_warp_sum, args, 1, 1, 1, threads, 1, 1, &error) == 0 ? "" : error;
}

// A shuffle that reads an exited lane, or a lane the block does not have, fails the launch and names the lanes;
// the same reduction with every lane it reads alive gives the exact sum.
static void warpReads(const std::string& order) {
    float sum = -1;
    std::string e = warpSum(32, 32, 32, false, &sum);
    expect(e.empty() && sum == 32 * 33 / 2, order + ": a full-warp sum " + std::to_string(sum) + " " + e);
    e = warpSum(32, 20, 32, true, &sum);
    expect(e.find("which has exited") != std::string::npos,
           order + ": a shuffle from exited lanes is reported: '" + e + "'");
    e = warpSum(16, 16, 32, false, &sum);
    expect(e.find("which the block does not have") != std::string::npos, order + ": a shuffle beyond a 16-thread block is reported: '" + e + "'");
    e = warpSum(16, 16, 16, false, &sum);
    expect(e.empty() && sum == 16 * 17 / 2, order + ": width 16 in a 16-thread block " + std::to_string(sum) + " " + e);
    e = warpSum(32, 32, 32, false, &sum);
    expect(e.empty(), order + ": the fault does not outlive its launch: " + e);
}

int main(int argc, char** argv) {
    std::string order = argc > 1 ? argv[1] : "forward";
    warpReads(order);
    Result racy = launch(emu_kernel_neighbour), synced = launch(emu_kernel_neighbour_synced);
    expect(synced.stale == 0, order + ": with the barrier every read is fresh (" + std::to_string(synced.stale) + " stale)");
    std::vector<int> forward(BLOCKS), reverse(BLOCKS);
    for (int i = 0; i < BLOCKS; i++) forward[i] = i, reverse[i] = BLOCKS - 1 - i;
    std::set<int> distinct(racy.blocks.begin(), racy.blocks.end());
    expect(distinct.size() == BLOCKS && *distinct.begin() == 0 && *distinct.rbegin() == BLOCKS - 1, order + ": every block ran once");
    if (order == "forward") {
        // thread t runs before t + 1 has written: only the last thread (reading thread 0's slot) is fresh
        expect(racy.fresh == BLOCKS && racy.stale == BLOCKS * (THREADS - 1), order + ": racy reads " + std::to_string(racy.fresh) + " fresh");
        expect(racy.blocks == forward, order + ": blocks in index order");
    } else if (order == "reverse") {
        expect(racy.stale == BLOCKS && racy.fresh == BLOCKS * (THREADS - 1), order + ": racy reads " + std::to_string(racy.stale) + " stale");
        expect(racy.blocks == reverse, order + ": blocks in reverse index order");
    } else if (order == "shuffle") {
        expect(racy.fresh > BLOCKS && racy.stale > BLOCKS, order + ": racy reads mixed (" + std::to_string(racy.fresh) + " fresh)");
        expect(racy.blocks != forward && racy.blocks != reverse, order + ": blocks shuffled");
        for (unsigned long long n : {1ULL, 2ULL, 3ULL, 7ULL, 64ULL, 1000ULL, 65535ULL * 16}) {
            emu_dev::Bijection f = emu_dev::schedule().next(n);
            std::vector<char> hit(n, 0);
            bool ok = true;
            for (unsigned long long i = 0; i < n; i++) {
                unsigned long long j = f(i);
                ok &= j < n && !hit[j];
                if (j < n) hit[j] = 1;
            }
            expect(ok, order + ": the block order over " + std::to_string(n) + " blocks is a permutation");
        }
    }
    printf("order_test %s: %d fresh, %d stale racy reads; %s\n", order.c_str(), racy.fresh, racy.stale, failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
