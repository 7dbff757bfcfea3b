"""PyTorch twin of dpvm.nativetests.bench.GpuBench: same cases, same timing rules (warm-up, L2 flushed before
each repeat, CUDA events, median), one JSON object per case on stdout.

Like GpuBench, each group of cases runs on its own: a failing group prints {"group": N, "error": ...} and the
next one still runs. DPVM_BENCH_SMALL=1 takes GpuBench's rehearsal sizes (-Ddpvm.bench.small=true) and runs on
the CPU when there is no GPU, timed by the wall clock: a rehearsal of the runner and of compare.py, not a
measurement."""
import json
import os
import statistics
import sys
import time
import traceback

import torch

SMALL = os.environ.get("DPVM_BENCH_SMALL", "") not in ("", "0")
DEV = "cuda" if torch.cuda.is_available() else "cpu"
if DEV == "cpu" and not SMALL:
    sys.exit("torch_bench.py: PyTorch sees no GPU (torch.cuda.is_available() is False); "
             "DPVM_BENCH_SMALL=1 rehearses on the CPU")
WARM, REPS = 3, (3 if SMALL else 20)
FLUSH = None
if DEV == "cuda":
    L2 = torch.cuda.get_device_properties(0).L2_cache_size
    FLUSH = torch.empty(max(2 * L2, 8 << 20), dtype=torch.uint8, device=DEV)


def size(full, small):
    return small if SMALL else full


def median_ms(fn):
    for _ in range(WARM):
        fn()
    times = []
    for i in range(REPS):
        if FLUSH is None:
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1e3)
            continue
        FLUSH.fill_(i & 0xFF)
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def emit(name, ms, work, unit):
    rate = work / (ms * 1e9) if unit == "TFLOP/s" else work / ms if unit == "kop/s" else work / (ms * 1e6)
    print(json.dumps({"case": name, "ms": round(ms, 5), "rate": round(rate, 2), "unit": unit}), flush=True)


def rand(*shape):
    return torch.rand(*shape, device=DEV)


def matmul():
    n = size(4096, 128)
    a, b = rand(n, n), rand(n, n)
    flops = 2.0 * n ** 3
    with torch.no_grad():
        try:
            torch.backends.cuda.matmul.allow_tf32 = False
            emit("matmul_4096_fp32", median_ms(lambda: a @ b), flops, "TFLOP/s")
            torch.backends.cuda.matmul.allow_tf32 = True
            emit("matmul_4096_tf32", median_ms(lambda: a @ b), flops, "TFLOP/s")
            torch.backends.cuda.matmul.allow_tf32 = False
            # float32 tensors, bf16 tensor cores inside (cuBLAS's 32F_FAST_16BF)
            torch.set_float32_matmul_precision("medium")
            emit("matmul_4096_fp32_bf16math", median_ms(lambda: a @ b), flops, "TFLOP/s")
        finally:
            torch.set_float32_matmul_precision("highest")
            torch.backends.cuda.matmul.allow_tf32 = False
        ab, bb = a.bfloat16(), b.bfloat16()
        emit("matmul_4096_bf16", median_ms(lambda: ab @ bb), flops, "TFLOP/s")


def conv3d():
    xs = (size(32, 1), size(64, 8), size(16, 4), size(56, 8), size(56, 8))
    ws = (xs[1], xs[1], 3, 3, 3)
    x, w, gy = rand(*xs), rand(*ws), rand(*xs)
    flops = 2.0 * x.numel() * xs[1] * 27
    grad = torch.nn.grad
    with torch.no_grad():
        try:
            for tf32 in (False, True):
                torch.backends.cudnn.allow_tf32 = tf32
                p = "_tf32" if tf32 else "_fp32"
                emit("conv3d_fwd" + p, median_ms(lambda: torch.nn.functional.conv3d(x, w, padding=1)), flops, "TFLOP/s")
                emit("conv3d_bwd_data" + p, median_ms(lambda: grad.conv3d_input(x.shape, w, gy, padding=1)), flops, "TFLOP/s")
                emit("conv3d_bwd_weight" + p, median_ms(lambda: grad.conv3d_weight(x, w.shape, gy, padding=1)), flops, "TFLOP/s")
        finally:
            torch.backends.cudnn.allow_tf32 = True  # PyTorch's default


def softmax_layernorm():
    r, c = size(8192, 64), size(4096, 512)
    s = rand(r, c)
    row_bytes = 2.0 * r * c * 4
    gamma, beta = rand(c), rand(c)
    with torch.no_grad():
        emit("softmax_8192x4096", median_ms(lambda: torch.softmax(s, 1)), row_bytes, "GB/s")
        emit("layernorm_8192x4096", median_ms(lambda: torch.nn.functional.layer_norm(s, (c,), gamma, beta, 1e-5)), row_bytes, "GB/s")


def batchnorm():
    # batch norm on a 3D ResNet activation: eval mode (PyTorch's kernel, then the formula op by op), the
    # training-mode statistics, training-mode forward, and forward with backward from an upstream gradient
    act = (size(32, 2), 64, size(16, 4), size(56, 8), size(56, 8))
    bx = rand(*act)
    rm, rv = rand(64), rand(64) + 0.5
    bw, bb = rand(64), rand(64)
    act_bytes = 2.0 * bx.numel() * 4
    c = (1, 64, 1, 1, 1)
    with torch.no_grad():
        emit("batchnorm_eval_fused", median_ms(lambda: torch.nn.functional.batch_norm(bx, rm, rv, bw, bb, False, 0.1, 1e-5)), act_bytes, "GB/s")
        emit("batchnorm_eval_op_by_op", median_ms(lambda: (bx - rm.view(c)) * torch.rsqrt(rv.view(c) + 1e-5) * bw.view(c) + bb.view(c)), act_bytes, "GB/s")
        emit("batchnorm_stats_sum", median_ms(lambda: bx.sum(dim=(0, 2, 3, 4))), act_bytes / 2, "GB/s")
        emit("batchnorm_train_fwd", median_ms(lambda: torch.nn.functional.batch_norm(bx, rm, rv, bw, bb, True, 0.1, 1e-5)), 1.5 * act_bytes, "GB/s")
    xg, wg, bg = bx.clone().requires_grad_(True), bw.clone().requires_grad_(True), bb.clone().requires_grad_(True)
    gy = rand(*act)

    def bn_step():
        torch.nn.functional.batch_norm(xg, rm, rv, wg, bg, True, 0.1, 1e-5).backward(gy)
        xg.grad = wg.grad = bg.grad = None

    emit("batchnorm_train_fwd_bwd", median_ms(bn_step), 2.5 * act_bytes, "GB/s")


def reductions():
    rows, frames = rand(size(8192, 64), 768), rand(size(64, 2), 256, 512)
    with torch.no_grad():
        emit("bias_grad_8192x768", median_ms(lambda: rows.sum(0)), 4.0 * rows.numel(), "GB/s")
        emit("time_mean_64x256x512", median_ms(lambda: frames.mean(1)), 4.0 * frames.numel(), "GB/s")


def pool_embedding():
    # ResNet3d's stem pooling forward and backward, and an embedding lookup with its gradient (autograd on)
    px = rand(size(8, 1), 64, size(16, 4), size(112, 12), size(112, 12)).requires_grad_(True)
    pdy = rand(*torch.nn.functional.max_pool3d(px.detach(), 3, 2, 1).shape)

    def pool_step():
        torch.nn.functional.max_pool3d(px, 3, 2, 1).backward(pdy)
        px.grad = None

    emit("maxpool3d_fwd_bwd", median_ms(pool_step), 8.0 * (px.numel() + pdy.numel()), "GB/s")
    v, dim, n = 32768, 768, size(8192, 64)
    table = rand(v, dim).requires_grad_(True)
    ids = torch.randint(0, v, (n,), device=DEV)
    eg = rand(n, dim)

    def embedding_step():
        torch.nn.functional.embedding(ids, table).backward(eg)
        table.grad = None

    emit("embedding_fwd_bwd_32768x768", median_ms(embedding_step), 4.0 * (3.0 * n * dim + float(v) * dim) + 8.0 * n, "GB/s")


def gelu():
    g = rand(size(64 << 20, 1 << 18))
    with torch.no_grad():
        emit("gelu_tanh_256MiB", median_ms(lambda: torch.nn.functional.gelu(g, approximate="tanh")), 2.0 * g.numel() * 4, "GB/s")


def add_and_copy():
    n = size(64 << 20, 1 << 18)
    p, q, out = rand(n), rand(n), torch.empty(n, device=DEV)
    with torch.no_grad():
        emit("add_256MiB", median_ms(lambda: p + q), 3.0 * n * 4, "GB/s")
        emit("copy_d2d_256MiB", median_ms(lambda: out.copy_(p)), 2.0 * n * 4, "GB/s")


def sync():
    if DEV == "cuda":
        torch.cuda.synchronize()


def tiny_add_eager():
    # eager small-op cost: adds of 4-element tensors issued back to back then waited for once, by the wall clock
    n = size(10000, 200)
    p, q = rand(4), rand(4)
    ms_per_op = []
    with torch.no_grad():
        for _ in range(6):
            sync()
            start = time.perf_counter()
            for _ in range(n):
                p + q
            sync()
            ms_per_op.append((time.perf_counter() - start) * 1e3 / n)
    emit("tiny_add_eager", statistics.median(ms_per_op[1:]), 1.0, "kop/s")  # the first round warms up


GROUPS = [matmul, conv3d, softmax_layernorm, batchnorm, reductions, pool_embedding, gelu, add_and_copy, tiny_add_eager]


def main():
    if SMALL:
        print(f"# rehearsal sizes (DPVM_BENCH_SMALL=1) on {DEV}: not a measurement", flush=True)
    gpu = torch.cuda.get_device_name(0) if DEV == "cuda" else "the CPU"
    print(f"# torch {torch.__version__} on {gpu}: CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}", flush=True)
    torch.manual_seed(0)
    failures = 0
    for i, group in enumerate(GROUPS):
        try:
            group()
        except Exception as e:  # reported like GpuBench's failed groups; the next group still runs
            failures += 1
            print(json.dumps({"group": i, "name": group.__name__, "error": repr(e)}), flush=True)
            traceback.print_exc()
        finally:
            if DEV == "cuda":
                torch.cuda.empty_cache()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
