package dev.weft.structured.internal;

/**
 * The default names of a scope's forks, {@code <scope>-<n>}, shared by scopes of the same name: a
 * server that opens the same scope for each request would otherwise build the same strings, two
 * objects per fork, for every request (a tenth of what a fork allocates). Bounded: a table of
 * {@value #TABLE_SIZE} slots, each holding the last scope name that hashed to it; a name seen
 * twice in a row in its slot keeps the names of its first {@value #MAX_INDEX} forks. Other forks
 * get a fresh string, as before, so scopes with ever-new names cost what they did.
 *
 * <p>Thread-safe without locks. The table and the name arrays are read and written racily: two
 * threads may both build an entry, an array or a name, and any of them is correct. A slot read
 * as null only means the name is built again; strings and entries are safely published through
 * their final fields.
 */
final class ForkNames {
    static final int TABLE_SIZE = 64;
    static final int MAX_INDEX = 1024;
    private static final ForkNames[] TABLE = new ForkNames[TABLE_SIZE];

    private final String scopeName;
    private final String prefix;
    /** Whether names are kept (the scope name was seen before in its slot). */
    private final boolean shared;
    /** Kept names; grown by doubling up to {@link #MAX_INDEX} slots. */
    private String[] names;

    private ForkNames(String scopeName, String prefix, boolean shared) {
        this.scopeName = scopeName;
        this.prefix = prefix;
        this.shared = shared;
    }

    /** The names for forks of scopes called {@code scopeName}. */
    static ForkNames of(String scopeName) {
        int slot = scopeName.hashCode() & (TABLE_SIZE - 1);
        ForkNames known = TABLE[slot];
        if (known != null && known.scopeName.equals(scopeName)) {
            if (known.shared) {
                return known;
            }
            ForkNames kept = new ForkNames(scopeName, known.prefix, true);
            TABLE[slot] = kept;
            return kept;
        }
        ForkNames seen = new ForkNames(scopeName, scopeName + "-", false);
        TABLE[slot] = seen;
        return seen;
    }

    /** The default name of fork number {@code index} (from 0). */
    String name(long index) {
        if (!shared || index >= MAX_INDEX) {
            return build(index);
        }
        return kept((int) index);
    }

    private String kept(int index) {
        String[] kept = names;
        if (kept == null || index >= kept.length) {
            int size = Math.max(16, kept == null ? 0 : kept.length);
            while (size <= index) {
                size *= 2;
            }
            String[] grown = new String[size];
            if (kept != null) {
                System.arraycopy(kept, 0, grown, 0, kept.length);
            }
            names = kept = grown;
        }
        String n = kept[index];
        if (n == null) {
            n = build(index);
            kept[index] = n;
        }
        return n;
    }

    /**
     * {@code <scope>-<index>}, with {@code String.concat} rather than {@code +}: the JIT inlines
     * this into every fork's path, and an indy concatenation's method-handle tree made each of
     * those compiles several times larger (the C2 compile of {@link #name} alone took 18 ms, on
     * the compiler thread a cold fan-out waits for).
     */
    private String build(long index) {
        return prefix.concat(Long.toString(index));
    }
}
