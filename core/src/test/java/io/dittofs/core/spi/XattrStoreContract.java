package io.dittofs.core.spi;

import io.dittofs.core.FileType;
import io.dittofs.core.Inode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The extended-attribute primitives of {@link MetadataTxn} every backend must provide: values by
 * exact name, names in code-point order, replace, remove, rollback, and removal with the inode.
 * A backend's test extends this class and supplies a fresh, empty store.
 *
 * <p>Public because backends in other modules extend it through the core test-jar.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class XattrStoreContract {
    private static final long FILE = 7;
    private static final long OTHER = 8;

    protected MetadataStore store;

    /** A new, empty store. */
    protected abstract MetadataStore newStore();

    @BeforeEach
    void openStore() {
        store = newStore();
        store.write(t -> {
            t.put(file(FILE));
            t.put(file(OTHER));
            return null;
        });
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private static Inode file(long id) {
        return new Inode(id, FileType.REGULAR, 0644, 1, 1000, 1000, 0, 1, 2, 3, 0, 0, 0, null);
    }

    private void set(long id, String name, byte[] value) {
        store.write(t -> {
            t.setXattr(id, name, value);
            return null;
        });
    }

    private byte[] get(long id, String name) {
        return store.read(t -> t.getXattr(id, name));
    }

    private List<String> list(long id) {
        return store.read(t -> t.listXattrs(id));
    }

    @Test
    void shouldReturnValueByExactNameWhenSet() {
        set(FILE, "foo", new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, get(FILE, "foo"));
        assertNull(get(FILE, "FOO"), "names are case-sensitive");
        assertNull(get(OTHER, "foo"), "per inode");
        assertNull(get(FILE, "bar"));
    }

    @Test
    void shouldKeepEmptyAndLargeValues() {
        byte[] big = new byte[64 * 1024];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        set(FILE, "empty", new byte[0]);
        set(FILE, "big", big);
        assertArrayEquals(new byte[0], get(FILE, "empty"));
        assertArrayEquals(big, get(FILE, "big"));
    }

    @Test
    void shouldReplaceValueWhenSetAgain() {
        set(FILE, "foo", new byte[] {1});
        set(FILE, "foo", new byte[] {2, 2});
        assertArrayEquals(new byte[] {2, 2}, get(FILE, "foo"));
        assertEquals(List.of("foo"), list(FILE));
    }

    @Test
    void shouldListNamesInCodePointOrder() {
        for (String n : List.of("b", "a", "B", "\u00e9t\u00e9", "a.long.name/with/slash", "\uD83D\uDE00", "\uFFFD")) {
            set(FILE, n, new byte[] {9});
        }
        assertEquals(List.of("B", "a", "a.long.name/with/slash", "b", "\u00e9t\u00e9", "\uFFFD", "\uD83D\uDE00"),
                list(FILE));
        assertEquals(List.of(), list(OTHER));
    }

    @Test
    void shouldNotAliasStoredValue() {
        byte[] v = {1, 2, 3};
        set(FILE, "foo", v);
        v[0] = 42;
        byte[] got = get(FILE, "foo");
        got[1] = 42;
        assertArrayEquals(new byte[] {1, 2, 3}, get(FILE, "foo"));
    }

    @Test
    void shouldRemoveOnlyNamedAttribute() {
        set(FILE, "a", new byte[] {1});
        set(FILE, "b", new byte[] {2});
        assertTrue(store.<Boolean>write(t -> t.removeXattr(FILE, "a")));
        assertFalse(store.<Boolean>write(t -> t.removeXattr(FILE, "a")), "already gone");
        assertNull(get(FILE, "a"));
        assertEquals(List.of("b"), list(FILE));
    }

    @Test
    void shouldDeleteAttributesWithTheirInode() {
        set(FILE, "a", new byte[] {1});
        set(FILE, "b", new byte[] {2});
        set(OTHER, "a", new byte[] {3});
        store.write(t -> {
            t.delete(FILE);
            return null;
        });
        assertEquals(List.of(), list(FILE));
        assertNull(get(FILE, "a"));
        assertArrayEquals(new byte[] {3}, get(OTHER, "a"), "other inodes keep theirs");
    }

    @Test
    void shouldRollBackAttributeChangesWhenWorkThrows() {
        set(FILE, "keep", new byte[] {1});
        assertThrows(IllegalStateException.class, () -> store.write(t -> {
            t.setXattr(FILE, "new", new byte[] {2});
            t.setXattr(FILE, "keep", new byte[] {3});
            t.removeXattr(FILE, "keep");
            throw new IllegalStateException("abort");
        }));
        assertEquals(List.of("keep"), list(FILE));
        assertArrayEquals(new byte[] {1}, get(FILE, "keep"));
    }

    @Test
    void shouldSeeOwnChangesInsideTransaction() {
        store.write(t -> {
            t.setXattr(FILE, "x", new byte[] {5});
            assertArrayEquals(new byte[] {5}, t.getXattr(FILE, "x"));
            assertEquals(List.of("x"), t.listXattrs(FILE));
            return null;
        });
    }

    @Test
    void shouldRefuseXattrWritesInReadTransaction() {
        assertThrows(RuntimeException.class, () -> store.read(t -> {
            t.setXattr(FILE, "x", new byte[] {1});
            return null;
        }));
        assertNull(get(FILE, "x"));
    }

    /** Backends that persist: the attributes survive reopening the store. */
    protected void assertSurvivesReopen(java.util.function.Supplier<MetadataStore> reopen) {
        set(FILE, "persist", new byte[] {4, 2});
        store.close();
        store = reopen.get();
        assertArrayEquals(new byte[] {4, 2}, get(FILE, "persist"));
        assertEquals(List.of("persist"), list(FILE));
    }
}
