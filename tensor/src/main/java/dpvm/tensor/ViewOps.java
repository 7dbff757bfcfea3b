package dpvm.tensor;

import java.util.Arrays;

/**
 * Views: new shape, strides and offset over the same storage, never a copy (except reshape of a layout that no
 * strides can express, which copies like PyTorch's). Each has its gradient rule beside it.
 */
public final class ViewOps {
    private ViewOps() {}

    private static Tensor make(String op, Tensor x, int[] shape, int[] strides, int offset, Autograd.Rule rule) {
        x.checkOpen();
        return Autograd.record(op, new Tensor(x.storage, shape, strides, offset), rule, x);
    }

    /** Resolves one -1 in a requested shape. */
    static int[] inferShape(String op, int[] requested, int numel) {
        int[] s = requested.clone();
        int infer = -1, known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new ShapeException(op + ": only one dimension can be -1 in " + Shape.str(requested));
                infer = i;
            } else if (s[i] < 0) {
                throw new ShapeException(op + ": negative dimension in " + Shape.str(requested));
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) throw new ShapeException(op + ": cannot infer -1 in " + Shape.str(requested) + " for " + numel + " elements");
            s[infer] = numel / known;
        }
        if (Shape.numel(s) != numel) throw new ShapeException(op + ": shape " + Shape.str(requested) + " is invalid for " + numel + " elements");
        return s;
    }

    /**
     * Strides for viewing (shape, strides) as newShape without a copy, or null when the layout does not allow it.
     * Walks the old dims from the innermost, cutting them into chunks that are contiguous among themselves; each
     * chunk must be covered exactly by a run of new dims, which then get strides within that chunk.
     */
    static int[] viewStrides(int[] shape, int[] strides, int[] newShape) {
        if (shape.length == 0 || Shape.numel(shape) == 0) return Shape.contiguousStrides(newShape);
        int[] out = new int[newShape.length];
        int viewDim = newShape.length - 1;
        long chunkBase = strides[shape.length - 1];
        long chunkNumel = 1, viewNumel = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            chunkNumel *= shape[d];
            boolean chunkEnds = d == 0 || (shape[d - 1] != 1 && strides[d - 1] != chunkNumel * chunkBase);
            if (!chunkEnds) continue;
            while (viewDim >= 0 && (viewNumel < chunkNumel || newShape[viewDim] == 1)) {
                out[viewDim] = (int) (viewNumel * chunkBase);
                viewNumel *= newShape[viewDim];
                viewDim--;
            }
            if (viewNumel != chunkNumel) return null;
            if (d > 0) {
                chunkBase = strides[d - 1];
                chunkNumel = 1;
                viewNumel = 1;
            }
        }
        return viewDim == -1 ? out : null;
    }

    public static Tensor view(Tensor x, int... newShape) {
        int[] shape = inferShape("view", newShape, x.numel());
        int[] strides = viewStrides(x.shape, x.strides, shape);
        if (strides == null) throw new ShapeException("view: a tensor of shape " + Shape.str(x.shape) + " with strides " + Arrays.toString(x.strides) + " cannot be viewed as " + Shape.str(shape) + " without a copy; use reshape");
        int[] in = x.shape;
        return make("view", x, shape, strides, x.offset, g -> new Tensor[] {reshape(g, in)});
    }

    /** A view when the layout allows, otherwise a contiguous copy. */
    public static Tensor reshape(Tensor x, int... newShape) {
        int[] shape = inferShape("reshape", newShape, x.numel());
        if (viewStrides(x.shape, x.strides, shape) != null) return view(x, shape);
        return view(Ops.copy(x, x.dtype()), shape);
    }

    public static Tensor permute(Tensor x, int... order) {
        int r = x.rank();
        if (order.length != r) throw new ShapeException("permute: order " + Arrays.toString(order) + " has " + order.length + " dims, tensor " + Shape.str(x.shape) + " has " + r);
        int[] shape = new int[r], strides = new int[r], inverse = new int[r];
        boolean[] used = new boolean[r];
        for (int i = 0; i < r; i++) {
            int d = Shape.dim("permute", order[i], r);
            if (used[d]) throw new ShapeException("permute: dim " + d + " repeated in " + Arrays.toString(order));
            used[d] = true;
            shape[i] = x.shape[d];
            strides[i] = x.strides[d];
            inverse[d] = i;
        }
        return make("permute", x, shape, strides, x.offset, g -> new Tensor[] {permute(g, inverse)});
    }

    public static Tensor transpose(Tensor x, int d0, int d1) {
        int r = x.rank();
        int a = Shape.dim("transpose", d0, r), b = Shape.dim("transpose", d1, r);
        int[] order = new int[r];
        for (int i = 0; i < r; i++) order[i] = i;
        order[a] = b;
        order[b] = a;
        return permute(x, order);
    }

    public static Tensor narrow(Tensor x, int dim, int start, int length) {
        return slice(x, dim, start, start + length, 1);
    }

    public static Tensor slice(Tensor x, int dim, int from, int to, int step) {
        int d = Shape.dim("slice", dim, x.rank());
        int n = x.shape[d];
        if (step <= 0) throw new ShapeException("slice: step must be positive, got " + step);
        if (from < 0 || to > n || from > to) throw new ShapeException("slice: range [" + from + ", " + to + ") is outside dim " + d + " of size " + n + " in shape " + Shape.str(x.shape));
        int[] shape = x.shape.clone(), strides = x.strides.clone();
        shape[d] = (to - from + step - 1) / step;
        strides[d] = x.strides[d] * step;
        int[] in = x.shape;
        return make("slice", x, shape, strides, x.offset + from * x.strides[d], g -> {
            Tensor full = Tensor.zeros(in, g.dtype(), g.device());
            g.backend().copyInto(slice(full, d, from, to, step), g);
            return new Tensor[] {full};
        });
    }

    public static Tensor select(Tensor x, int dim, int index) {
        int d = Shape.dim("select", dim, x.rank());
        int i = index < 0 ? index + x.shape[d] : index;
        return squeeze(narrow(x, d, i, 1), d);
    }

    public static Tensor expand(Tensor x, int... newShape) {
        int r = newShape.length, lead = r - x.rank();
        if (lead < 0) throw new ShapeException("expand: cannot expand " + Shape.str(x.shape) + " to fewer dims " + Shape.str(newShape));
        int[] shape = new int[r], strides = new int[r];
        for (int i = 0; i < r; i++) {
            int want = newShape[i];
            if (i < lead) {
                if (want < 0) throw new ShapeException("expand: -1 is not allowed for new leading dims in " + Shape.str(newShape));
                shape[i] = want;
                strides[i] = 0;
                continue;
            }
            int have = x.shape[i - lead];
            if (want == -1 || want == have) {
                shape[i] = have;
                strides[i] = x.strides[i - lead];
            } else if (have == 1) {
                shape[i] = want;
                strides[i] = 0;
            } else {
                throw new ShapeException("expand: cannot expand " + Shape.str(x.shape) + " to " + Shape.str(newShape) + " (dim " + i + ": " + have + " vs " + want + ")");
            }
        }
        int[] in = x.shape;
        return make("expand", x, shape, strides, x.offset, g -> new Tensor[] {Functional.sumTo(g, in)});
    }

    public static Tensor squeeze(Tensor x, int dim) {
        int d = Shape.dim("squeeze", dim, x.rank());
        if (x.shape[d] != 1) throw new ShapeException("squeeze: dim " + d + " of shape " + Shape.str(x.shape) + " has size " + x.shape[d] + ", not 1");
        int[] shape = new int[x.rank() - 1], strides = new int[x.rank() - 1];
        for (int i = 0, j = 0; i < x.rank(); i++) {
            if (i == d) continue;
            shape[j] = x.shape[i];
            strides[j++] = x.strides[i];
        }
        return make("squeeze", x, shape, strides, x.offset, g -> new Tensor[] {unsqueeze(g, d)});
    }

    public static Tensor unsqueeze(Tensor x, int dim) {
        int r = x.rank() + 1;
        int d = Shape.dim("unsqueeze", dim, r);
        int[] shape = new int[r], strides = new int[r];
        for (int i = 0, j = 0; i < r; i++) {
            if (i == d) {
                shape[i] = 1;
                strides[i] = j < x.rank() ? x.strides[j] * x.shape[j] : 1;
            } else {
                shape[i] = x.shape[j];
                strides[i] = x.strides[j++];
            }
        }
        return make("unsqueeze", x, shape, strides, x.offset, g -> new Tensor[] {squeeze(g, d)});
    }

    public static Tensor flatten(Tensor x, int startDim, int endDim) {
        int r = x.rank();
        if (r == 0) return reshape(x, 1);
        int s = Shape.dim("flatten", startDim, r), e = Shape.dim("flatten", endDim, r);
        if (s > e) throw new ShapeException("flatten: start dim " + s + " is after end dim " + e);
        int[] shape = new int[r - (e - s)];
        int k = 0;
        for (int i = 0; i < s; i++) shape[k++] = x.shape[i];
        int m = 1;
        for (int i = s; i <= e; i++) m *= x.shape[i];
        shape[k++] = m;
        for (int i = e + 1; i < r; i++) shape[k++] = x.shape[i];
        return reshape(x, shape);
    }
}
