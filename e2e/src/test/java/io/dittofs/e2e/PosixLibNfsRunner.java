package io.dittofs.e2e;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs {@link PosixScript} lines through libnfs, one context per actor (uid/gid from the line;
 * libnfs cannot send supplementary groups), and prints result lines in posixop's format:
 * {@code ERRNO P=MODE:UID:GID ...}, the states read through a root context. Not thread-safe.
 */
final class PosixLibNfsRunner implements AutoCloseable {

    private static final int S_IFIFO = 0010000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFSOCK = 0140000;

    private final int port;
    private final String export;
    private final String base;
    private final Map<String, LibNfs> contexts = new HashMap<>();

    PosixLibNfsRunner(int port, String export, String base) {
        this.port = port;
        this.export = export;
        this.base = base;
    }

    /** Runs one line and returns its result line. */
    String run(String line) {
        String[] f = line.split(" ");
        LibNfs nfs = contexts.computeIfAbsent(f[0] + " " + f[1], k -> LibNfs.mount(port, export,
                Integer.parseInt(f[0]), Integer.parseInt(f[1])));
        String[] a = java.util.Arrays.copyOfRange(f, 3, f.length);
        int errno = 0;
        try {
            call(nfs, a);
        } catch (NfsException e) {
            errno = e.errno();
        }
        StringBuilder out = new StringBuilder(Integer.toString(errno));
        for (String p : paths(a)) {
            out.append(' ').append(p).append('=').append(state(p));
        }
        return out.toString();
    }

    private void call(LibNfs nfs, String[] a) {
        switch (a[0]) {
            case "mknod" -> make(nfs, p(a[1]), a[2], Integer.parseInt(a[3], 8));
            case "symlink" -> nfs.symlink(a[1], p(a[2]));
            case "lchown" -> nfs.lchown(p(a[1]), Integer.parseInt(a[2]), Integer.parseInt(a[3]));
            case "chmod" -> nfs.chmod(p(a[1]), Integer.parseInt(a[2], 8));
            case "truncate" -> nfs.truncate(p(a[1]), Long.parseLong(a[2]));
            case "write" -> {
                try (NfsFile file = nfs.open(p(a[1]), LibNfs.O_WRONLY); Arena arena = Arena.ofConfined()) {
                    file.pwriteFully(0, arena.allocateFrom("x").asSlice(0, 1));
                }
            }
            case "utimes" -> nfs.utimes(p(a[1]), 1_000_000_000L);
            case "utimesnow" -> nfs.utimes(p(a[1]), -1);
            case "link" -> nfs.link(p(a[1]), p(a[2]));
            case "rename" -> nfs.rename(p(a[1]), p(a[2]));
            case "unlink" -> nfs.unlink(p(a[1]));
            case "rmdir" -> nfs.rmdir(p(a[1]));
            default -> throw new IllegalArgumentException("unknown op " + a[0]);
        }
    }

    private static void make(LibNfs nfs, String path, String type, int mode) {
        switch (type) {
            case "reg" -> nfs.creat(path, mode).close();
            case "dir" -> nfs.mkdir(path, mode);
            case "fifo" -> mknod(nfs, path, S_IFIFO, mode, 0);
            case "sock" -> mknod(nfs, path, S_IFSOCK, mode, 0);
            case "blk" -> mknod(nfs, path, S_IFBLK, mode, (7 << 8));
            case "chr" -> mknod(nfs, path, S_IFCHR, mode, (1 << 8) | 3);
            default -> throw new IllegalArgumentException("unknown type " + type);
        }
    }

    /**
     * libnfs 4.0.0's {@code nfs_mknod} masks the mode to 0777 before it builds MKNOD3args (seen on
     * the wire: a FIFO asked for as 02755 goes out as {@code set_mode 0755}), so the set-id and
     * sticky bits never reach the server. The same rule (a set-id device or FIFO made by root keeps
     * its bits) is exercised here as MKNOD then SETATTR mode; the kernel-client run of
     * {@link PosixDifferentialIT} sends them in MKNOD itself.
     */
    private static void mknod(LibNfs nfs, String path, int type, int mode, int dev) {
        nfs.mknod(path, type | mode, dev);
        if ((mode & 07000) != 0) {
            nfs.chmod(path, mode);
        }
    }

    private static List<String> paths(String[] a) {
        List<String> ps = new ArrayList<>();
        switch (a[0]) {
            case "symlink" -> ps.add(a[2]);
            case "link", "rename" -> {
                ps.add(a[1]);
                ps.add(a[2]);
            }
            default -> ps.add(a[1]);
        }
        return ps;
    }

    private String state(String rel) {
        LibNfs root = contexts.computeIfAbsent("0 0", k -> LibNfs.mount(port, export, 0, 0));
        try {
            NfsStat st = root.lstat(p(rel));
            return Integer.toOctalString(st.mode()) + ":" + st.uid() + ":" + st.gid();
        } catch (NfsException e) {
            if (e.errno() == NfsException.ENOENT) {
                return "-";
            }
            throw e;
        }
    }

    private String p(String rel) {
        return base + "/" + rel;
    }

    @Override
    public void close() {
        contexts.values().forEach(LibNfs::close);
        contexts.clear();
    }
}
