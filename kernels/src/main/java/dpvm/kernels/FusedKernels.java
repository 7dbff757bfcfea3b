package dpvm.kernels;

import dpvm.kernels.runtime.Geometry;
import dpvm.tensor.DType;
import dpvm.tensor.Fused;
import dpvm.tensor.Shape;
import dpvm.tensor.Tensor;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fused elementwise programs as CUDA kernels made at run time: one kernel per program and dtype, written as
 * CUDA C++ from the program's nodes, compiled by NVRTC on first use (and cached on disk like every kernel).
 * Each thread walks the broadcast shape with common.cuh's walk (a struct of Geo's layout sized for the program's
 * operands), loads each input once, evaluates the nodes in registers and stores each output once.
 *
 * <p>Same values as the ops run one by one: the operators are elementwise.cuh's, and + - * are written as the
 * round-to-nearest intrinsics, which the compiler never contracts into a fused multiply-add.
 */
final class FusedKernels {
    /** Kernel names by program key and dtype. */
    private static final Map<String, String> NAMES = new ConcurrentHashMap<>();

    private FusedKernels() {}

    static Tensor[] run(Ctx c, Fused program, Tensor[] inputs) {
        int[] shape = new int[0];
        for (Tensor x : inputs) shape = Shape.broadcast("fused " + program.name(), shape, x.shape());
        DType dtype = inputs[0].dtype();
        int outs = program.outputs(), operands = outs + inputs.length;
        Tensor[] out = new Tensor[outs];
        int[][] strides = new int[operands][];
        Object[] args = new Object[2 + operands];
        for (int k = 0; k < outs; k++) {
            out[k] = c.empty(shape, dtype);
            strides[k] = out[k].strides();
            args[2 + k] = Ctx.ptr(out[k]);
        }
        for (int i = 0; i < inputs.length; i++) {
            strides[outs + i] = Shape.broadcastStrides(inputs[i].shape(), inputs[i].strides(), shape);
            args[2 + outs + i] = Ctx.ptr(inputs[i]);
        }
        int n = out[0].numel();
        args[0] = Geometry.pack(shape, strides, operands);
        args[1] = n;
        String name = kernelName(program, dtype);
        // the source is written only when this device has not loaded the kernel yet
        c.launch(c.dev.kernels().generated(name + ".cu", () -> source(program, dtype, name), name), n, args);
        return out;
    }

    /** A C identifier naming the program, its exact text (by hash) and the dtype; hashed once per program and dtype. */
    static String kernelName(Fused program, DType dtype) {
        return NAMES.computeIfAbsent(program.key() + "#" + dtype, k -> hashName(program, dtype));
    }

    private static String hashName(Fused program, DType dtype) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((program.key() + "#" + dtype).getBytes(StandardCharsets.UTF_8));
            return "fused_" + program.name() + "_" + HexFormat.of().formatHex(h, 0, 6) + "_" + Ctx.sfx(dtype);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The kernel's CUDA source. */
    static String source(Fused program, DType dtype, String name) {
        if (!dtype.isFloating()) throw new IllegalArgumentException("fused " + program.name() + ": needs float32 or float64 inputs, got " + dtype);
        boolean f32 = dtype == DType.FLOAT32;
        String t = f32 ? "float" : "double";
        int outs = program.outputs(), operands = outs + program.inputs();
        StringBuilder s = new StringBuilder();
        s.append("// ").append(program).append('\n');
        s.append("#include \"elementwise.cuh\"\n\n");
        s.append("struct FusedGeo { int rank; int size[DPVM_MAX_DIMS]; unsigned int magic[DPVM_MAX_DIMS]; int shift[DPVM_MAX_DIMS]; int stride[")
                .append(operands).append("][DPVM_MAX_DIMS]; };\n\n");
        s.append("extern \"C\" __global__ void ").append(name).append("(FusedGeo g, int n");
        for (int k = 0; k < outs; k++) s.append(", ").append(t).append("* __restrict__ out").append(k);
        for (int i = 0; i < program.inputs(); i++) s.append(", const ").append(t).append("* __restrict__ in").append(i);
        s.append(") {\n    DPVM_GRID_STRIDE(i, n) {\n");
        s.append("        int off[").append(operands).append("];\n");
        s.append("        geo_offsets<").append(operands).append(">(g, i, off);\n");
        List<Fused.Node> nodes = program.nodes();
        for (int j = 0; j < nodes.size(); j++) {
            s.append("        const ").append(t).append(" v").append(j).append(" = ").append(expression(nodes.get(j), f32, outs)).append(";\n");
        }
        for (int k = 0; k < outs; k++) s.append("        out").append(k).append("[off[").append(k).append("]] = v").append(program.outputSlot(k)).append(";\n");
        s.append("    }\n}\n");
        return s.toString();
    }

    private static String expression(Fused.Node node, boolean f32, int outs) {
        String t = f32 ? "float" : "double";
        int[] a = node.args();
        return switch (node.kind()) {
            case INPUT -> "in" + node.input() + "[off[" + (outs + node.input()) + "]]";
            case CONSTANT -> f32 ? "__int_as_float(0x" + Integer.toHexString(Float.floatToRawIntBits((float) node.value())) + ")"
                    : "__longlong_as_double(0x" + Long.toHexString(Double.doubleToRawLongBits(node.value())) + "LL)";
            case UNARY -> "unary_op<" + t + ">(U_" + node.unary().name() + ", v" + a[0] + ")";
            case BINARY -> switch (node.binary()) {
                case ADD -> (f32 ? "__fadd_rn" : "__dadd_rn") + "(v" + a[0] + ", v" + a[1] + ")";
                case SUB -> (f32 ? "__fsub_rn" : "__dsub_rn") + "(v" + a[0] + ", v" + a[1] + ")";
                case MUL -> (f32 ? "__fmul_rn" : "__dmul_rn") + "(v" + a[0] + ", v" + a[1] + ")";
                default -> "binary_op<" + t + ">(B_" + node.binary().name() + ", v" + a[0] + ", v" + a[1] + ")";
            };
            case WHERE -> "v" + a[0] + " != (" + t + ") 0 ? v" + a[1] + " : v" + a[2];
        };
    }
}
