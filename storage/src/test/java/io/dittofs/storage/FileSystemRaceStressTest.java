package io.dittofs.storage;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.FileSystem.CreateMode;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Inode;
import io.dittofs.core.SetAttr;
import io.dittofs.core.SetAttr.TimeSet;
import io.dittofs.core.Stability;
import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.MetadataStore;
import io.dittofs.storage.RaceModel.Create;
import io.dittofs.storage.RaceModel.Done;
import io.dittofs.storage.RaceModel.Op;
import io.dittofs.storage.RaceModel.Remove;
import io.dittofs.storage.RaceModel.Rename;
import io.dittofs.storage.RaceModel.State;
import io.dittofs.storage.RaceModel.Truncate;
import io.dittofs.storage.RaceModel.Write;
import io.dittofs.storage.block.fs.FsBlockStore;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.cache.WriteBackCache;
import io.dittofs.storage.metadata.lmdb.LmdbMetadataStore;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Size, content and existence change together: rounds of six concurrent operations (WRITE,
 * SETATTR size, REMOVE, RENAME over, CREATE) on three names, started together. After each round
 * the observed state must be what some real-time-respecting order of the acknowledged outcomes
 * gives ({@link RaceModel#linearize}): an acknowledged write never reads back as zeros because a
 * truncate cut it late. Removed inodes must have no content left in the block store (a write
 * racing an unlink must not recreate it), space accounting must stay within the live bytes, and
 * on the persistent stores everything is checked again after a close and reopen. At the end every
 * name is removed and the store must report zero bytes used.
 */
@Timeout(600)
class FileSystemRaceStressTest {
    private static final AuthContext ROOT = AuthContext.ROOT;
    private static final int THREADS = 6;
    private static final int ROUNDS = Integer.getInteger("dittofs.raceRounds", 400);
    private static final int REOPEN_EVERY = 40;
    private static final String[] NAMES = {"f0", "f1", "f2"};
    /** Largest read of a file or of a removed inode's content (offsets stay below 80 KiB). */
    private static final int SPAN = 128 * 1024;

    @TempDir
    Path dir;

    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    private Rig rig;
    private long roundsRun;
    private long bytesChecked;

    /** The stores under test: {@code fsRoot} is the local block directory, or null for memory. */
    private record Rig(MetadataStore meta, BlockStore blocks, FileSystem fs, Path fsRoot, WriteBackCache cache,
                       long granule) {
        void close() {
            blocks.close();
            meta.close();
        }
    }

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
        if (rig != null) {
            rig.close();
        }
        System.out.printf("race stress: %d rounds, %d bytes checked%n", roundsRun, bytesChecked);
    }

    private Rig memory() {
        MemoryMetadataStore meta = new MemoryMetadataStore();
        MemoryBlockStore blocks = new MemoryBlockStore();
        return new Rig(meta, blocks, new FileSystem(meta, blocks, false), null, null, MemoryBlockStore.DEFAULT_CHUNK_SIZE);
    }

    private Rig lmdbWal() {
        LmdbMetadataStore meta = new LmdbMetadataStore(dir.resolve("meta"), 1L << 20, 1L << 30);
        WriteBackCache cache = new WriteBackCache(new FsBlockStore(dir.resolve("blocks"), true),
                new WriteBackCache.Options(dir.resolve("wal"), 4L << 20, 8, 5));
        return new Rig(meta, cache, new FileSystem(meta, cache, false), dir.resolve("blocks"), cache, 1);
    }

    private Rig lmdbFs() {
        LmdbMetadataStore meta = new LmdbMetadataStore(dir.resolve("meta"), 1L << 20, 1L << 30);
        FsBlockStore blocks = new FsBlockStore(dir.resolve("blocks"));
        return new Rig(meta, blocks, new FileSystem(meta, blocks, false), dir.resolve("blocks"), null, 1);
    }

    @Test
    void shouldKeepContentAndSpaceRightWhenWritesTruncatesAndRemovesRaceOnMemoryStores() throws Exception {
        rig = memory();
        run(1, null);
    }

    @Test
    void shouldKeepContentAndSpaceRightWhenWritesTruncatesAndRemovesRaceOnLmdbAndWalCache() throws Exception {
        rig = lmdbWal();
        run(2, this::lmdbWal);
    }

    @Test
    void shouldKeepContentAndSpaceRightWhenWritesTruncatesAndRemovesRaceOnLmdbAndLocalBlocks() throws Exception {
        rig = lmdbFs();
        run(3, this::lmdbFs);
    }

    private void run(long seed, java.util.function.Supplier<Rig> reopen) throws Exception {
        Random rnd = new Random(seed);
        State model = State.empty();
        Set<Long> known = new HashSet<>();
        for (int round = 0; round < ROUNDS; round++) {
            List<Op> ops = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                ops.add(randomOp(rnd, model, known));
            }
            List<Done> done = runTogether(ops);
            Set<Long> seen = new HashSet<>(known);
            for (Done d : done) {
                if (d.op() instanceof Create && d.error() == null) {
                    seen.add(d.createdId());
                }
            }
            State observed = observe();
            List<Done> order = RaceModel.linearize(model, done, observed, known);
            if (order == null) {
                throw new AssertionError("round " + round + ": no order of the operations explains the state reached:"
                        + RaceModel.describe(model, done, observed));
            }
            Set<Long> gone = new HashSet<>(seen);
            gone.removeAll(known);
            gone.addAll(model.content().keySet()); // live before or born in this round...
            model = observed;
            known = seen;
            checkNoContentOfRemoved(model, gone, "round " + round); // ...and gone now
            checkSpace(model, "round " + round);
            if (reopen != null && round % REOPEN_EVERY == REOPEN_EVERY - 1) {
                rig.close();
                rig = reopen.get();
                assertTrue(observe().sameAs(model), "round " + round + ": state changed across a restart");
                checkNoContentOfRemoved(model, known, "after restart at round " + round);
                checkSpace(model, "after restart at round " + round);
            }
            roundsRun++;
        }
        for (String name : model.names().keySet()) {
            rig.fs().remove(ROOT, rig.fs().rootId(), name);
        }
        checkNoContentOfRemoved(State.empty(), known, "after removing everything");
        drain();
        assertEquals(0, rig.blocks().usedBytes(), "space still counted after every file was removed");
        if (reopen != null) {
            rig.close();
            rig = reopen.get();
            assertEquals(0, rig.blocks().usedBytes(), "space still used after every file was removed and a restart");
            assertEquals(0, diskBytes(), "block files left behind");
        }
    }

    private static Op randomOp(Random rnd, State model, Set<Long> known) {
        String name = NAMES[rnd.nextInt(NAMES.length)];
        int kind = rnd.nextInt(100);
        List<Long> live = new ArrayList<>(model.content().keySet());
        List<Long> dead = new ArrayList<>(known);
        dead.removeAll(live);
        if (kind >= 52 || (live.isEmpty() && dead.isEmpty())) {
            if (kind >= 88) {
                String to = NAMES[(List.of(NAMES).indexOf(name) + 1 + rnd.nextInt(NAMES.length - 1)) % NAMES.length];
                return new Rename(name, to);
            }
            return kind >= 76 ? new Remove(name) : new Create(name);
        }
        long id = !live.isEmpty() && (dead.isEmpty() || rnd.nextInt(10) != 0)
                ? live.get(rnd.nextInt(live.size())) : dead.get(rnd.nextInt(dead.size()));
        if (kind < 20) {
            return new Truncate(id, rnd.nextInt(80 * 1024));
        }
        byte[] data = new byte[1 + rnd.nextInt(24 * 1024)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (1 + rnd.nextInt(255)); // never zero: lost or leaked data shows
        }
        return new Write(id, rnd.nextInt(48 * 1024), data);
    }

    /** Runs the operations on {@link #THREADS} threads released together; records outcomes and times. */
    private List<Done> runTogether(List<Op> ops) throws Exception {
        CountDownLatch ready = new CountDownLatch(ops.size());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Done>> futures = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            boolean stable = i % 2 == 0;
            futures.add(pool.submit(() -> {
                ready.countDown();
                go.await();
                return execute(op, stable);
            }));
        }
        ready.await();
        go.countDown();
        List<Done> out = new ArrayList<>();
        for (Future<Done> f : futures) {
            out.add(f.get());
        }
        return out;
    }

    private Done execute(Op op, boolean stable) {
        FileSystem fs = rig.fs();
        long root = fs.rootId();
        long t0 = System.nanoTime();
        long created = 0;
        FsError error = null;
        try {
            switch (op) {
                case Write w -> fs.write(ROOT, w.id(), w.offset(), MemorySegment.ofArray(w.data()),
                        stable ? Stability.FILE_SYNC : Stability.UNSTABLE);
                case Truncate t -> fs.setattr(ROOT, t.id(),
                        new SetAttr(-1, -1, -1, t.size(), TimeSet.DONT_CHANGE, TimeSet.DONT_CHANGE), -1);
                case Remove r -> fs.remove(ROOT, root, r.name());
                case Rename r -> fs.rename(ROOT, root, r.from(), root, r.to());
                case Create c -> created = fs.create(ROOT, root, c.name(), SetAttr.NONE, CreateMode.UNCHECKED, 0)
                        .child().id();
            }
        } catch (FsException e) {
            error = e.error();
        }
        return new Done(op, error, created, t0, System.nanoTime());
    }

    /** The names and the content of every named file, as a client would read them. */
    private State observe() {
        FileSystem fs = rig.fs();
        Map<String, Long> names = new HashMap<>();
        Map<Long, byte[]> content = new HashMap<>();
        for (String name : NAMES) {
            Inode n;
            try {
                n = fs.lookup(ROOT, fs.rootId(), name);
            } catch (FsException e) {
                assertEquals(FsError.NOT_FOUND, e.error());
                continue;
            }
            names.put(name, n.id());
            byte[] b = new byte[(int) n.size()];
            int got = fs.read(ROOT, n.id(), 0, MemorySegment.ofArray(b)).count();
            assertEquals(b.length, got, "short read of " + name);
            bytesChecked += got;
            content.put(n.id(), b);
        }
        return new State(names, content);
    }

    /** Every one of {@code ids} that is gone is gone for clients and has no byte left in the block store. */
    private void checkNoContentOfRemoved(State model, Set<Long> ids, String when) {
        byte[] buf = new byte[SPAN];
        for (long id : ids) {
            if (model.content().containsKey(id)) {
                continue;
            }
            try {
                rig.fs().getattr(id);
                throw new AssertionError(when + ": removed inode " + id + " still has attributes");
            } catch (FsException e) {
                assertEquals(FsError.STALE, e.error());
            }
            rig.blocks().read(id, 0, MemorySegment.ofArray(buf));
            bytesChecked += buf.length;
            for (int i = 0; i < buf.length; i++) {
                if (buf[i] != 0) {
                    throw new AssertionError(when + ": removed inode " + id + " still has content at " + i);
                }
            }
        }
    }

    /** Space used stays within what the live files can hold; the local store's count matches its files. */
    private void checkSpace(State model, String when) throws IOException {
        drain();
        long bound = 0;
        for (byte[] b : model.content().values()) {
            bound += (b.length + rig.granule() - 1) / rig.granule() * rig.granule();
        }
        long used = rig.blocks().usedBytes();
        assertTrue(used <= bound, when + ": " + used + " bytes used, live files hold at most " + bound);
        if (rig.fsRoot() != null) {
            assertEquals(diskBytes(), used, when + ": space count differs from the block files");
        }
    }

    /** Waits until the WAL cache has moved everything to the block store (its usage is then exact). */
    private void drain() {
        if (rig.cache() == null) {
            return;
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (rig.cache().dirtyBytes() > 0) {
            assertTrue(System.nanoTime() < deadline, "the cache did not flush");
            Thread.onSpinWait();
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private long diskBytes() throws IOException {
        try (Stream<Path> s = Files.walk(rig.fsRoot())) {
            long n = 0;
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                n += Files.size(p);
            }
            return n;
        }
    }
}
