package dpvm.nn.io;

import dpvm.nn.io.PickleValues.PyGlobal;
import dpvm.nn.io.PickleValues.PyTuple;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pickle virtual machine that only builds data. It knows the opcodes {@code torch.save} emits
 * (protocol 2, plus the few protocol 4 framing opcodes) and hands every global, call and
 * persistent id to a {@link PickleResolver}. Nothing in the input is ever executed.
 *
 * <p>The machine is iterative and every opcode consumes at least one byte, so input size bounds
 * the run time; stack, mark depth, memo and object counts are bounded so a small hostile pickle
 * cannot exhaust memory.
 */
final class RestrictedUnpickler {

    static final int MAX_STACK = 1 << 20;
    static final int MAX_MARK_DEPTH = 1 << 12;
    static final int MAX_MEMO = 1 << 22;
    static final long MAX_OBJECTS = 1L << 23;
    static final int MAX_LINE = 512;
    static final int MAX_KEY_DEPTH = 32;

    private final Path file;
    private final String entry;
    private final byte[] in;
    private final PickleResolver resolver;
    private final List<Object> stack = new ArrayList<>();
    private final int[] marks = new int[MAX_MARK_DEPTH];
    private int markDepth;
    private final Map<Long, Object> memo = new HashMap<>();
    private long objects;
    private int pos;
    private int opAt;

    RestrictedUnpickler(Path file, String entry, byte[] pickle, PickleResolver resolver) {
        this.file = file;
        this.entry = entry;
        this.in = pickle;
        this.resolver = resolver;
    }

    /** Runs the pickle to its STOP opcode and returns the value it leaves. */
    Object load() {
        while (true) {
            if (pos >= in.length) {
                throw error("pickle ends without a STOP opcode");
            }
            opAt = pos;
            int op = in[pos++] & 0xFF;
            switch (op) {
                case 0x80: { // PROTO
                    int proto = u8();
                    if (proto > 5) {
                        throw error("unsupported pickle protocol " + proto);
                    }
                    break;
                }
                case 0x95: // FRAME: a length hint only; the data follows inline.
                    take(8);
                    break;
                case '.': // STOP
                    return pop();
                case '(': // MARK
                    if (markDepth == MAX_MARK_DEPTH) {
                        throw error("more than " + MAX_MARK_DEPTH + " nested MARKs");
                    }
                    marks[markDepth++] = stack.size();
                    break;
                case '}': push(newDict()); break;
                case ']': push(newList()); break;
                case ')': push(newTuple(List.of())); break;
                case 't': push(newTuple(popMark())); break;
                case 0x85: push(newTuple(popN(1))); break;
                case 0x86: push(newTuple(popN(2))); break;
                case 0x87: push(newTuple(popN(3))); break;
                case 'l': { // LIST
                    List<Object> l = newList();
                    l.addAll(popMark());
                    push(l);
                    break;
                }
                case 'd': { // DICT
                    Map<Object, Object> d = newDict();
                    putPairs(d, popMark());
                    push(d);
                    break;
                }
                case 'a': { // APPEND
                    Object v = pop();
                    asList(peek()).add(v);
                    break;
                }
                case 'e': { // APPENDS
                    List<Object> items = popMark();
                    asList(peek()).addAll(items);
                    break;
                }
                case 's': { // SETITEM
                    Object v = pop();
                    Object k = pop();
                    putPairs(asDict(peek()), java.util.Arrays.asList(k, v));
                    break;
                }
                case 'u': { // SETITEMS
                    List<Object> items = popMark();
                    putPairs(asDict(peek()), items);
                    break;
                }
                case 'X': push(string(u32())); break; // BINUNICODE
                case 0x8C: push(string(u8())); break; // SHORT_BINUNICODE
                case 0x8D: push(string(u64())); break; // BINUNICODE8
                case 'B': push(bytes(u32())); break; // BINBYTES
                case 'C': push(bytes(u8())); break; // SHORT_BINBYTES
                case 'J': push((long) ByteBuffer.wrap(take(4)).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt()); break;
                case 'K': push((long) u8()); break; // BININT1
                case 'M': push((long) (u8() | (u8() << 8))); break; // BININT2
                case 0x8A: push(longN(u8())); break; // LONG1
                case 0x8B: push(longN(u32())); break; // LONG4
                case 'G': push(ByteBuffer.wrap(take(8)).getDouble()); break; // BINFLOAT, big-endian
                case 0x88: push(Boolean.TRUE); break;
                case 0x89: push(Boolean.FALSE); break;
                case 'N': push(null); break;
                case 'q': memoPut(u8()); break; // BINPUT
                case 'r': memoPut(u32()); break; // LONG_BINPUT
                case 0x94: memoPut(memo.size()); break; // MEMOIZE
                case 'h': push(memoGet(u8())); break; // BINGET
                case 'j': push(memoGet(u32())); break; // LONG_BINGET
                case 'c': { // GLOBAL
                    String module = line();
                    String name = line();
                    push(resolve(() -> resolver.global(module, name)));
                    break;
                }
                case 0x93: { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw error("STACK_GLOBAL needs two strings");
                    }
                    push(resolve(() -> resolver.global(m, n)));
                    break;
                }
                case 'R': { // REDUCE
                    PyTuple args = asTuple(pop(), "REDUCE arguments");
                    Object callable = pop();
                    push(resolve(() -> resolver.call(callable, args)));
                    break;
                }
                case 0x81: { // NEWOBJ
                    PyTuple args = asTuple(pop(), "NEWOBJ arguments");
                    Object cls = pop();
                    push(resolve(() -> resolver.newObject(cls, args)));
                    break;
                }
                case 'b': { // BUILD
                    Object state = pop();
                    Object target = peek();
                    resolve(() -> {
                        resolver.build(target, state);
                        return null;
                    });
                    break;
                }
                case 'Q': { // BINPERSID
                    Object pid = pop();
                    push(resolve(() -> resolver.persistentLoad(pid)));
                    break;
                }
                case '0': pop(); break; // POP
                case '1': popMark(); break; // POP_MARK
                case '2': push(peek()); break; // DUP
                default:
                    throw error(String.format("unsupported pickle opcode 0x%02x", op));
            }
        }
    }

    /** Runs a resolver step, adding this pickle's name and position to whatever it rejects. */
    private Object resolve(java.util.function.Supplier<Object> step) {
        try {
            return step.get();
        } catch (UnsafeWeightFileException e) {
            throw new UnsafeWeightFileException(file, entry + " at byte " + opAt + ": " + e.problem());
        } catch (WeightFileException e) {
            throw error(e.problem());
        }
    }

    private void putPairs(Map<Object, Object> d, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw error("odd number of items for a dict");
        }
        for (int i = 0; i < items.size(); i += 2) {
            Object k = items.get(i);
            Object v = items.get(i + 1);
            checkHashable(k, 0);
            d.put(k, v);
        }
    }

    /**
     * Python would refuse an unhashable key; we must too, because hashing a list that contains
     * itself would recurse without end.
     */
    private void checkHashable(Object k, int depth) {
        if (depth > MAX_KEY_DEPTH) {
            throw error("dict key nested too deeply");
        }
        if (k == null || k instanceof String || k instanceof Long || k instanceof BigInteger
                || k instanceof Double || k instanceof Boolean || k instanceof PyGlobal) {
            return;
        }
        if (k instanceof PyTuple t) {
            for (Object o : t.items()) {
                checkHashable(o, depth + 1);
            }
            return;
        }
        throw error("unhashable dict key of type " + typeName(k));
    }

    private Map<Object, Object> newDict() {
        count();
        return new LinkedHashMap<>();
    }

    private List<Object> newList() {
        count();
        return new ArrayList<>();
    }

    private PyTuple newTuple(List<Object> items) {
        count();
        return new PyTuple(items);
    }

    private void count() {
        if (++objects > MAX_OBJECTS) {
            throw error("more than " + MAX_OBJECTS + " objects");
        }
    }

    private void push(Object o) {
        if (stack.size() >= MAX_STACK) {
            throw error("stack deeper than " + MAX_STACK);
        }
        stack.add(o);
    }

    private Object pop() {
        int floor = markDepth == 0 ? 0 : marks[markDepth - 1];
        if (stack.size() <= floor) {
            throw error("stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        int floor = markDepth == 0 ? 0 : marks[markDepth - 1];
        if (stack.size() <= floor) {
            throw error("stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popN(int n) {
        List<Object> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            items.add(0, pop());
        }
        return items;
    }

    private List<Object> popMark() {
        if (markDepth == 0) {
            throw error("no MARK on the stack");
        }
        int from = marks[--markDepth];
        List<Object> tail = stack.subList(from, stack.size());
        List<Object> items = new ArrayList<>(tail);
        tail.clear();
        return items;
    }

    private void memoPut(long index) {
        if (memo.size() >= MAX_MEMO && !memo.containsKey(index)) {
            throw error("more than " + MAX_MEMO + " memo entries");
        }
        memo.put(index, peek());
    }

    private Object memoGet(long index) {
        Object v = memo.get(index);
        if (v == null && !memo.containsKey(index)) {
            throw error("memo reference " + index + " was never stored (" + memo.size() + " entries)");
        }
        return v;
    }

    private List<Object> asList(Object o) {
        if (o instanceof ArrayList<?>) {
            @SuppressWarnings("unchecked")
            List<Object> l = (List<Object>) o;
            return l;
        }
        throw error("APPEND target has type " + typeName(o) + ", not list");
    }

    private Map<Object, Object> asDict(Object o) {
        if (o instanceof LinkedHashMap<?, ?>) {
            @SuppressWarnings("unchecked")
            Map<Object, Object> m = (Map<Object, Object>) o;
            return m;
        }
        throw error("SETITEM target has type " + typeName(o) + ", not dict");
    }

    private PyTuple asTuple(Object o, String what) {
        if (o instanceof PyTuple t) {
            return t;
        }
        throw error(what + " have type " + typeName(o) + ", not tuple");
    }

    private String string(long length) {
        byte[] b = take(length);
        count();
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw error("string is not valid UTF-8");
        }
    }

    private byte[] bytes(long length) {
        byte[] b = take(length);
        count();
        return b;
    }

    /** A little-endian two's complement integer of {@code n} bytes (LONG1/LONG4). */
    private Object longN(long n) {
        if (n > 1024) {
            throw error("integer of " + n + " bytes");
        }
        byte[] le = take(n);
        if (le.length == 0) {
            return 0L;
        }
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) {
            be[i] = le[le.length - 1 - i];
        }
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private String line() {
        int start = pos;
        while (pos < in.length && in[pos] != '\n') {
            if (pos - start >= MAX_LINE) {
                throw error("GLOBAL name longer than " + MAX_LINE + " bytes");
            }
            pos++;
        }
        if (pos >= in.length) {
            throw error("truncated GLOBAL");
        }
        String s = new String(in, start, pos - start, StandardCharsets.US_ASCII);
        pos++;
        return s;
    }

    private int u8() {
        return take(1)[0] & 0xFF;
    }

    private long u32() {
        byte[] b = take(4);
        return (b[0] & 0xFFL) | (b[1] & 0xFFL) << 8 | (b[2] & 0xFFL) << 16 | (b[3] & 0xFFL) << 24;
    }

    private long u64() {
        byte[] b = take(8);
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        return v;
    }

    private byte[] take(long n) {
        if (n < 0 || n > in.length - pos) {
            throw error("truncated: opcode needs " + Long.toUnsignedString(n) + " bytes, " + (in.length - pos) + " remain");
        }
        byte[] b = new byte[(int) n];
        System.arraycopy(in, pos, b, 0, (int) n);
        pos += (int) n;
        return b;
    }

    /** The Python name of a value's type, for messages. */
    static String typeName(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof PyGlobal g) {
            return "global " + g.qualifiedName();
        }
        if (o instanceof String) {
            return "str";
        }
        if (o instanceof Long || o instanceof BigInteger) {
            return "int";
        }
        if (o instanceof Double) {
            return "float";
        }
        if (o instanceof Boolean) {
            return "bool";
        }
        if (o instanceof byte[]) {
            return "bytes";
        }
        if (o instanceof PyTuple) {
            return "tuple";
        }
        if (o instanceof List<?>) {
            return "list";
        }
        if (o instanceof Map<?, ?>) {
            return "dict";
        }
        if (o instanceof PickleValues.StorageRef) {
            return "storage";
        }
        if (o instanceof PickleValues.TensorRef) {
            return "tensor";
        }
        return o.getClass().getSimpleName();
    }

    private WeightFileException error(String what) {
        return new WeightFileException(file, entry + " at byte " + opAt + ": " + what);
    }
}
