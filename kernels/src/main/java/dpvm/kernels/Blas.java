package dpvm.kernels;

import dpvm.tensor.DType;
import dpvm.tensor.Shape;
import dpvm.tensor.Tensor;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

import java.util.Arrays;

/**
 * Batched matrix products through one cublasGemmStridedBatchedEx call. Row-major C = A B is computed as the
 * column-major C^T = B^T A^T, so no operand is copied: a row-major operand is passed as is and a transposed
 * view (e.g. {@code x.mT()}) becomes cuBLAS's op T. Copies happen only for layouts cuBLAS cannot address
 * (neither dim of the matrix has stride 1) or batch dims whose offsets are not evenly spaced.
 */
final class Blas {
    private Blas() {}

    private record Operand(Tensor t, boolean transposed, int lead, long batchStride) {}

    static Tensor matmul(Ctx c, Tensor a, Tensor b) {
        int ra = a.rank(), rb = b.rank();
        int m = a.shape()[ra - 2], k = a.shape()[ra - 1], n = b.shape()[rb - 1];
        int[] outShape = Shape.matmul(a.shape(), b.shape());
        int[] batch = Arrays.copyOf(outShape, outShape.length - 2);
        Tensor out = c.empty(outShape, a.dtype());
        if (out.numel() == 0) return out;
        if (k == 0) {
            c.memsetZero(out);
            return out;
        }
        int count = Shape.numel(batch);
        Operand oa = operand(c, a, batch), ob = operand(c, b, batch);
        gemm(c, a.dtype(), ob, oa, n, m, k, out, count);
        return out;
    }

    /** C (row-major [count, m, n]) = A B with cuBLAS's operands swapped: first = our B, second = our A. */
    private static void gemm(Ctx c, DType dtype, Operand first, Operand second, int n, int m, int k, Tensor out, int count) {
        BlasHandle h = c.dev.blas();
        int opFirst = first.transposed ? cublas.CUBLAS_OP_T : cublas.CUBLAS_OP_N;
        int opSecond = second.transposed ? cublas.CUBLAS_OP_T : cublas.CUBLAS_OP_N;
        boolean f64 = dtype == DType.FLOAT64;
        int type = f64 ? cudart.CUDA_R_64F : dtype == DType.BFLOAT16 ? cudart.CUDA_R_16BF : cudart.CUDA_R_32F;
        // bfloat16 operands: bfloat16 tensor cores, float32 accumulation, the result rounded once (the math mode
        // concerns float32 operands only)
        int compute = f64 ? cublas.CUBLAS_COMPUTE_64F : dtype == DType.BFLOAT16 ? cublas.CUBLAS_COMPUTE_32F : switch (MathMode.get()) {
            case FP32 -> cublas.CUBLAS_COMPUTE_32F;
            case TF32 -> cublas.CUBLAS_COMPUTE_32F_FAST_TF32;
            case BF16 -> cublas.CUBLAS_COMPUTE_32F_FAST_16BF;
        };
        try (Pointer alpha = f64 ? new DoublePointer(1.0) : new FloatPointer(1f); Pointer beta = f64 ? new DoublePointer(0.0) : new FloatPointer(0f)) {
            BlasHandle.check(cublas.cublasGemmStridedBatchedEx(h.raw(), opFirst, opSecond, n, m, k, alpha,
                    Cuda.at(Ctx.ptr(first.t)), type, first.lead, first.batchStride,
                    Cuda.at(Ctx.ptr(second.t)), type, second.lead, second.batchStride,
                    beta, Cuda.at(Ctx.ptr(out)), type, n, (long) m * n, count, compute, cublas.CUBLAS_GEMM_DEFAULT), "cublasGemmStridedBatchedEx");
        }
    }

    /** How an operand's matrices sit in memory, copying only when cuBLAS cannot address them. */
    private static Operand operand(Ctx c, Tensor t, int[] batch) {
        int r = t.rank();
        int[] s = t.shape(), st = t.strides();
        int rows = s[r - 2], cols = s[r - 1];
        Boolean transposed = null;
        int lead = 0;
        if ((st[r - 1] == 1 || cols == 1) && st[r - 2] >= Math.max(1, cols)) {
            transposed = false;
            lead = Math.max(st[r - 2], Math.max(1, cols));
        } else if ((st[r - 2] == 1 || rows == 1) && st[r - 1] >= Math.max(1, rows)) {
            transposed = true;
            lead = Math.max(st[r - 1], Math.max(1, rows));
        }
        long stride = transposed == null ? -1 : evenBatchStride(t, batch);
        if (transposed == null || stride < 0) {
            // materialise [batch..., rows, cols] densely: evenly spaced, row-major
            int[] full = Arrays.copyOf(batch, batch.length + 2);
            full[batch.length] = rows;
            full[batch.length + 1] = cols;
            Tensor dense = c.empty(full, t.dtype());
            Transfers.copyInto(c, dense, t);
            return new Operand(dense, false, Math.max(1, cols), (long) rows * cols);
        }
        return new Operand(t, transposed, lead, stride);
    }

    /** The constant element distance between consecutive batch matrices, or -1 if they are not evenly spaced. */
    static long evenBatchStride(Tensor t, int[] batch) {
        int r = t.rank(), lead = batch.length - (r - 2);
        int[] s = t.shape(), st = t.strides();
        int count = Shape.numel(batch);
        if (count <= 1) return 0;
        long[] off = new long[count];
        int[] coord = new int[batch.length];
        for (int i = 0; i < count; i++) {
            long o = 0;
            for (int d = 0; d < batch.length; d++) {
                int j = d - lead;
                if (j >= 0 && s[j] != 1) o += (long) coord[d] * st[j];
            }
            off[i] = o;
            for (int d = batch.length - 1; d >= 0; d--) {
                if (++coord[d] < batch[d]) break;
                coord[d] = 0;
            }
        }
        long step = off[1] - off[0];
        if (step < 0) return -1;
        for (int i = 2; i < count; i++) if (off[i] - off[i - 1] != step) return -1;
        return step;
    }
}
