package dpvm.nn.arch;

import dpvm.nn.layers.Activation;
import dpvm.nn.layers.Inits;
import dpvm.nn.layers.TransformerEncoderLayer;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Ops;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class VivitTest {
    static VivitConfig tiny(boolean pooler) {
        return VivitConfig.base().resized(8, 4, new int[] {2, 4, 4}, 8, 2, 2, 16, pooler);
    }

    private static void randomise(dpvm.nn.Module m, long seed) {
        Map<String, Tensor> sd = new HashMap<>();
        Rng rng = new Rng(seed);
        m.stateDict().forEach((k, v) -> sd.put(k, rng.uniform(v.shape(), v.dtype(), v.device()).sub(0.5)));
        m.loadStateDict(sd, true);
    }

    @Test
    void baseCountAndKeys() {
        Vivit v = Inits.shapesOnly(() -> new Vivit(VivitConfig.base(), new Rng(0)));
        // embeddings 1,180,416 + 768 + 3137*768; 12 layers of 7,087,872; final LN 1,536; pooler 590,592
        assertEquals(89_236_992L, v.parameterCount());
        Map<String, Tensor> sd = v.stateDict();
        assertArrayEquals(new int[] {768, 3, 2, 16, 16}, sd.get("embeddings.patch_embeddings.projection.weight").shape());
        assertArrayEquals(new int[] {1, 3137, 768}, sd.get("embeddings.position_embeddings").shape());
        assertArrayEquals(new int[] {3072, 768}, sd.get("encoder.layer.11.intermediate.dense.weight").shape());
        assertArrayEquals(new int[] {768, 3072}, sd.get("encoder.layer.0.output.dense.weight").shape());
        List<String> layer0 = sd.keySet().stream().filter(k -> k.startsWith("encoder.layer.0.")).map(k -> k.substring(16)).toList();
        assertEquals(List.of("attention.attention.query.weight", "attention.attention.query.bias", "attention.attention.key.weight", "attention.attention.key.bias",
                "attention.attention.value.weight", "attention.attention.value.bias", "attention.output.dense.weight", "attention.output.dense.bias",
                "intermediate.dense.weight", "intermediate.dense.bias", "output.dense.weight", "output.dense.bias", "layernorm_before.weight", "layernorm_before.bias",
                "layernorm_after.weight", "layernorm_after.bias"), layer0);
        assertEquals(List.of("embeddings.cls_token", "embeddings.position_embeddings", "embeddings.patch_embeddings.projection.weight"), List.copyOf(sd.keySet()).subList(0, 3));
        assertTrue(sd.containsKey("layernorm.weight") && sd.containsKey("pooler.dense.bias"));
        assertEquals(88_646_400L, Inits.shapesOnly(() -> new Vivit(VivitConfig.base().resized(224, 32, new int[] {2, 16, 16}, 768, 12, 12, 3072, false), new Rng(0))).parameterCount());
    }

    @Test
    void layerEqualsPreNormTorchEncoderLayer() {
        VivitConfig c = tiny(false);
        VivitLayer layer = new VivitLayer(c, new Rng(1));
        randomise(layer, 2);
        TransformerEncoderLayer torch = new TransformerEncoderLayer(8, 2, 16, 0, Activation.Kind.GELU_TANH, 1e-6, true, true, new Rng(3));
        var p = layer.stateDict();
        Map<String, Tensor> t = new HashMap<>();
        t.put("self_attn.in_proj_weight", Ops.cat(new Tensor[] {p.get("attention.attention.query.weight"), p.get("attention.attention.key.weight"), p.get("attention.attention.value.weight")}, 0));
        t.put("self_attn.in_proj_bias", Ops.cat(new Tensor[] {p.get("attention.attention.query.bias"), p.get("attention.attention.key.bias"), p.get("attention.attention.value.bias")}, 0));
        t.put("self_attn.out_proj.weight", p.get("attention.output.dense.weight"));
        t.put("self_attn.out_proj.bias", p.get("attention.output.dense.bias"));
        t.put("linear1.weight", p.get("intermediate.dense.weight"));
        t.put("linear1.bias", p.get("intermediate.dense.bias"));
        t.put("linear2.weight", p.get("output.dense.weight"));
        t.put("linear2.bias", p.get("output.dense.bias"));
        t.put("norm1.weight", p.get("layernorm_before.weight"));
        t.put("norm1.bias", p.get("layernorm_before.bias"));
        t.put("norm2.weight", p.get("layernorm_after.weight"));
        t.put("norm2.bias", p.get("layernorm_after.bias"));
        torch.loadStateDict(t, true);
        Tensor x = new Rng(4).uniform(new int[] {2, 5, 8}, DType.FLOAT32, Device.CPU);
        assertArrayEquals(torch.forward(x).toDoubleArray(), layer.forward(x).toDoubleArray(), 1e-5);
    }

    @Test
    void tinyForwardShapesAndTokenOrder() {
        Vivit v = new Vivit(tiny(true), new Rng(1));
        Tensor pixels = new Rng(2).uniform(new int[] {2, 4, 3, 8, 8}, DType.FLOAT32, Device.CPU);
        assertArrayEquals(new int[] {2, 2 * 2 * 2 + 1, 8}, v.forward(pixels).shape());
        assertArrayEquals(new int[] {2, 8}, v.cls(pixels).shape());
        assertArrayEquals(new int[] {2, 8}, v.pooled(pixels).shape());
        // token 1 + (t*nh + h)*nw + w is the tubelet at (t, h, w): check token for (1, 0, 1)
        VivitEmbeddings emb = (VivitEmbeddings) v.child("embeddings");
        Tensor grid = emb.grid(pixels);
        Tensor tokens = emb.forward(pixels).sub(emb.stateDict().get("position_embeddings"));
        int idx = 1 + (1 * 2 + 0) * 2 + 1;
        assertArrayEquals(grid.select(2, 1).select(2, 0).select(2, 1).contiguous().toDoubleArray(), tokens.select(1, idx).contiguous().toDoubleArray(), 1e-6);
    }

    @Test
    void factorisedEncoder() {
        VivitFactorised f = new VivitFactorised(tiny(false).withTemporalLayers(1), new Rng(1));
        Map<String, Tensor> sd = f.stateDict();
        assertArrayEquals(new int[] {1, 5, 8}, sd.get("embeddings.position_embeddings").shape());
        assertArrayEquals(new int[] {1, 3, 8}, sd.get("temporal_embeddings.position_embeddings").shape());
        assertTrue(sd.containsKey("temporal_embeddings.cls_token"));
        assertTrue(sd.containsKey("spatial_encoder.layer.1.attention.attention.query.weight"));
        assertTrue(sd.containsKey("temporal_encoder.layer.0.output.dense.bias"));
        assertFalse(sd.containsKey("temporal_encoder.layer.1.output.dense.bias"));
        Tensor y = f.forward(new Rng(2).uniform(new int[] {2, 4, 3, 8, 8}, DType.FLOAT32, Device.CPU));
        assertArrayEquals(new int[] {2, 8}, y.shape());
        y.sum().backward();
        assertNotNull(sd.get("spatial_encoder.layer.0.intermediate.dense.weight").grad());
    }
}
