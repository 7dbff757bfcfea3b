package dpvm.nn;

import dpvm.tensor.Autograd;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Functional;
import dpvm.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A node of a network: its own parameters and buffers plus named children, addressed by PyTorch's dotted names
 * ({@code layer1.0.conv1.weight}), so checkpoints written by PyTorch map key for key.
 *
 * <p>Layers read their tensors through {@link #param} and {@link #buffer} at every call rather than caching them
 * in fields: {@link #to}, {@link #cast} and {@link #bindParameter} replace the tensor objects, and a stale field
 * would keep computing with the old ones.
 *
 * <p>Build, move and cast modules outside any {@link dpvm.tensor.Scope}: tensors made inside one are closed with
 * it. Forward passes, {@link #loadStateDict} and training steps are fine inside scopes; they write module state
 * in place.
 */
public abstract class Module {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** The usual single-input forward; layers with other signatures add their own overloads. */
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no single-tensor forward");
    }

    // ---------------------------------------------------------------- registration

    /** Registers a parameter: stored as a contiguous leaf that requires a gradient. */
    protected Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        Tensor p = asLeaf(value, true);
        params.put(name, p);
        return p;
    }

    /** Registers non-trainable state (running statistics, counters) that still belongs to the state dict. */
    protected Tensor registerBuffer(String name, Tensor value) {
        checkName(name);
        Tensor b = asLeaf(value, false);
        buffers.put(name, b);
        return b;
    }

    protected <M extends Module> M registerModule(String name, M child) {
        checkName(name);
        if (child == null) throw new IllegalArgumentException("registerModule: child '" + name + "' is null");
        children.put(name, child);
        child.train(training);
        return child;
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) throw new IllegalArgumentException("bad member name '" + name + "': non-empty, without dots");
        if (params.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": name '" + name + "' is already registered");
        }
    }

    private static Tensor asLeaf(Tensor value, boolean grad) {
        // detaching gives a tensor no graph can reach, so its gradient always lands in grad()
        Tensor dense = dpvm.nn.layers.Inits.isShapesOnly() ? value : Autograd.noGrad(value::contiguous);
        Tensor t = Autograd.noGrad(dense::detach);
        // a contiguous copy made here is reachable only through t, which shares its storage: drop its reference
        if (dense != value) dense.close();
        if (grad && t.dtype().isFloating()) t.requiresGrad(true);
        return t;
    }

    /** This module's own parameter (not a child's). */
    protected Tensor param(String name) {
        Tensor t = params.get(name);
        if (t == null && !params.containsKey(name)) throw new IllegalArgumentException(getClass().getSimpleName() + " has no parameter '" + name + "'");
        return t;
    }

    protected boolean hasParam(String name) {
        return params.containsKey(name);
    }

    protected Tensor buffer(String name) {
        if (!buffers.containsKey(name)) throw new IllegalArgumentException(getClass().getSimpleName() + " has no buffer '" + name + "'");
        return buffers.get(name);
    }

    public Module child(String name) {
        Module m = children.get(name);
        if (m == null) throw new IllegalArgumentException(getClass().getSimpleName() + " has no child '" + name + "'");
        return m;
    }

    /** The module at a dotted path ("layer1.0"); the empty path is this module. */
    public Module submodule(String path) {
        Module m = this;
        if (path.isEmpty()) return m;
        for (String part : path.split("\\.")) m = m.child(part);
        return m;
    }

    /**
     * Rebinds a parameter, by dotted name, to {@code value} itself without copying, so a graph built by the next
     * forward reaches {@code value}: functional calls in gradient checks, and weight tying.
     */
    public void bindParameter(String path, Tensor value) {
        int dot = path.lastIndexOf('.');
        Module owner = dot < 0 ? this : submodule(path.substring(0, dot));
        String name = path.substring(dot + 1);
        Tensor old = owner.params.get(name);
        if (old == null) throw new IllegalArgumentException("no parameter '" + path + "'");
        if (!Arrays.equals(old.shape(), value.shape())) throw new IllegalArgumentException("bindParameter '" + path + "': shape " + Arrays.toString(value.shape()) + " differs from " + Arrays.toString(old.shape()));
        owner.params.put(name, value);
    }

    // ---------------------------------------------------------------- traversal

    public Map<String, Module> children() {
        return java.util.Collections.unmodifiableMap(children);
    }

    /** Every module under this one, this one first under "", in registration order (PyTorch's named_modules). */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", out);
        return out;
    }

    private void collectModules(String prefix, Map<String, Module> out) {
        out.put(prefix, this);
        for (var e : children.entrySet()) e.getValue().collectModules(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), out);
    }

    public void apply(Consumer<Module> fn) {
        for (Module m : namedModules().values()) fn.accept(m);
    }

    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, false);
        return out;
    }

    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, false, true);
        return out;
    }

    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Parameters that currently require a gradient (what an optimiser should see after freezing). */
    public List<Tensor> trainableParameters() {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : namedParameters().values()) if (t.requiresGrad()) out.add(t);
        return out;
    }

    /**
     * Parameters and buffers in PyTorch's state_dict order: a module's own parameters, then its own buffers, then
     * each child's entries depth-first. The tensors are the live ones, not copies.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, true);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean withParams, boolean withBuffers) {
        if (withParams) for (var e : params.entrySet()) if (e.getValue() != null) out.put(prefix + e.getKey(), e.getValue());
        if (withBuffers) for (var e : buffers.entrySet()) if (e.getValue() != null) out.put(prefix + e.getKey(), e.getValue());
        for (var e : children.entrySet()) e.getValue().collect(prefix + e.getKey() + ".", out, withParams, withBuffers);
    }

    public long parameterCount() {
        long n = 0;
        for (Tensor t : namedParameters().values()) n += t.numel();
        return n;
    }

    public long trainableParameterCount() {
        long n = 0;
        for (Tensor t : trainableParameters()) n += t.numel();
        return n;
    }

    // ---------------------------------------------------------------- mode and placement

    /** Sets training mode here and in every descendant (dropout and batch-norm behaviour). */
    public Module train(boolean on) {
        training = on;
        for (Module c : children.values()) c.train(on);
        return this;
    }

    public Module eval() {
        return train(false);
    }

    public boolean isTraining() {
        return training;
    }

    /** Stops gradients for every parameter below here (they keep their values and stay in the state dict). */
    public Module freeze() {
        for (Tensor t : namedParameters().values()) t.requiresGrad(false);
        return this;
    }

    public Module unfreeze() {
        for (Tensor t : namedParameters().values()) if (t.dtype().isFloating()) t.requiresGrad(true);
        return this;
    }

    /** Moves every parameter and buffer to {@code device}; gradients are dropped, trainability is kept. */
    public Module to(Device device) {
        return remap(t -> t.to(device), false);
    }

    /** Converts floating parameters and buffers to {@code dtype} (float64 for gradient checks). */
    public Module cast(DType dtype) {
        return remap(t -> t.dtype().isFloating() ? t.cast(dtype) : t, true);
    }

    /**
     * The leaf that replaces a moved or cast tensor. The moved tensor is made here and reachable from nowhere
     * else, so its reference is dropped at once: device memory then follows the new leaf's lifetime exactly
     * instead of waiting for a garbage collection. The old tensor stays open for whoever still holds it.
     */
    private static Tensor replaced(Tensor moved, boolean grad) {
        Tensor leaf = asLeaf(moved, grad);
        moved.close(); // the leaf holds its own reference to the storage
        return leaf;
    }

    private Module remap(java.util.function.UnaryOperator<Tensor> fn, boolean floatingOnly) {
        for (Module m : namedModules().values()) {
            for (var e : m.params.entrySet()) {
                Tensor old = e.getValue();
                if (old == null) continue;
                Tensor moved = Autograd.noGrad(() -> fn.apply(old));
                if (moved != old) e.setValue(replaced(moved, old.requiresGrad()));
            }
            for (var e : m.buffers.entrySet()) {
                Tensor old = e.getValue();
                if (old == null) continue;
                Tensor moved = Autograd.noGrad(() -> fn.apply(old));
                if (moved != old) e.setValue(replaced(moved, false));
            }
        }
        return this;
    }

    // ---------------------------------------------------------------- loading

    /**
     * Copies values from {@code source} into this module's parameters and buffers in place (so optimisers
     * holding them stay valid), converting dtype and device. Strict mode throws with the report unless every
     * key matches by name and shape; lenient mode loads whatever fits and returns the report.
     * {@code num_batches_tracked} is never reported missing or unexpected: checkpoints from before PyTorch 0.4.1
     * lack it.
     */
    public LoadReport loadStateDict(Map<String, Tensor> source, boolean strict) {
        Map<String, Tensor> own = stateDict();
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), mismatched = new ArrayList<>();
        for (var e : own.entrySet()) {
            Tensor src = source.get(e.getKey());
            if (src == null) {
                if (!LoadReport.isOptional(e.getKey())) missing.add(e.getKey());
            } else if (!Arrays.equals(src.shape(), e.getValue().shape())) {
                mismatched.add(e.getKey() + ": checkpoint " + Arrays.toString(src.shape()) + ", model " + Arrays.toString(e.getValue().shape()));
            }
        }
        for (String k : source.keySet()) if (!own.containsKey(k) && !LoadReport.isOptional(k)) unexpected.add(k);
        LoadReport report = new LoadReport(missing, unexpected, mismatched);
        if (strict && !report.isClean()) throw new IllegalArgumentException("loadStateDict: " + report);
        try (AutoCloseable ignored = Autograd.noGrad()) {
            for (var e : own.entrySet()) {
                Tensor src = source.get(e.getKey());
                Tensor dst = e.getValue();
                if (src == null || !Arrays.equals(src.shape(), dst.shape())) continue;
                Functional.assign(dst, src.to(dst.device()));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return report;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        describe(sb, "", "");
        return sb.toString();
    }

    private void describe(StringBuilder sb, String indent, String name) {
        sb.append(indent).append(name.isEmpty() ? "" : name + ": ").append(getClass().getSimpleName());
        for (var e : params.entrySet()) if (e.getValue() != null) sb.append(' ').append(e.getKey()).append(Arrays.toString(e.getValue().shape()));
        sb.append('\n');
        for (var e : children.entrySet()) e.getValue().describe(sb, indent + "  ", e.getKey());
    }
}
