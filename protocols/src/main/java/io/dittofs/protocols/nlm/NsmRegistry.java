package io.dittofs.protocols.nlm;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.zip.CRC32C;

/**
 * The hosts that hold NLM locks, kept on disk so that after a restart the server can tell each of
 * them with NSM SM_NOTIFY (as Linux rpc.statd keeps {@code /var/lib/nfs/sm/}), and this server's
 * NSM state number (odd while up, bumped by two at every start, kept in {@code state}).
 *
 * <p>Layout of the directory (0700, files 0600, each written to a temporary file, fsynced and
 * renamed, then the directory fsynced):
 * <pre>
 * state            int magic "DFNS", int version 1, int state, int CRC-32C of the 12 bytes before
 * h-SHA256(name)   int magic "DFNH", int version 1, short name length, name (UTF-8, at most 1,024),
 *                  byte address length (4|16), the address it locks from,
 *                  byte address length (0|4|16), the server address it called (our mon_name for it),
 *                  int CRC-32C of everything before
 * </pre>
 * A host's file is written before its first LOCK or SHARE is attempted and removed once it holds
 * nothing after an UNLOCK, CANCEL, UNSHARE, FREE_ALL or SM_NOTIFY, or a refused LOCK. A file that is
 * truncated, garbled or foreign is logged and removed, never fatal. At most {@value #MAX_HOSTS}
 * hosts are kept; beyond that new hosts still lock but are not recorded (logged).
 * Without a directory ({@code null}) nothing is kept and the state comes from the clock.
 *
 * <p>Thread-safe: each host's record is changed under that host's monitor; no global lock.
 */
public final class NsmRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(NsmRegistry.class);
    static final int MAX_HOSTS = 10_000;
    static final int MAX_NAME = NsmProgram.SM_MAXSTRLEN;
    private static final int STATE_MAGIC = 0x44464E53; // "DFNS"
    private static final int HOST_MAGIC = 0x44464E48; // "DFNH"
    private static final int VERSION = 1;
    private static final String HOST_PREFIX = "h-";

    /** A host as recorded: its caller name, where it locks from, and the server address it called. */
    public record Host(String name, InetAddress client, InetAddress local) {
    }

    /** One host's record; {@code inflight} counts its LOCK/SHARE calls that may add holdings. */
    static final class Entry {
        final String name;
        InetAddress client;
        InetAddress local;
        int inflight;
        boolean onDisk;
        boolean dead;

        Entry(String name) {
            this.name = name;
        }
    }

    private final Path dir;
    private final int state;
    private final List<Host> previous;
    private final ConcurrentHashMap<String, Entry> hosts = new ConcurrentHashMap<>();
    private volatile boolean warnedFull;
    private final java.util.concurrent.atomic.AtomicBoolean notifyClaimed = new java.util.concurrent.atomic.AtomicBoolean();

    private NsmRegistry(Path dir, int state, List<Host> previous) {
        this.dir = dir;
        this.state = state;
        this.previous = List.copyOf(previous);
        for (Host h : previous) {
            Entry e = new Entry(h.name());
            e.client = h.client();
            e.local = h.local();
            e.onDisk = true;
            hosts.put(h.name(), e);
        }
    }

    /** A registry that keeps nothing on disk (tests, or a server without a data directory). */
    public static NsmRegistry inMemory() {
        return new NsmRegistry(null, (int) (System.currentTimeMillis() / 1000) | 1, List.of());
    }

    /**
     * Opens (creating) the directory, bumps and persists the state number and reads the hosts the
     * previous run recorded.
     *
     * @throws IOException if the directory or the state file cannot be written
     */
    public static NsmRegistry open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        int old = readState(dir.resolve("state"));
        int next = (old | 1) + 2;
        ByteBuffer b = ByteBuffer.allocate(16).putInt(STATE_MAGIC).putInt(VERSION).putInt(next);
        b.putInt(crc(b.array(), 12));
        writeDurably(dir, "state", b.array());
        List<Host> previous = readHosts(dir);
        LOG.info("NSM: state {} ({} host(s) held NLM locks before this start)", next, previous.size());
        return new NsmRegistry(dir, next, previous);
    }

    /** This server's NSM state number (odd: up). */
    public int state() {
        return state;
    }

    /** The hosts recorded by the previous run, to be told of this restart. */
    public List<Host> previous() {
        return previous;
    }

    /** True the first time only: the previous hosts are told of a restart once per process. */
    boolean claimNotify() {
        return notifyClaimed.compareAndSet(false, true);
    }

    /** Hosts recorded now (on disk). */
    int recorded() {
        return (int) hosts.values().stream().filter(e -> e.onDisk).count();
    }

    /**
     * Before a LOCK or SHARE of {@code name}: records the host durably if it is not yet (or moved).
     *
     * @return the token to hand to {@link #end}, or null when the host could not be recorded
     */
    Entry begin(String name, InetAddress client, InetAddress local) {
        if (client == null) {
            return null;
        }
        while (true) {
            Entry e = hosts.get(name);
            if (e == null) {
                if (hosts.size() >= MAX_HOSTS) {
                    if (!warnedFull) {
                        warnedFull = true;
                        LOG.warn("NSM: {} hosts recorded; {} and later hosts will not be told of a restart", MAX_HOSTS, name);
                    }
                    return null;
                }
                e = hosts.computeIfAbsent(name, Entry::new);
            }
            synchronized (e) {
                if (e.dead) {
                    continue;
                }
                e.inflight++;
                if (!e.onDisk || !client.equals(e.client) || !Objects.equals(local, e.local)) {
                    e.client = client;
                    e.local = local;
                    e.onDisk = write(e);
                }
                return e;
            }
        }
    }

    /** After the call {@link #begin} was for: forgets the host if it holds nothing. */
    void end(Entry e, Predicate<String> idle) {
        if (e == null) {
            return;
        }
        synchronized (e) {
            e.inflight--;
            forgetIfIdle(e, idle);
        }
    }

    /** After a call that may have released the host's last lock: forgets the host if it holds nothing. */
    void settle(String name, Predicate<String> idle) {
        Entry e = hosts.get(name);
        if (e != null) {
            synchronized (e) {
                forgetIfIdle(e, idle);
            }
        }
    }

    private void forgetIfIdle(Entry e, Predicate<String> idle) {
        if (e.dead || e.inflight > 0 || !idle.test(e.name)) {
            return;
        }
        if (e.onDisk && dir != null) {
            try {
                Files.deleteIfExists(dir.resolve(fileName(e.name)));
                e.onDisk = false;
            } catch (IOException ex) {
                LOG.warn("NSM: cannot remove the record of {}: {}", e.name, ex.toString());
                return;
            }
        }
        e.dead = true;
        hosts.remove(e.name, e);
    }

    private boolean write(Entry e) {
        if (dir == null) {
            return true;
        }
        byte[] name = e.name.getBytes(StandardCharsets.UTF_8);
        byte[] c = e.client.getAddress();
        byte[] l = e.local == null ? new byte[0] : e.local.getAddress();
        ByteBuffer b = ByteBuffer.allocate(4 + 4 + 2 + name.length + 1 + c.length + 1 + l.length + 4);
        b.putInt(HOST_MAGIC).putInt(VERSION).putShort((short) name.length).put(name);
        b.put((byte) c.length).put(c).put((byte) l.length).put(l);
        b.putInt(crc(b.array(), b.position()));
        try {
            writeDurably(dir, fileName(e.name), b.array());
            return true;
        } catch (IOException ex) {
            LOG.warn("NSM: cannot record {} (it will not be told of a restart): {}", e.name, ex.toString());
            return false;
        }
    }

    /** Parses one host file; null (and a log line) when it is not a valid record. */
    static Host parse(Path f) {
        try {
            byte[] all = Files.readAllBytes(f);
            ByteBuffer b = ByteBuffer.wrap(all);
            if (all.length < 4 + 4 + 2 + 1 + 1 + 4 || b.getInt() != HOST_MAGIC || b.getInt() != VERSION) {
                throw new IOException("not a host record");
            }
            int n = b.getShort() & 0xFFFF;
            if (n == 0 || n > MAX_NAME || b.remaining() < n + 2 + 4) {
                throw new IOException("bad name length " + n);
            }
            String name = new String(all, b.position(), n, StandardCharsets.UTF_8);
            b.position(b.position() + n);
            InetAddress client = address(b, false);
            InetAddress local = address(b, true);
            if (b.remaining() != 4 || b.getInt() != crc(all, all.length - 4)) {
                throw new IOException("bad checksum");
            }
            if (!f.getFileName().toString().equals(fileName(name))) {
                throw new IOException("file name does not match the host name");
            }
            return new Host(name, client, local);
        } catch (IOException | RuntimeException e) {
            LOG.warn("NSM: ignoring host record {}: {}", f, e.getMessage());
            return null;
        }
    }

    private static InetAddress address(ByteBuffer b, boolean optional) throws IOException {
        int len = b.hasRemaining() ? b.get() : -1;
        if (len == 0 && optional) {
            return null;
        }
        if ((len != 4 && len != 16) || b.remaining() < len) {
            throw new IOException("bad address length " + len);
        }
        byte[] a = new byte[len];
        b.get(a);
        return InetAddress.getByAddress(a);
    }

    private static List<Host> readHosts(Path dir) throws IOException {
        List<Host> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path f : ds) {
                String n = f.getFileName().toString();
                if (n.endsWith(".tmp")) {
                    Files.deleteIfExists(f);
                } else if (n.startsWith(HOST_PREFIX)) {
                    Host h = out.size() < MAX_HOSTS ? parse(f) : null;
                    if (h != null) {
                        out.add(h);
                    } else {
                        Files.deleteIfExists(f);
                    }
                }
            }
        }
        return out;
    }

    private static int readState(Path f) {
        try {
            byte[] all = Files.readAllBytes(f);
            ByteBuffer b = ByteBuffer.wrap(all);
            if (all.length == 16 && b.getInt() == STATE_MAGIC && b.getInt() == VERSION) {
                int s = b.getInt();
                if (b.getInt() == crc(all, 12)) {
                    return s;
                }
            }
            LOG.warn("NSM: ignoring a damaged state file {}", f);
        } catch (java.nio.file.NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            LOG.warn("NSM: cannot read {}: {}", f, e.toString());
        }
        return (int) (System.currentTimeMillis() / 1000);
    }

    static String fileName(String name) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return HOST_PREFIX + HexFormat.of().formatHex(h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int crc(byte[] b, int len) {
        CRC32C c = new CRC32C();
        c.update(b, 0, len);
        return (int) c.getValue();
    }

    /** Writes {@code name} in {@code dir} through a fsynced temporary file, a rename and a directory fsync. */
    private static void writeDurably(Path dir, String name, byte[] bytes) throws IOException {
        Path tmp = dir.resolve(name + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            ch.write(ByteBuffer.wrap(bytes));
            ch.force(true);
        }
        try {
            Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
