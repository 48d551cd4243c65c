package io.dittofs.storage.metadata.lmdb;

import io.dittofs.core.DirEntry;
import io.dittofs.core.FileType;
import io.dittofs.core.Inode;
import io.dittofs.core.spi.MetadataStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The redo log and the checkpoints of {@link LmdbMetadataStore}: records replay in order across
 * both files and stop at a torn one; a store comes back with every durable commit from what a
 * {@code kill -9} leaves (LMDB's file as the page cache held it, with pages reused since the
 * checkpoint) and from what a power cut can leave at worst (LMDB's file as of the checkpoint, but
 * with the meta pages of the latest commit, which point at pages that never reached the disk).
 */
class LmdbRedoLogTest {
    private static final long ROOT = MetadataStore.ROOT_ID;
    private static final long NO_TIMED_CHECKPOINTS = Long.MAX_VALUE / 2_000_000;

    @TempDir
    Path tmp;

    private static ByteBuffer bytes(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return ByteBuffer.allocateDirect(b.length).put(b).flip();
    }

    private static String string(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return new String(a, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Keys of a record's PUT mutations, joined. */
    private static String keys(ByteBuffer p) {
        StringBuilder out = new StringBuilder();
        ByteBuffer q = p.duplicate();
        while (q.hasRemaining()) {
            int op = q.get() & 0xff;
            int klen = q.getShort() & 0xffff;
            out.append(string(q.slice(q.position(), klen)));
            q.position(q.position() + klen);
            if ((op & 0xf0) == RedoLog.PUT) {
                int vlen = q.getInt();
                q.position(q.position() + vlen);
            }
        }
        return out.toString();
    }

    private static void append(RedoLog log, RedoLog.Batch b, String key) throws IOException {
        b.reset();
        b.put(LmdbTxn.Dbs.META, bytes(key), bytes("v-" + key));
        log.append(b);
    }

    @Test
    void shouldReplayRecordsInOrderAcrossBothFilesAndStopAtATornOne() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("log"));
        byte[] meta = new byte[8192];
        RedoLog.Batch b = new RedoLog.Batch();
        try (RedoLog log = new RedoLog(dir, 1 << 16)) {
            log.writeHeader(log.currentFile(), log.nextSeq(), meta);
            for (int i = 0; i < 5; i++) {
                append(log, b, "a" + i);
            }
            log.switchFiles(); // a checkpoint began; its header never made it
            for (int i = 0; i < 3; i++) {
                append(log, b, "b" + i);
            }
            log.sync();
        }
        List<String> seen = new ArrayList<>();
        try (RedoLog log = new RedoLog(dir, 1 << 16)) {
            assertEquals(8, log.replay(p -> seen.add(keys(p))));
        }
        assertEquals(List.of("a0", "a1", "a2", "a3", "a4", "b0", "b1", "b2"), seen);

        // tear the third record of the first file: the chain ends before it
        try (FileChannel ch = FileChannel.open(dir.resolve("redo-0.log"), StandardOpenOption.WRITE)) {
            long third = 2L * (RedoLog.RECORD_HEADER + 1 + 2 + 2 + 4 + 5);
            ch.write(ByteBuffer.wrap(new byte[] {0x55}), third + RedoLog.RECORD_HEADER + 3);
        }
        seen.clear();
        try (RedoLog log = new RedoLog(dir, 1 << 16)) {
            assertEquals(2, log.replay(p -> seen.add(keys(p))));
            // what comes next leaps over every record still in the files
            log.switchFiles();
            append(log, b, "c0");
            log.writeHeader(log.currentFile(), log.nextSeq() - 1, meta);
            log.sync();
        }
        seen.clear();
        try (RedoLog log = new RedoLog(dir, 1 << 16)) {
            log.replay(p -> seen.add(keys(p)));
        }
        assertEquals(List.of("c0"), seen, "nothing left over from before the tear continues the chain");
    }

    private static Inode file(long id) {
        return new Inode(id, FileType.REGULAR, 0644, 1, 1000, 1000, id, 10, 20, 30, 0, ROOT, 0, null);
    }

    private static void create(LmdbMetadataStore s, String name) {
        s.writeAndSync(t -> {
            long id = t.allocateId();
            t.put(file(id));
            t.addEntry(ROOT, name, id);
            return null;
        });
    }

    private static void remove(LmdbMetadataStore s, String name) {
        s.writeAndSync(t -> {
            DirEntry e = t.lookup(ROOT, name);
            t.removeEntry(ROOT, name);
            t.delete(e.child());
            return null;
        });
    }

    private static TreeSet<String> names(LmdbMetadataStore s) {
        TreeSet<String> out = new TreeSet<>();
        s.read(t -> {
            for (DirEntry e : t.list(ROOT, 0, Integer.MAX_VALUE)) {
                out.add(e.name());
                assertEquals(e.child(), t.get(e.child()).id(), "the inode of " + e.name());
            }
            return null;
        });
        return out;
    }

    private static void copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.filter(f -> !f.getFileName().toString().equals("lock.mdb")).toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    private static void copyPages(Path from, Path to, int bytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(bytes);
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(to, StandardOpenOption.WRITE)) {
            while (b.hasRemaining()) {
                in.read(b, b.position());
            }
            b.flip();
            out.write(b, 0);
        }
    }

    private LmdbMetadataStore open(Path dir) {
        return new LmdbMetadataStore(dir, 1L << 20, 1L << 30, 1L << 22, NO_TIMED_CHECKPOINTS);
    }

    @Test
    void shouldRecoverEveryDurableCommitAfterAKillOrAPowerCutBetweenCheckpoints() throws IOException {
        Path live = tmp.resolve("live");
        TreeSet<String> model = new TreeSet<>();
        try (LmdbMetadataStore s = open(live)) {
            for (int i = 0; i < 200; i++) {
                create(s, "a" + i);
                model.add("a" + i);
            }
            s.checkpoint();
            long checkpoints = s.checkpoints();
            copyDir(live, tmp.resolve("atCheckpoint")); // the LMDB file as the checkpoint made it durable
            // churn: pages free up and (without the pin) would be reused
            for (int i = 0; i < 300; i++) {
                create(s, "b" + i);
                model.add("b" + i);
                if (i % 2 == 0) {
                    remove(s, "a" + i / 2);
                    model.remove("a" + i / 2);
                }
            }
            assertEquals(checkpoints, s.checkpoints(), "no checkpoint during the churn");
            copyDir(live, tmp.resolve("kill")); // what the page cache holds: a kill -9
            Path cut = tmp.resolve("cut");
            copyDir(tmp.resolve("atCheckpoint"), cut);
            for (String log : List.of("redo-0.log", "redo-1.log", "redo.ckpt")) {
                Files.copy(live.resolve(log), cut.resolve(log), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            // the worst a power cut can leave: the latest meta pages reached the disk, nothing else did
            copyPages(live.resolve("data.mdb"), cut.resolve("data.mdb"), 8192);
            assertEquals(model, names(s));
        }
        for (String image : List.of("kill", "cut")) {
            try (LmdbMetadataStore s = open(tmp.resolve(image))) {
                assertEquals(model, names(s), image);
                create(s, "after");
            }
            try (LmdbMetadataStore s = open(tmp.resolve(image))) {
                assertTrue(names(s).contains("after"), image + ": usable after recovery");
            }
        }
    }
}
