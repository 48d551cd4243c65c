package io.dittofs.e2e;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * One libnfs context (one NFSv3 mount over one TCP connection) driven through libnfs' synchronous
 * API. Paths are relative to the export root and start with {@code /}. Every call that fails
 * throws {@link NfsException} with the negative errno libnfs returned and {@code nfs_get_error}.
 *
 * <p>Not thread-safe: a libnfs context must be used by one thread at a time.
 */
final class LibNfs implements AutoCloseable {

    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_RDWR = 2;
    static final int O_CREAT = 0100;
    static final int O_EXCL = 0200;
    static final int O_TRUNC = 01000;

    private static final long STAT64_SIZE = 17 * 8;

    private final LibNfsNative n;
    private MemorySegment ctx;

    private LibNfs() {
        n = LibNfsNative.get();
        try {
            ctx = (MemorySegment) n.initContext.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (ctx.equals(MemorySegment.NULL)) {
            throw new IllegalStateException("nfs_init_context returned NULL");
        }
    }

    /** A new, unmounted context. Configure it ({@link #uid}, {@link #gid}, ...) then {@link #mount}. */
    static LibNfs create() {
        return new LibNfs();
    }

    /**
     * A context mounted as {@code uid}/{@code gid} on a server whose NFS and MOUNT programs share
     * {@code port} on 127.0.0.1.
     */
    static LibNfs mount(int port, String export, int uid, int gid) {
        LibNfs nfs = new LibNfs();
        try {
            nfs.uid(uid).gid(gid).timeoutMillis(60_000).mount("127.0.0.1", port, port, export);
            return nfs;
        } catch (RuntimeException | Error e) {
            nfs.close();
            throw e;
        }
    }

    /**
     * A context mounted over NFSv4 (libnfs 4.0.0 speaks minor version 0: SETCLIENTID, OPEN, READ...;
     * the version is set through the URL, {@code ?version=4&nfsport=N}, as for the ports) as
     * {@code uid}/{@code gid} on 127.0.0.1:{@code port}; {@code export} is a path in the server's
     * pseudo-filesystem.
     */
    static LibNfs mountV4(int port, String export, int uid, int gid) {
        LibNfs nfs = new LibNfs();
        try {
            nfs.uid(uid).gid(gid).timeoutMillis(60_000);
            nfs.mountUrl("nfs://127.0.0.1" + export + "?version=4&nfsport=" + port);
            return nfs;
        } catch (RuntimeException | Error e) {
            nfs.close();
            throw e;
        }
    }

    LibNfs uid(int uid) {
        call(() -> { n.setUid.invokeExact(ctx, uid); });
        return this;
    }

    LibNfs gid(int gid) {
        call(() -> { n.setGid.invokeExact(ctx, gid); });
        return this;
    }

    /** -1 reconnects forever, 0 never, N at most N times (libnfs' own default is -1). */
    LibNfs autoreconnect(int retries) {
        call(() -> { n.setAutoreconnect.invokeExact(ctx, retries); });
        return this;
    }

    /** libnfs' debug level (0 off); its messages go to stderr. */
    LibNfs debug(int level) {
        call(() -> { n.setDebug.invokeExact(ctx, level); });
        return this;
    }

    /** Timeout of each RPC of the synchronous calls. */
    LibNfs timeoutMillis(int millis) {
        call(() -> { n.setTimeout.invokeExact(ctx, millis); });
        return this;
    }

    /**
     * Mounts {@code export}. libnfs 4.0.0 has no setter for the ports, so they are set the way
     * the header documents: by parsing the URL {@code nfs://server/export?nfsport=N&mountport=M}
     * with {@code nfs_parse_url_dir}, which updates the context, then {@code nfs_mount}.
     */
    LibNfs mount(String server, int nfsPort, int mountPort, String export) {
        return mountUrl("nfs://" + server + export + "?nfsport=" + nfsPort + "&mountport=" + mountPort);
    }

    /** Parses {@code url} into the context ({@code nfs_parse_url_dir}) and mounts its export. */
    private LibNfs mountUrl(String url) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment parsed = (MemorySegment) n.parseUrlDir.invokeExact(ctx, a.allocateFrom(url));
            if (parsed.equals(MemorySegment.NULL)) {
                throw new NfsException("nfs_parse_url_dir", url, -NfsException.EINVAL, error());
            }
            try {
                MemorySegment u = parsed.reinterpret(3 * ADDRESS.byteSize());
                MemorySegment host = u.get(ADDRESS, 0);
                MemorySegment path = u.get(ADDRESS, ADDRESS.byteSize());
                int rc = (int) n.mount.invokeExact(ctx, host, path);
                check(rc, "nfs_mount", url);
            } finally {
                n.destroyUrl.invokeExact(parsed);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return this;
    }

    long readMax() {
        try {
            return (long) n.getReadmax.invokeExact(ctx);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    long writeMax() {
        try {
            return (long) n.getWritemax.invokeExact(ctx);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code nfs_open2(path, flags, mode)}; flags as in {@code open(2)} ({@link #O_RDWR}, ...). */
    NfsFile open(String path, int flags, int mode) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            int rc = (int) n.open2.invokeExact(ctx, a.allocateFrom(path), flags, mode, out);
            check(rc, "nfs_open2", path);
            return new NfsFile(this, path, out.get(ADDRESS, 0));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    NfsFile open(String path, int flags) {
        return open(path, flags, 0);
    }

    /** {@code nfs_creat(path, mode)}: creates (or truncates) a file and opens it. */
    NfsFile creat(String path, int mode) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            int rc = (int) n.creat.invokeExact(ctx, a.allocateFrom(path), mode, out);
            check(rc, "nfs_creat", path);
            return new NfsFile(this, path, out.get(ADDRESS, 0));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    NfsStat stat(String path) {
        return statWith(n.stat64, "nfs_stat64", path);
    }

    /** Like {@link #stat} but does not follow a final symlink. */
    NfsStat lstat(String path) {
        return statWith(n.lstat64, "nfs_lstat64", path);
    }

    /** True when {@code path} exists (lstat succeeds); false on ENOENT. */
    boolean exists(String path) {
        try {
            lstat(path);
            return true;
        } catch (NfsException e) {
            if (e.errno() == NfsException.ENOENT) {
                return false;
            }
            throw e;
        }
    }

    void mkdir(String path, int mode) {
        pathCall(n.mkdir2, "nfs_mkdir2", path, mode);
    }

    void mkdir(String path) {
        mkdir(path, 0755);
    }

    void rmdir(String path) {
        pathCall(n.rmdir, "nfs_rmdir", path);
    }

    void unlink(String path) {
        pathCall(n.unlink, "nfs_unlink", path);
    }

    void rename(String from, String to) {
        twoPathCall(n.rename, "nfs_rename", from, to);
    }

    /** Hard link: {@code newPath} becomes another name of {@code existing}. */
    void link(String existing, String newPath) {
        twoPathCall(n.link, "nfs_link", existing, newPath);
    }

    /** Creates the symlink {@code linkPath} whose content is {@code target}. */
    void symlink(String target, String linkPath) {
        twoPathCall(n.symlink, "nfs_symlink", target, linkPath);
    }

    String readlink(String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            int rc = (int) n.readlink2.invokeExact(ctx, a.allocateFrom(path), out);
            check(rc, "nfs_readlink2", path);
            MemorySegment buf = out.get(ADDRESS, 0);
            try {
                return buf.reinterpret(Long.MAX_VALUE).getString(0);
            } finally {
                n.free.invokeExact(buf);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void chmod(String path, int mode) {
        pathCall(n.chmod, "nfs_chmod", path, mode);
    }

    void chown(String path, int uid, int gid) {
        try (Arena a = Arena.ofConfined()) {
            int rc = (int) n.chown.invokeExact(ctx, a.allocateFrom(path), uid, gid);
            check(rc, "nfs_chown", path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Like {@link #chown} but on a final symlink itself; -1 leaves an id unchanged. */
    void lchown(String path, int uid, int gid) {
        try (Arena a = Arena.ofConfined()) {
            int rc = (int) n.lchown.invokeExact(ctx, a.allocateFrom(path), uid, gid);
            check(rc, "nfs_lchown", path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code nfs_mknod(path, mode, dev)}: mode carries the file type (S_IFIFO, S_IFCHR, ...). */
    void mknod(String path, int mode, int dev) {
        try (Arena a = Arena.ofConfined()) {
            int rc = (int) n.mknod.invokeExact(ctx, a.allocateFrom(path), mode, dev);
            check(rc, "nfs_mknod", path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code nfs_utimes}: atime and mtime to {@code seconds}, or to the server's time when negative. */
    void utimes(String path, long seconds) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment times = MemorySegment.NULL;
            if (seconds >= 0) {
                times = a.allocate(4 * JAVA_LONG.byteSize(), 8); // struct timeval[2] {tv_sec, tv_usec}
                times.set(JAVA_LONG, 0, seconds);
                times.set(JAVA_LONG, 16, seconds);
            }
            int rc = (int) n.utimes.invokeExact(ctx, a.allocateFrom(path), times);
            check(rc, "nfs_utimes", path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void truncate(String path, long length) {
        try (Arena a = Arena.ofConfined()) {
            int rc = (int) n.truncate.invokeExact(ctx, a.allocateFrom(path), length);
            check(rc, "nfs_truncate", path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** All entries of a directory, without {@code .} and {@code ..}. */
    List<NfsDirEntry> list(String path) {
        List<NfsDirEntry> entries = new ArrayList<>();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            int rc = (int) n.opendir.invokeExact(ctx, a.allocateFrom(path), out);
            check(rc, "nfs_opendir", path);
            MemorySegment dir = out.get(ADDRESS, 0);
            try {
                while (true) {
                    MemorySegment e = (MemorySegment) n.readdir.invokeExact(ctx, dir);
                    if (e.equals(MemorySegment.NULL)) {
                        break;
                    }
                    // struct nfsdirent { next; char *name; uint64_t inode; uint32_t type; uint32_t mode; uint64_t size; ... }
                    MemorySegment ent = e.reinterpret(40);
                    String name = ent.get(ADDRESS, 8).reinterpret(Long.MAX_VALUE).getString(0);
                    if (name.equals(".") || name.equals("..")) {
                        continue;
                    }
                    entries.add(new NfsDirEntry(name, ent.get(JAVA_LONG, 16), ent.get(JAVA_INT, 24),
                            ent.get(JAVA_INT, 28), ent.get(JAVA_LONG, 32)));
                }
            } finally {
                n.closedir.invokeExact(ctx, dir);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return entries;
    }

    /** Names in a directory, without {@code .} and {@code ..}. */
    List<String> listNames(String path) {
        return list(path).stream().map(NfsDirEntry::name).toList();
    }

    /** Creates {@code path} and its missing parents. */
    void mkdirs(String path) {
        StringBuilder cur = new StringBuilder();
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            cur.append('/').append(part);
            if (!exists(cur.toString())) {
                mkdir(cur.toString());
            }
        }
    }

    /** Removes {@code path} and, if it is a directory, everything below it. */
    void removeTree(String path) {
        NfsStat st = lstat(path);
        if (st.isDirectory()) {
            for (NfsDirEntry e : list(path)) {
                removeTree(child(path, e.name()));
            }
            rmdir(path);
        } else {
            unlink(path);
        }
    }

    static String child(String dir, String name) {
        return dir.endsWith("/") ? dir + name : dir + "/" + name;
    }

    /** The context's last error text. */
    String error() {
        try {
            MemorySegment s = (MemorySegment) n.getError.invokeExact(ctx);
            return s.equals(MemorySegment.NULL) ? "(no error text)" : s.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Unmounts (best effort) and destroys the context, closing its connection. */
    @Override
    public void close() {
        if (ctx == null) {
            return;
        }
        try {
            n.destroyContext.invokeExact(ctx);
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            ctx = null;
        }
    }

    // ---- used by NfsFile ----

    LibNfsNative natives() {
        return n;
    }

    MemorySegment context() {
        if (ctx == null) {
            throw new IllegalStateException("libnfs context is closed");
        }
        return ctx;
    }

    void check(int rc, String op, String path) {
        if (rc < 0) {
            throw new NfsException(op, path, rc, error());
        }
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }

    private NfsStat statWith(MethodHandle h, String op, String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(STAT64_SIZE, 8);
            int rc = (int) h.invokeExact(ctx, a.allocateFrom(path), st);
            check(rc, op, path);
            return readStat(st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Reads {@code struct nfs_stat_64}: dev, ino, mode, nlink, uid, gid, rdev, size, blksize, blocks, atime, mtime, ... */
    static NfsStat readStat(MemorySegment st) {
        return new NfsStat(st.get(JAVA_LONG, 8), (int) st.get(JAVA_LONG, 16), st.get(JAVA_LONG, 24),
                (int) st.get(JAVA_LONG, 32), (int) st.get(JAVA_LONG, 40), st.get(JAVA_LONG, 56),
                st.get(JAVA_LONG, 88));
    }

    static long stat64Size() {
        return STAT64_SIZE;
    }

    private void pathCall(MethodHandle h, String op, String path) {
        try (Arena a = Arena.ofConfined()) {
            int rc = (int) h.invokeExact(ctx, a.allocateFrom(path));
            check(rc, op, path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private void pathCall(MethodHandle h, String op, String path, int arg) {
        try (Arena a = Arena.ofConfined()) {
            int rc = (int) h.invokeExact(ctx, a.allocateFrom(path), arg);
            check(rc, op, path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private void twoPathCall(MethodHandle h, String op, String p1, String p2) {
        try (Arena a = Arena.ofConfined()) {
            int rc = (int) h.invokeExact(ctx, a.allocateFrom(p1), a.allocateFrom(p2));
            check(rc, op, p1 + ", " + p2);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private void call(NativeCall c) {
        try {
            c.run();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @FunctionalInterface
    private interface NativeCall {
        void run() throws Throwable;
    }
}
