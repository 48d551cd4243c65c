package io.dittofs.protocols.nfs.v4.state;

import io.dittofs.core.lock.FileKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state journal in an append-only file beside the client records ({@code nfs4-state.log}, format
 * in {@link StateLogCodec}). Each grant or release is one small positional write (one system call,
 * no fsync): the OPEN/LOCK path never waits for the disk.
 *
 * <p>What must survive, and why no fsync: RFC 7530 section 9.6.3.4 / RFC 8881 section 8.4.3 require
 * only the client records on stable storage (those are fsynced by {@link FileClientStore}); the
 * per-open and per-lock records only make reclaims stricter (NFS4ERR_RECLAIM_BAD), so they must be
 * <em>complete</em> to be used, never merely present. A write that reached the kernel survives the
 * server process dying ({@code kill -9}, crash, restart); it can only be lost when the machine
 * itself goes down. So the journal remembers the kernel's boot id: after a restart on the same boot,
 * or after a clean shutdown (the log forced and an end mark written), the journal is complete and
 * reclaims are checked against it; after the machine went down uncleanly it is not trusted
 * ({@link PriorState#unknown()}: reclaims of recorded clients pass, as with client records only).
 * The log is rewritten as a snapshot of the live entries (temporary file, fsync, rename) at start and
 * whenever what was appended since the last snapshot outgrows it (at least 1 MiB), so it stays
 * bounded by the live state. After a failed write the file is deleted and journaling stops: a start
 * then finds no journal and trusts the clients, never an incomplete journal.
 *
 * <p>Thread-safety: every method holds this object's monitor (an append is one short write).
 */
public final class FileStateJournal implements StateJournal {
    static final String FILE = "nfs4-state.log";
    private static final Logger LOG = LoggerFactory.getLogger(FileStateJournal.class);
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");
    private static final long COMPACT_MIN = 1 << 20;
    private static final long MAX_FILE = 256L << 20;

    private final Path file;
    private final byte[] bootId;
    private final PriorState prior;
    private final Map<StateKey, JournalEntry> live = new HashMap<>();
    /** Entries carried over from the instance before that no grant of this instance has replaced. */
    private final Set<StateKey> inherited = new HashSet<>();
    private boolean inheritedUncertain;
    private FileChannel channel;
    private long position;
    private long snapshotSize;
    private ByteBuffer buffer = ByteBuffer.allocate(4096);

    /** Opens (or starts) the journal in {@code dir} on this machine's boot. */
    public static FileStateJournal open(Path dir) throws IOException {
        return new FileStateJournal(dir, currentBootId());
    }

    FileStateJournal(Path dir, byte[] bootId) throws IOException {
        this.file = dir.resolve(FILE);
        this.bootId = bootId.clone();
        StateLogCodec.Replay r = readExisting();
        boolean sameBoot = r != null && !isZero(bootId) && java.util.Arrays.equals(r.bootId(), bootId);
        boolean trusted = r != null && !r.inherited() && (sameBoot || r.cleanShutdown());
        if (r != null) {
            live.putAll(r.live());
            inherited.addAll(r.live().keySet());
            inheritedUncertain = !trusted && !r.live().isEmpty();
        }
        this.prior = trusted ? new PriorState(true, r.live()) : PriorState.unknown();
        if (r != null) {
            LOG.info("NFSv4 state journal: {} opens/lock states of the previous instance{}", r.live().size(),
                    trusted ? "" : " (machine restarted without a clean stop: reclaims are not checked)");
        }
        synchronized (this) {
            snapshot();
        }
    }

    @Override
    public PriorState prior() {
        return prior;
    }

    @Override
    public synchronized void open(OwnerKey client, OwnerKey owner, FileKey file, int access, int deny) {
        StateKey k = new StateKey(client, false, owner, file);
        if (live.put(k, new JournalEntry.Open(access, deny)) instanceof JournalEntry.Open o
                && o.access() == access && o.deny() == deny && !inherited.contains(k)) {
            return; // unchanged (an OPEN upgrading nothing)
        }
        inherited.remove(k);
        append(StateLogCodec.size(k, 0), StateLogCodec.OPEN, b -> {
            StateLogCodec.key(b, client, owner, file);
            b.putInt(access).putInt(deny);
        });
    }

    @Override
    public synchronized void close(OwnerKey client, OwnerKey owner, FileKey file) {
        StateKey k = new StateKey(client, false, owner, file);
        inherited.remove(k);
        if (live.remove(k) != null) {
            append(StateLogCodec.size(k, 0), StateLogCodec.CLOSE, b -> StateLogCodec.key(b, client, owner, file));
        }
    }

    @Override
    public synchronized void locks(OwnerKey client, OwnerKey owner, FileKey file, List<JournalEntry.Range> ranges) {
        StateKey k = new StateKey(client, true, owner, file);
        inherited.remove(k);
        JournalEntry before = ranges.isEmpty() ? live.remove(k) : live.put(k, new JournalEntry.Locks(ranges));
        if (ranges.isEmpty() && before == null) {
            return;
        }
        append(StateLogCodec.size(k, ranges.size()), StateLogCodec.LOCKS, b -> {
            StateLogCodec.key(b, client, owner, file);
            StateLogCodec.ranges(b, ranges);
        });
    }

    @Override
    public synchronized void dropClient(OwnerKey client) {
        if (live.keySet().removeIf(k -> k.client().equals(client))) {
            inherited.removeIf(k -> k.client().equals(client));
            append(4 + 1 + 4 + client.length() + 4, StateLogCodec.DROP, b -> StateLogCodec.owner(b, client));
        }
    }

    @Override
    public synchronized void retainReclaimable(Set<OwnerKey> reclaiming) {
        if (inherited.isEmpty()) {
            return;
        }
        for (StateKey k : List.copyOf(inherited)) {
            if (!reclaiming.contains(k.client())) {
                if (k.lock()) {
                    locks(k.client(), k.owner(), k.file(), List.of());
                } else {
                    close(k.client(), k.owner(), k.file());
                }
            }
        }
        if (inherited.isEmpty() && inheritedUncertain) {
            inheritedUncertain = false;
            append(16, StateLogCodec.TRUSTED, b -> { });
        }
    }

    /** Forces the log and marks a clean stop, so the next start trusts it even after a machine restart. */
    @Override
    public synchronized void close() {
        if (channel == null) {
            return;
        }
        append(16, StateLogCodec.SHUTDOWN, b -> { });
        try {
            if (channel != null) {
                channel.force(false);
                channel.close();
            }
        } catch (IOException e) {
            LOG.warn("NFSv4 state journal: cannot close {} ({})", file, e.toString());
        }
        channel = null;
    }

    /** Current size of the log file (tests, figures). */
    synchronized long size() {
        return position;
    }

    private void append(int maxBytes, byte type, Consumer<ByteBuffer> body) {
        if (channel == null) {
            return;
        }
        ByteBuffer b = buffer(maxBytes);
        StateLogCodec.record(b, type, body);
        b.flip();
        try {
            while (b.hasRemaining()) {
                position += channel.write(b, position);
            }
            if (position - snapshotSize > Math.max(COMPACT_MIN, snapshotSize)) {
                snapshot();
            }
        } catch (IOException e) {
            fail(e);
        }
    }

    /** Rewrites the log as the live entries: temporary file, forced, renamed over the log, directory forced. */
    private void snapshot() {
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try {
            FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            long pos = 0;
            ByteBuffer b = buffer(StateLogCodec.HEADER);
            StateLogCodec.header(b, bootId, inheritedUncertain);
            pos += writeAll(ch, b.flip(), pos);
            for (Map.Entry<StateKey, JournalEntry> e : live.entrySet()) {
                pos += writeAll(ch, encode(e.getKey(), e.getValue()).flip(), pos);
            }
            ch.force(true);
            move(tmp);
            if (channel != null) {
                channel.close();
            }
            channel = ch;
            position = pos;
            snapshotSize = pos;
        } catch (IOException e) {
            fail(e);
        }
    }

    private ByteBuffer encode(StateKey k, JournalEntry e) {
        return switch (e) {
            case JournalEntry.Open o -> {
                ByteBuffer b = buffer(StateLogCodec.size(k, 0));
                StateLogCodec.record(b, StateLogCodec.OPEN, x -> {
                    StateLogCodec.key(x, k.client(), k.owner(), k.file());
                    x.putInt(o.access()).putInt(o.deny());
                });
                yield b;
            }
            case JournalEntry.Locks l -> {
                ByteBuffer b = buffer(StateLogCodec.size(k, l.ranges().size()));
                StateLogCodec.record(b, StateLogCodec.LOCKS, x -> {
                    StateLogCodec.key(x, k.client(), k.owner(), k.file());
                    StateLogCodec.ranges(x, l.ranges());
                });
                yield b;
            }
        };
    }

    private static long writeAll(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        long n = 0;
        while (b.hasRemaining()) {
            n += ch.write(b, pos + n);
        }
        return n;
    }

    private void move(Path tmp) throws IOException {
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // some file systems cannot fsync a directory; the rename is still atomic
        }
    }

    private ByteBuffer buffer(int need) {
        if (buffer.capacity() < need) {
            buffer = ByteBuffer.allocate(Math.max(need, buffer.capacity() * 2));
        }
        return buffer.clear();
    }

    private void fail(IOException e) {
        LOG.warn("NFSv4 state journal: write to {} failed ({}); journal removed, reclaims after the next start "
                + "will not be checked", file, e.toString());
        try {
            if (channel != null) {
                channel.close();
            }
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // nothing more to do: a start without the file trusts the clients
        }
        channel = null;
    }

    private StateLogCodec.Replay readExisting() throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) > MAX_FILE) {
            return null;
        }
        return StateLogCodec.read(ByteBuffer.wrap(Files.readAllBytes(file)));
    }

    static byte[] currentBootId() {
        try {
            String s = Files.readString(BOOT_ID).trim().replace("-", "");
            return s.length() == 32 ? HexFormat.of().parseHex(s) : new byte[16];
        } catch (IOException | IllegalArgumentException e) {
            return new byte[16];
        }
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
