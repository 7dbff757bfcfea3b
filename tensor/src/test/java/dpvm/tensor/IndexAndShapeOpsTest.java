package dpvm.tensor;

import dpvm.tensor.check.OpCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Gather/scatter-style ops, concatenation and splitting, and the differentiable views. */
class IndexAndShapeOpsTest {
    static java.util.stream.Stream<Device> devices() {
        return Backends4Test.devices();
    }

    @ParameterizedTest
    @MethodSource("devices")
    void indexing(Device d) {
        Tensor idx = Tensor.ofLongs(new long[] {2, 0, 2}, 3);
        OpCheck.of("index_select", x -> Functional.indexSelect(x[0], 1, x[1])).input(2, 4, 3).input(idx).expectShape(2, 3, 3).check(d);
        Tensor g = Tensor.ofLongs(new long[] {0, 2, 1, 1, 0, 0}, 2, 3);
        OpCheck.of("gather", x -> Functional.gather(x[0], 1, x[1])).input(2, 4).input(g).expectShape(2, 3).check(d);
        Tensor tokens = Tensor.ofInts(new int[] {1, 3, 3, 0}, 2, 2);
        OpCheck.of("embedding", x -> Functional.embedding(x[0], x[1])).input(5, 3).input(tokens).expectShape(2, 2, 3).check(d);
        OpCheck.of("gather hand", x -> Functional.gather(x[0], 0, x[1])).input(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2))
                .input(Tensor.ofLongs(new long[] {1, 0}, 1, 2)).expectValues(3, 2).check(d);
    }

    @Test
    void oneHot() {
        Tensor oh = Functional.oneHot(Tensor.ofLongs(new long[] {2, 0}, 2), 3);
        assertArrayEquals(new int[] {2, 3}, oh.shape());
        assertArrayEquals(new long[] {0, 0, 1, 1, 0, 0}, oh.toLongArray());
        var e = assertThrows(ShapeException.class, () -> Functional.oneHot(Tensor.ofLongs(new long[] {3}, 1), 3));
        assertTrue(e.getMessage().contains("one_hot") && e.getMessage().contains("3"), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("devices")
    void catStackSplit(Device d) {
        OpCheck.of("cat", x -> Functional.cat(new Tensor[] {x[0], x[1]}, 1)).input(2, 3).input(2, 1).expectShape(2, 4).check(d);
        OpCheck.of("stack", x -> Functional.stack(new Tensor[] {x[0], x[1], x[2]}, 0)).input(2, 3).input(2, 3).input(2, 3).expectShape(3, 2, 3).check(d);
        OpCheck.of("split", x -> Functional.split(x[0], 2, 1)[2].mul(3)).input(3, 5).expectShape(3, 1).check(d);
        OpCheck.of("chunk", x -> Functional.chunk(x[0], 2, 0)[0].exp()).input(5, 2).expectShape(3, 2).check(d);
        OpCheck.of("cat hand", x -> Functional.cat(new Tensor[] {x[0], x[1]}, 0)).input(Tensor.of(new double[] {1, 2}, 1, 2)).input(Tensor.of(new double[] {3, 4}, 1, 2))
                .expectValues(1, 2, 3, 4).check(d);
    }

    @ParameterizedTest
    @MethodSource("devices")
    void viewGradients(Device d) {
        OpCheck.of("reshape", x -> x[0].reshape(6, -1).mul(x[0].reshape(6, -1))).input(2, 3, 4).expectShape(6, 4).check(d);
        OpCheck.of("permute", x -> x[0].permute(2, 0, 1).exp()).input(2, 3, 4).expectShape(4, 2, 3).check(d);
        OpCheck.of("transpose matmul", x -> x[0].transpose(0, 1).matmul(x[0])).input(3, 2).check(d);
        OpCheck.of("narrow", x -> x[0].narrow(1, 1, 2).mul(2)).input(3, 4).expectShape(3, 2).check(d);
        OpCheck.of("slice step", x -> x[0].slice(0, 1, 7, 3).exp()).input(7, 2).expectShape(2, 2).check(d);
        OpCheck.of("select", x -> x[0].select(1, -1).exp()).input(3, 4).expectShape(3).check(d);
        OpCheck.of("expand", x -> x[0].expand(4, 3, 2).mul(x[1])).input(3, 1).input(4, 3, 2).check(d);
        OpCheck.of("squeeze unsqueeze", x -> x[0].unsqueeze(0).squeeze(2).exp()).input(3, 1).expectShape(1, 3).check(d);
        OpCheck.of("flatten", x -> x[0].flatten(1, 2).exp()).input(2, 3, 2).expectShape(2, 6).check(d);
    }

    @Test
    void writesThroughAViewAreVisibleInItsBase() {
        Tensor base = Tensor.zeros(3, 4);
        Tensor col = base.narrow(1, 2, 1);
        Functional.assign(col, Tensor.of(new float[] {7, 8, 9}, 3, 1));
        assertArrayEquals(new float[] {0, 0, 7, 0, 0, 0, 8, 0, 0, 0, 9, 0}, base.toFloatArray());
        Tensor t = base.transpose(0, 1);
        assertEquals(false, t.isContiguous());
        Functional.assign(t.select(0, 0), Tensor.of(new float[] {1, 2, 3}, 3));
        assertArrayEquals(new float[] {1, 2, 3}, base.select(1, 0).toFloatArray());
    }

    @Test
    void viewsShareStorageAndReshapeCopiesOnlyWhenNeeded() {
        Tensor x = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3);
        assertTrue(x.view(3, 2).storage() == x.storage());
        assertTrue(x.permute(1, 0).storage() == x.storage());
        assertTrue(x.expand(4, 2, 3).storage() == x.storage());
        Tensor t = x.mT();
        assertThrows(ShapeException.class, () -> t.view(6));
        Tensor r = t.reshape(6);
        assertTrue(r.storage() != x.storage());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, r.toFloatArray());
        assertArrayEquals(new int[] {0, 3, 1}, x.expand(4, 2, 3).strides());
    }

    @Test
    void toStringShowsSmallTensors() {
        String s = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).toString();
        assertTrue(s.contains("[[1.0000, 2.0000],") && s.contains("[3.0000, 4.0000]]") && s.contains("shape=[2, 2]") && s.contains("float32"), s);
        assertTrue(Tensor.ofLongs(new long[] {5}, 1).toString().contains("[5]"));
    }
}
