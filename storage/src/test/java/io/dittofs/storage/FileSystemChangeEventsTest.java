package io.dittofs.storage;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.FsException;
import io.dittofs.core.SetAttr;
import io.dittofs.core.Stability;
import io.dittofs.core.notify.ChangeEvent;
import io.dittofs.core.notify.ChangeListener;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The protocol-neutral change hook of {@link FileSystem} ({@code core.notify}): one event per
 * successful namespace, attribute and data change, none for a failed one, and an inactive hook
 * when nobody listens.
 */
class FileSystemChangeEventsTest {
    private static final AuthContext ROOT = AuthContext.ROOT;

    private static String show(ChangeEvent e) {
        return e.action() + " " + (e.name() != null ? e.dirId() + "/" + e.name() : "#" + e.id())
                + (e.name() != null && e.id() >= 0 && e.action() == ChangeEvent.Action.REMOVED ? " #" + e.id() : "")
                + (e.directory() ? " dir" : "") + " " + e.changes();
    }

    @Test
    void shouldFireOneEventPerSuccessfulChange() {
        FileSystem fs = new FileSystem(new MemoryMetadataStore(), new MemoryBlockStore(), false);
        assertFalse(fs.changes().active(), "nobody listens");
        List<String> seen = new CopyOnWriteArrayList<>();
        ChangeListener l = e -> seen.add(show(e));
        fs.changes().add(l);
        assertTrue(fs.changes().active());
        long root = fs.rootId();
        long d = fs.mkdir(ROOT, root, "d", SetAttr.mode(0755)).child().id();
        long f = fs.create(ROOT, d, "f", SetAttr.mode(0644), FileSystem.CreateMode.GUARDED, 0).child().id();
        fs.create(ROOT, d, "f", SetAttr.NONE, FileSystem.CreateMode.UNCHECKED, 0); // exists: no event
        assertThrows(FsException.class, () -> fs.create(ROOT, d, "f", SetAttr.NONE, FileSystem.CreateMode.GUARDED, 0));
        fs.write(ROOT, f, 0, MemorySegment.ofArray(new byte[10]), Stability.UNSTABLE);
        fs.setattr(ROOT, f, SetAttr.mode(0600), -1);
        fs.rename(ROOT, d, "f", root, "g");
        fs.link(ROOT, f, d, "h");
        fs.symlink(ROOT, d, "s", "g", SetAttr.NONE);
        fs.remove(ROOT, d, "h");
        fs.remove(ROOT, d, "s");
        fs.rmdir(ROOT, root, "d");
        assertEquals(List.of("ADDED " + root + "/d dir 1", "ADDED " + d + "/f 1", "MODIFIED #" + f + " 12",
                "MODIFIED #" + f + " 34", "RENAMED_FROM " + d + "/f 1", "RENAMED_TO " + root + "/g 1",
                "ADDED " + d + "/h 1", "ADDED " + d + "/s 1", "REMOVED " + d + "/h 1", "REMOVED " + d + "/s 1",
                "REMOVED " + root + "/d #" + d + " dir 1"), seen);
        fs.changes().remove(l);
        assertFalse(fs.changes().active(), "inactive again once the last listener left");
        fs.remove(ROOT, root, "g");
        assertEquals(11, seen.size());
    }
}
