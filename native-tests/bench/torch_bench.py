"""PyTorch twin of dpvm.nativetests.bench.GpuBench: same cases, same timing rules (warm-up, L2 flushed before
each repeat, CUDA events, median), one JSON object per case on stdout."""
import json
import statistics

import torch

DEV = "cuda"
WARM, REPS = 3, 20
L2 = torch.cuda.get_device_properties(0).L2_cache_size
FLUSH = torch.empty(max(2 * L2, 8 << 20), dtype=torch.uint8, device=DEV)


def median_ms(fn):
    for _ in range(WARM):
        fn()
    times = []
    for i in range(REPS):
        FLUSH.fill_(i & 0xFF)
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def emit(name, ms, work, unit):
    rate = work / (ms * 1e9) if unit == "TFLOP/s" else work / (ms * 1e6)
    print(json.dumps({"case": name, "ms": round(ms, 5), "rate": round(rate, 2), "unit": unit}), flush=True)


def main():
    torch.manual_seed(0)
    with torch.no_grad():
        a = torch.rand(4096, 4096, device=DEV)
        b = torch.rand(4096, 4096, device=DEV)
        flops = 2.0 * 4096 ** 3
        torch.backends.cuda.matmul.allow_tf32 = False
        emit("matmul_4096_fp32", median_ms(lambda: a @ b), flops, "TFLOP/s")
        torch.backends.cuda.matmul.allow_tf32 = True
        emit("matmul_4096_tf32", median_ms(lambda: a @ b), flops, "TFLOP/s")
        torch.backends.cuda.matmul.allow_tf32 = False
        ab, bb = a.bfloat16(), b.bfloat16()
        emit("matmul_4096_bf16", median_ms(lambda: ab @ bb), flops, "TFLOP/s")
        del a, b, ab, bb

    x = torch.rand(32, 64, 16, 56, 56, device=DEV)
    w = torch.rand(64, 64, 3, 3, 3, device=DEV)
    gy = torch.rand(32, 64, 16, 56, 56, device=DEV)
    flops = 2.0 * 32 * 64 * 16 * 56 * 56 * 64 * 27
    grad = torch.nn.grad
    for tf32 in (False, True):
        torch.backends.cudnn.allow_tf32 = tf32
        p = "_tf32" if tf32 else "_fp32"
        with torch.no_grad():
            emit("conv3d_fwd" + p, median_ms(lambda: torch.nn.functional.conv3d(x, w, padding=1)), flops, "TFLOP/s")
            emit("conv3d_bwd_data" + p, median_ms(lambda: grad.conv3d_input(x.shape, w, gy, padding=1)), flops, "TFLOP/s")
            emit("conv3d_bwd_weight" + p, median_ms(lambda: grad.conv3d_weight(x, w.shape, gy, padding=1)), flops, "TFLOP/s")
    del x, w, gy

    with torch.no_grad():
        s = torch.rand(8192, 4096, device=DEV)
        row_bytes = 2.0 * 8192 * 4096 * 4
        emit("softmax_8192x4096", median_ms(lambda: torch.softmax(s, 1)), row_bytes, "GB/s")
        gamma, beta = torch.rand(4096, device=DEV), torch.rand(4096, device=DEV)
        emit("layernorm_8192x4096", median_ms(lambda: torch.nn.functional.layer_norm(s, (4096,), gamma, beta, 1e-5)), row_bytes, "GB/s")
        del s
        # batch norm in eval mode on a 3D ResNet activation: PyTorch's kernel, then the formula op by op
        act = (32, 64, 16, 56, 56)
        bx = torch.rand(*act, device=DEV)
        rm, rv = torch.rand(64, device=DEV), torch.rand(64, device=DEV) + 0.5
        bw, bb = torch.rand(64, device=DEV), torch.rand(64, device=DEV)
        act_bytes = 2.0 * bx.numel() * 4
        emit("batchnorm_eval_fused", median_ms(lambda: torch.nn.functional.batch_norm(bx, rm, rv, bw, bb, False, 0.1, 1e-5)), act_bytes, "GB/s")
        c = (1, 64, 1, 1, 1)
        emit("batchnorm_eval_op_by_op", median_ms(lambda: (bx - rm.view(c)) * torch.rsqrt(rv.view(c) + 1e-5) * bw.view(c) + bb.view(c)), act_bytes, "GB/s")
        emit("batchnorm_stats_sum", median_ms(lambda: bx.sum(dim=(0, 2, 3, 4))), act_bytes / 2, "GB/s")
        emit("batchnorm_train_fwd", median_ms(lambda: torch.nn.functional.batch_norm(bx, rm, rv, bw, bb, True, 0.1, 1e-5)), 1.5 * act_bytes, "GB/s")
    # forward and backward from an upstream gradient (autograd on, so outside no_grad)
    xg, wg, bg = bx.clone().requires_grad_(True), bw.clone().requires_grad_(True), bb.clone().requires_grad_(True)
    gy = torch.rand(*act, device=DEV)

    def bn_step():
        torch.nn.functional.batch_norm(xg, rm, rv, wg, bg, True, 0.1, 1e-5).backward(gy)
        xg.grad = wg.grad = bg.grad = None

    emit("batchnorm_train_fwd_bwd", median_ms(bn_step), 2.5 * act_bytes, "GB/s")
    del xg, gy
    with torch.no_grad():
        del bx
        rows, frames = torch.rand(8192, 768, device=DEV), torch.rand(64, 256, 512, device=DEV)
        emit("bias_grad_8192x768", median_ms(lambda: rows.sum(0)), 4.0 * rows.numel(), "GB/s")
        emit("time_mean_64x256x512", median_ms(lambda: frames.mean(1)), 4.0 * frames.numel(), "GB/s")
        del rows, frames
    # ResNet3d's stem pooling forward and backward, and an embedding lookup with its gradient (autograd on)
    px = torch.rand(8, 64, 16, 112, 112, device=DEV, requires_grad=True)
    pdy = torch.rand(8, 64, 8, 56, 56, device=DEV)

    def pool_step():
        torch.nn.functional.max_pool3d(px, 3, 2, 1).backward(pdy)
        px.grad = None

    emit("maxpool3d_fwd_bwd", median_ms(pool_step), 8.0 * (px.numel() + pdy.numel()), "GB/s")
    del px, pdy
    table = torch.rand(32768, 768, device=DEV, requires_grad=True)
    ids = torch.randint(0, 32768, (8192,), device=DEV)
    eg = torch.rand(8192, 768, device=DEV)

    def embedding_step():
        torch.nn.functional.embedding(ids, table).backward(eg)
        table.grad = None

    emit("embedding_fwd_bwd_32768x768", median_ms(embedding_step), 4.0 * (3.0 * 8192 * 768 + 32768.0 * 768) + 8.0 * 8192, "GB/s")
    del table, eg
    with torch.no_grad():
        g = torch.rand(64 << 20, device=DEV)
        emit("gelu_tanh_256MiB", median_ms(lambda: torch.nn.functional.gelu(g, approximate="tanh")), 2.0 * g.numel() * 4, "GB/s")
        del g
        n = 64 << 20
        p, q, out = torch.rand(n, device=DEV), torch.rand(n, device=DEV), torch.empty(n, device=DEV)
        emit("add_256MiB", median_ms(lambda: p + q), 3.0 * n * 4, "GB/s")
        emit("copy_d2d_256MiB", median_ms(lambda: out.copy_(p)), 2.0 * n * 4, "GB/s")


if __name__ == "__main__":
    main()
