package dpvm.nn.layers;

import dpvm.nn.Check;
import dpvm.tensor.Device;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;
import dpvm.tensor.check.OpCheck;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class AttentionTest {
    /** Multi-head attention by loops over plain arrays: x [N, L, E] batch-first, packed weights. */
    static double[] reference(double[] x, int n, int l, int e, int heads, double[] w, double[] b, double[] wo, double[] bo, double[] keyPad) {
        int d = e / heads;
        double[][] proj = new double[3][n * l * e];
        for (int part = 0; part < 3; part++)
            for (int t = 0; t < n * l; t++)
                for (int o = 0; o < e; o++) {
                    double s = b[part * e + o];
                    for (int i = 0; i < e; i++) s += x[t * e + i] * w[(part * e + o) * e + i];
                    proj[part][t * e + o] = s;
                }
        double[] ctx = new double[n * l * e];
        for (int bi = 0; bi < n; bi++)
            for (int h = 0; h < heads; h++)
                for (int qi = 0; qi < l; qi++) {
                    double[] sc = new double[l];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int ki = 0; ki < l; ki++) {
                        double s = 0;
                        for (int j = 0; j < d; j++) s += proj[0][(bi * l + qi) * e + h * d + j] * proj[1][(bi * l + ki) * e + h * d + j];
                        sc[ki] = s / Math.sqrt(d) + (keyPad != null && keyPad[bi * l + ki] > 0 ? Double.NEGATIVE_INFINITY : 0);
                        max = Math.max(max, sc[ki]);
                    }
                    double z = 0;
                    for (int ki = 0; ki < l; ki++) z += sc[ki] = Math.exp(sc[ki] - max);
                    for (int j = 0; j < d; j++) {
                        double s = 0;
                        for (int ki = 0; ki < l; ki++) s += sc[ki] / z * proj[2][(bi * l + ki) * e + h * d + j];
                        ctx[(bi * l + qi) * e + h * d + j] = s;
                    }
                }
        double[] out = new double[n * l * e];
        for (int t = 0; t < n * l; t++)
            for (int o = 0; o < e; o++) {
                double s = bo[o];
                for (int i = 0; i < e; i++) s += ctx[t * e + i] * wo[o * e + i];
                out[t * e + o] = s;
            }
        return out;
    }

    private static void randomise(dpvm.nn.Module m, long seed) {
        Map<String, Tensor> sd = new HashMap<>();
        Rng rng = new Rng(seed);
        m.stateDict().forEach((k, v) -> sd.put(k, rng.uniform(v.shape(), v.dtype(), v.device()).sub(0.5)));
        m.loadStateDict(sd, true);
    }

    @Test
    void packedLayoutMatchesLoopReference() {
        MultiheadAttention mha = new MultiheadAttention(6, 2, 0, true, true, new Rng(1));
        assertEquals(List.of("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"), List.copyOf(mha.stateDict().keySet()));
        randomise(mha, 3);
        Tensor x = new Rng(5).uniform(new int[] {2, 3, 6}, dpvm.tensor.DType.FLOAT64, Device.CPU);
        var sd = mha.stateDict();
        double[] pad = {0, 0, 1, 0, 0, 0};
        double[] ref = reference(x.toDoubleArray(), 2, 3, 6, 2, sd.get("in_proj_weight").toDoubleArray(), sd.get("in_proj_bias").toDoubleArray(),
                sd.get("out_proj.weight").toDoubleArray(), sd.get("out_proj.bias").toDoubleArray(), pad);
        Tensor y = mha.forward(x.cast(dpvm.tensor.DType.FLOAT32), x.cast(dpvm.tensor.DType.FLOAT32), x.cast(dpvm.tensor.DType.FLOAT32), null, Tensor.of(pad, 2, 3).cast(dpvm.tensor.DType.FLOAT32));
        assertArrayEquals(ref, y.toDoubleArray(), 1e-5);

        // sequence-first input gives the transposed result
        MultiheadAttention seqFirst = new MultiheadAttention(6, 2, 0, true, false, new Rng(1));
        seqFirst.loadStateDict(mha.stateDict(), true);
        Tensor xs = x.cast(dpvm.tensor.DType.FLOAT32);
        assertArrayEquals(mha.forward(xs).toDoubleArray(), seqFirst.forward(xs.transpose(0, 1)).transpose(0, 1).contiguous().toDoubleArray(), 1e-6);
    }

    @Test
    void packedGradients() {
        MultiheadAttention mha = new MultiheadAttention(4, 2, 0, true, true, new Rng(1));
        OpCheck.of("MultiheadAttention", Check.functional(mha, "in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"))
                .input(2, 3, 4).input(12, 4).input(12).input(4, 4).input(4).check(Device.CPU);
    }

    @Test
    void huggingfaceLayoutEqualsPackedLayout() {
        MultiheadAttention mha = new MultiheadAttention(6, 3, 0, true, true, new Rng(1));
        randomise(mha, 7);
        HfAttention hf = new HfAttention(6, 3, true, 0, 0, new Rng(2));
        assertEquals(List.of("attention.query.weight", "attention.query.bias", "attention.key.weight", "attention.key.bias", "attention.value.weight", "attention.value.bias",
                "output.dense.weight", "output.dense.bias"), List.copyOf(hf.stateDict().keySet()));
        var p = mha.stateDict();
        Map<String, Tensor> sd = new HashMap<>();
        String[] parts = {"query", "key", "value"};
        for (int i = 0; i < 3; i++) {
            sd.put("attention." + parts[i] + ".weight", p.get("in_proj_weight").narrow(0, 6 * i, 6));
            sd.put("attention." + parts[i] + ".bias", p.get("in_proj_bias").narrow(0, 6 * i, 6));
        }
        sd.put("output.dense.weight", p.get("out_proj.weight"));
        sd.put("output.dense.bias", p.get("out_proj.bias"));
        hf.loadStateDict(sd, true);
        Tensor x = new Rng(9).uniform(new int[] {2, 4, 6}, dpvm.tensor.DType.FLOAT32, Device.CPU);
        assertArrayEquals(mha.forward(x).toDoubleArray(), hf.forward(x).toDoubleArray(), 1e-6);
        OpCheck.of("HfAttention", Check.functional(new HfAttention(4, 2, true, 0, 0, new Rng(1)), "attention.query.weight", "attention.value.bias", "output.dense.weight"))
                .input(1, 3, 4).input(4, 4).input(4).input(4, 4).check(Device.CPU);
    }

    @Test
    void transformerEncoderLayerPostAndPreNorm() {
        for (boolean pre : new boolean[] {false, true}) {
            TransformerEncoderLayer layer = new TransformerEncoderLayer(4, 2, 8, 0.1, Activation.Kind.RELU, 1e-5, true, pre, new Rng(1));
            assertEquals(List.of("self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias", "linear1.weight", "linear1.bias",
                    "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"), List.copyOf(layer.stateDict().keySet()));
            layer.eval();
            randomise(layer, 11);
            Tensor x = new Rng(2).uniform(new int[] {2, 3, 4}, dpvm.tensor.DType.FLOAT32, Device.CPU);
            MultiheadAttention sa = (MultiheadAttention) layer.child("self_attn");
            Linear l1 = (Linear) layer.child("linear1"), l2 = (Linear) layer.child("linear2");
            LayerNorm n1 = (LayerNorm) layer.child("norm1"), n2 = (LayerNorm) layer.child("norm2");
            Tensor expect;
            if (pre) {
                Tensor h = x.add(sa.forward(n1.forward(x)));
                expect = h.add(l2.forward(l1.forward(n2.forward(h)).relu()));
            } else {
                Tensor h = n1.forward(x.add(sa.forward(x)));
                expect = n2.forward(h.add(l2.forward(l1.forward(h).relu())));
            }
            assertArrayEquals(expect.toDoubleArray(), layer.forward(x).toDoubleArray(), 1e-6);
            OpCheck.of("TransformerEncoderLayer pre=" + pre, Check.functional(layer, "linear1.weight", "norm2.weight")).input(1, 3, 4).input(8, 4).input(4).check(Device.CPU);
        }
    }

    @Test
    void mlpAndSqueezeExcitation() {
        Mlp mlp = new Mlp(3, new int[] {5, 4, 2}, Activation.Kind.RELU, true, 0, new Rng(1));
        assertEquals(List.of("0.weight", "0.bias", "3.weight", "3.bias", "6.weight", "6.bias"), List.copyOf(mlp.stateDict().keySet()));
        OpCheck.of("Mlp", Check.functional(mlp, "0.weight", "6.bias")).input(2, 3).input(5, 3).input(2).expectShape(2, 2).check(Device.CPU);

        SqueezeExcitation se = SqueezeExcitation.senet(32, new Rng(1));
        assertEquals(List.of("fc.0.weight", "fc.2.weight"), List.copyOf(se.stateDict().keySet()));
        assertArrayEquals(new int[] {2, 32}, se.stateDict().get("fc.0.weight").shape());
        SqueezeExcitation conv = new SqueezeExcitation(8, 2, SqueezeExcitation.Style.CONV, new Rng(1));
        assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), List.copyOf(conv.stateDict().keySet()));
        OpCheck.of("SE linear", Check.functional(new SqueezeExcitation(4, 2, SqueezeExcitation.Style.LINEAR, new Rng(1)), "fc.0.weight", "fc.2.weight"))
                .input(2, 4, 3, 3).input(2, 4).input(4, 2).check(Device.CPU);
        OpCheck.of("SE conv", Check.functional(conv, "fc1.weight", "fc2.bias")).input(1, 8, 2, 3).input(2, 8, 1, 1).input(8).check(Device.CPU);

        // zero weights give a gate of sigmoid(0) = 1/2 everywhere
        SqueezeExcitation half = new SqueezeExcitation(2, 1, SqueezeExcitation.Style.LINEAR, new Rng(1));
        half.loadStateDict(Map.of("fc.0.weight", Tensor.zeros(1, 2), "fc.2.weight", Tensor.zeros(2, 1)), true);
        assertArrayEquals(new double[] {0.5, 1, 1.5, 2}, half.forward(Tensor.of(new float[] {1, 2, 3, 4}, 1, 2, 2, 1)).toDoubleArray(), 1e-7);
    }
}
