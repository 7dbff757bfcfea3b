package dpvm.nn.io;

import dpvm.nn.io.PickleValues.PyTuple;

/**
 * Everything in a pickle that could run code goes through here. The unpickler itself only builds
 * plain containers; whether a global, a call or a persistent id is acceptable is the resolver's
 * decision, so the allow-list lives in one place.
 */
interface PickleResolver {

    /** The value for {@code GLOBAL module name}; must throw {@link UnsafeWeightFileException} if not allowed. */
    Object global(String module, String name);

    /** The value for {@code BINPERSID}. */
    Object persistentLoad(Object pid);

    /** The value of {@code callable(*args)} for REDUCE. */
    Object call(Object callable, PyTuple args);

    /** The value of {@code cls.__new__(cls, *args)} for NEWOBJ. */
    Object newObject(Object cls, PyTuple args);

    /** Applies BUILD's {@code state} to {@code target}; returns normally only if that is harmless. */
    void build(Object target, Object state);
}
