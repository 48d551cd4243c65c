package io.dittofs.storage.block.file;

import io.dittofs.core.spi.BlockStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link FileBlockStore}'s open content files: a map from inode number to {@link OpenFile},
 * bounded by CLOCK eviction over a lock-free queue (no lock shared by all files). A file is
 * closed only when nobody uses it ({@link OpenFile#retireIfIdle()}); what it has not forced yet
 * (data, or its new directory entry) is remembered per inode and inherited by the file's next
 * {@link OpenFile}, so a later {@code sync} still forces it. Also the forces themselves: the
 * content files' {@code fdatasync} and the fan-out directories' group-committed {@code fsync}.
 *
 * <p>Thread-safe.
 */
final class ChannelCache {
    /** Closed files with unforced changes remembered at most; beyond, closing forces them. */
    private static final int MAX_PENDING = 65_536;

    private final FileLayout layout;
    private final int maxOpen;
    private final ConcurrentHashMap<Long, OpenFile> files = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<OpenFile> clock = new ConcurrentLinkedQueue<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger queued = new AtomicInteger();
    /** Unforced state of files whose channel was closed. */
    private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
    private final GroupSync[] dirs = new GroupSync[FileLayout.FAN_OUT];
    private final AtomicLong dataForces = new AtomicLong();
    /** Allocation measurements ({@code stat} calls) made, for tests. */
    private final AtomicLong allocationStats = new AtomicLong();
    /** Disk space of all content files: the sum of their last measured allocations. */
    private final AtomicLong used = new AtomicLong();
    /** Files whose allocation changed since it was last measured (measured by {@link #usedBytes}). */
    private final Set<OpenFile> stale = ConcurrentHashMap.newKeySet();
    private final AtomicLong dirForces = new AtomicLong();
    /** Test hooks run just before a content file's and a fan-out directory's force. */
    volatile Runnable beforeDataForce = () -> { };
    volatile Runnable beforeDirForce = () -> { };

    /** What a closed channel left to force: its data, and/or its directory entry up to a generation. */
    private record Pending(boolean dataDirty, long direntGen) {
    }

    /** @param used disk space of the content files already there (from {@link FileLayout#measure}) */
    ChannelCache(FileLayout layout, int maxOpen, long used) {
        this.layout = layout;
        this.used.set(used);
        this.maxOpen = maxOpen;
        for (int i = 0; i < dirs.length; i++) {
            dirs[i] = new GroupSync(false);
        }
    }

    /**
     * The file, taken for use ({@link OpenFile#release()} when done); null if it does not exist
     * and {@code create} is false. Never returns a deleted or closed file.
     */
    OpenFile acquire(long id, boolean create) {
        boolean[] opened = {false};
        while (true) {
            OpenFile f = files.get(id);
            if (f == null) {
                f = openFile(id, create, opened);
                if (f == null) {
                    return null;
                }
            }
            if (opened[0] || f.acquire()) {
                opened[0] = false;
                if (!f.deleted && f.channel.isOpen()) {
                    return f;
                }
                f.release();
                tryEvict(f); // deleted or broken: out of the map, so the next lookup opens a new one
            }
            Thread.yield(); // retired by an evictor that is about to remove it from the map
        }
    }

    /** Forgets what a deleted file left unforced (nothing of it remains to force). */
    void forget(long id) {
        pending.remove(id);
    }

    /**
     * Opens (or creates) the file and puts it in the cache; returns what the cache holds for it. A
     * file this call opened is returned already acquired ({@code opened[0]} set), before the sweep
     * it may trigger: otherwise, with every other open file in use (held by READ replies being
     * sent), the sweep would close it before its first use, again and again.
     */
    private OpenFile openFile(long id, boolean create, boolean[] opened) {
        if (!create && !layout.exists(id)) {
            return null; // never written or deleted: no failed open and its two exceptions per call
        }
        boolean[] added = {false};
        OpenFile f;
        try {
            f = files.computeIfAbsent(id, k -> {
                try {
                    // a first WRITE creates the file: look with access(2), not with an open that
                    // fails (and throws and catches a NoSuchFileException) for every new file
                    FileChannel ch = create && !layout.exists(id) ? null : layout.openExisting(id);
                    long direntGen = 0;
                    boolean made = false;
                    while (ch == null && create) {
                        ch = layout.create(id);
                        direntGen = dirs[FileLayout.fan(id)].changed();
                        made = ch != null;
                        if (ch == null) {
                            ch = layout.openExisting(id);
                        }
                    }
                    if (ch == null) {
                        return null;
                    }
                    Pending p = pending.remove(id);
                    if (p != null) {
                        direntGen = Math.max(direntGen, p.direntGen());
                    }
                    added[0] = true;
                    // a file opened again is counted in used already, by the start-up scan or its
                    // last measure before it was closed; a new file is not yet (0)
                    long allocated = made ? 0 : NativeStat.allocated(layout.file(id));
                    return new OpenFile(id, ch, ch.size(), allocated, p != null && p.dataDirty(), direntGen);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw FileLayout.failure("open", id, e.getCause());
        }
        if (added[0]) {
            opened[0] = f.acquire(); // nobody else can retire it before it is in the clock
            clock.add(f);
            queued.incrementAndGet();
            if (open.incrementAndGet() > maxOpen || queued.get() > 2 * maxOpen) {
                sweep();
            }
        }
        return f;
    }

    /**
     * CLOCK: passes over recently used or busy files (clearing their bit) and evicts idle ones
     * until at most {@code maxOpen} are open; drops entries of files already closed (deleted).
     */
    private void sweep() {
        for (int scanned = 0; scanned < 2 * maxOpen + 2
                && (open.get() > maxOpen || queued.get() > 2 * maxOpen); scanned++) {
            OpenFile f = clock.poll();
            if (f == null) {
                return;
            }
            queued.decrementAndGet();
            if (f.retired()) {
                continue; // already closed
            }
            if (open.get() > maxOpen && !f.referenced && tryEvict(f)) {
                continue;
            }
            f.referenced = false;
            clock.add(f);
            queued.incrementAndGet();
        }
    }

    /**
     * Closes the file if nobody uses it: remembers what it has not forced, removes it from the
     * map, then closes the channel. False if it is in use.
     */
    boolean tryEvict(OpenFile f) {
        if (!f.retireIfIdle()) {
            return false;
        }
        if (f.stale && !f.deleted) {
            f.stale = false;
            stale.remove(f);
            measure(f); // nobody uses it: its allocation is final until it is opened again
        }
        boolean broken = !f.channel.isOpen(); // its last force may not have happened
        boolean dirty = !f.deleted && (broken || f.data.dirty());
        long gen = f.deleted ? 0 : f.direntGen.get();
        if (dirty || gen > 0) {
            leavePending(f, dirty, gen, broken);
        }
        files.remove(f.id, f);
        open.decrementAndGet();
        try {
            f.channel.close();
        } catch (IOException e) {
            // a read/write channel of a local file: nothing buffered is lost by a failed close
        }
        return true;
    }

    /** Remembers what a closing file has not forced; beyond {@link #MAX_PENDING} files, forces it now. */
    private void leavePending(OpenFile f, boolean dirty, long gen, boolean broken) {
        if (!broken && pending.size() >= MAX_PENDING) {
            try {
                if (dirty) {
                    forceData(f);
                }
                if (gen > 0) {
                    forceDirent(f.id, gen);
                }
                return;
            } catch (IOException | RuntimeException e) {
                // fall back to remembering it: the next sync forces (and reports) it
            }
        }
        pending.merge(f.id, new Pending(dirty, gen),
                (a, b) -> new Pending(a.dataDirty() || b.dataDirty(), Math.max(a.direntGen(), b.direntGen())));
    }

    /** {@code fdatasync} of the file (callers group-commit through {@link OpenFile#data}). */
    void forceData(OpenFile f) throws IOException {
        beforeDataForce.run();
        f.channel.force(false);
        dataForces.incrementAndGet();
    }

    /** Makes the file's directory entry durable up to generation {@code gen} (group-committed per directory). */
    void forceDirent(long id, long gen) {
        try {
            dirs[FileLayout.fan(id)].await(gen, () -> {
                beforeDirForce.run();
                FileLayout.forceDir(layout.fanDir(id));
                dirForces.incrementAndGet();
            });
        } catch (IOException e) {
            throw FileLayout.failure("sync of the directory entry", id, e);
        }
    }

    /** After a write or a shrinking truncate of {@code f}: its allocation is measured again by the next {@link #usedBytes}. */
    void touched(OpenFile f) {
        if (!f.stale) {
            f.stale = true;
            stale.add(f);
        }
    }

    /** Before {@code f} is unlinked (its write lock held): it no longer counts. */
    void removed(OpenFile f) {
        used.addAndGet(-f.allocated.getAndSet(0));
    }

    /**
     * Disk space of all content files: measures the files changed since the last call (one
     * {@code stat} each; writes only mark a file, so the write path pays nothing), then sums.
     */
    long usedBytes() {
        for (OpenFile f : stale) {
            stale.remove(f);
            if (!f.acquire()) {
                continue; // retired: its eviction measured it
            }
            f.rw.readLock().lock();
            try {
                if (!f.deleted) {
                    f.stale = false; // before the stat: a write after it marks the file again
                    measure(f);
                }
            } finally {
                f.rw.readLock().unlock();
                f.release();
            }
        }
        return used.get();
    }

    /**
     * Disk space of content file {@code id} ({@link FileBlockStore#spaceUsed}): an open file's
     * {@link OpenFile#allocated}, measured first if it is stale (which also settles its share of
     * {@link #usedBytes}); a file not open is {@code stat}ed by path. If the {@code stat} fails the
     * answer is the last measured allocation, or {@code size} rounded up to 4 KiB.
     */
    long allocated(long id, long size) {
        OpenFile f = files.get(id);
        if (f != null && f.acquire()) {
            f.rw.readLock().lock();
            try {
                if (f.deleted) {
                    return 0;
                }
                if (f.stale) {
                    stale.remove(f);
                    f.stale = false; // before the stat: a write after it marks the file again
                    measure(f);
                }
                return f.allocated.get();
            } finally {
                f.rw.readLock().unlock();
                f.release();
            }
        }
        try {
            allocationStats.incrementAndGet();
            return NativeStat.allocated(layout.file(id));
        } catch (IOException e) {
            return BlockStore.roundUpToSpaceUnit(size);
        }
    }

    /** Counts {@code f}'s current allocation instead of its last one. */
    private void measure(OpenFile f) {
        try {
            allocationStats.incrementAndGet();
            long now = NativeStat.allocated(layout.file(f.id));
            used.addAndGet(now - f.allocated.getAndSet(now));
        } catch (IOException e) {
            touched(f); // counted as before; tried again at the next call
        }
    }

    long allocationStats() {
        return allocationStats.get();
    }

    long dataForces() {
        return dataForces.get();
    }

    long dirForces() {
        return dirForces.get();
    }

    /** Closes every open channel (unforced data stays in the page cache, as with any close). */
    void closeAll() {
        for (OpenFile f : files.values()) {
            try {
                f.channel.close();
            } catch (IOException e) {
                // nothing buffered in user space
            }
        }
        files.clear();
    }
}
