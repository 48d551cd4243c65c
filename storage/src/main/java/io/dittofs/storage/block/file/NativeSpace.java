package io.dittofs.storage.block.file;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The space calls the JDK does not offer, through the FFM API: {@code fallocate(2)} to punch
 * holes ({@code FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE}) and to reserve blocks (mode 0), and
 * {@code lseek(2)} with {@code SEEK_DATA}/{@code SEEK_HOLE} to find them. Linux on x86-64 and
 * AArch64 only (flag and whence values are the same there); elsewhere every call answers
 * "unsupported" and the callers fall back (zeros written, no reservation, everything data).
 *
 * <p><b>The file descriptor.</b> A {@code FileChannel} does not expose its descriptor (only
 * through reflection into {@code sun.nio.ch}, which needs {@code --add-opens} and breaks with
 * any JDK change), so each call opens the content file by path ({@code O_CLOEXEC}), makes its
 * one call and closes it: three short native calls, no pinning worth counting. Holes and
 * reservations belong to the inode, not to the descriptor, and {@code SEEK_DATA} sees the page
 * cache that the store's channel writes into, so the answers are the same as through the
 * channel's own descriptor. The caller keeps the file from being unlinked meanwhile (it holds
 * the file's lock); a file that is gone reads as one hole.
 *
 * <p>Thread-safe (stateless; each call has its own confined arena). Native return codes are
 * mapped to results or {@link IOException}s here and nowhere else.
 */
final class NativeSpace {
    /** What {@link #seek} answers when the file system cannot tell (callers treat it all as data). */
    static final long UNKNOWN = -2;
    /** What {@link #seek} answers when there is no data (or hole) at or after the offset: ENXIO. */
    static final long NONE = -1;

    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;
    private static final int O_CLOEXEC = 0x80000;
    private static final int FALLOC_FL_KEEP_SIZE = 1;
    private static final int FALLOC_FL_PUNCH_HOLE = 2;
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    private static final int ENOENT = 2;
    private static final int EINTR = 4;
    private static final int ENXIO = 6;
    private static final int EINVAL = 22;
    private static final int EOPNOTSUPP = 95;

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN;
    private static final MethodHandle CLOSE;
    private static final MethodHandle FALLOCATE;
    private static final MethodHandle LSEEK;

    static {
        MethodHandle open = null;
        MethodHandle close = null;
        MethodHandle fallocate = null;
        MethodHandle lseek = null;
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
            Linker linker = Linker.nativeLinker();
            var lookup = linker.defaultLookup();
            Linker.Option errno = Linker.Option.captureCallState("errno");
            var fOpen = lookup.find("open");
            var fClose = lookup.find("close");
            var fAlloc = lookup.find("fallocate");
            var fSeek = lookup.find("lseek");
            if (fOpen.isPresent() && fClose.isPresent() && fAlloc.isPresent() && fSeek.isPresent()) {
                open = linker.downcallHandle(fOpen.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_INT), errno);
                close = linker.downcallHandle(fClose.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT));
                fallocate = linker.downcallHandle(fAlloc.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), errno);
                lseek = linker.downcallHandle(fSeek.get(), FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT), errno);
            }
        }
        OPEN = open;
        CLOSE = close;
        FALLOCATE = fallocate;
        LSEEK = lseek;
    }

    private NativeSpace() {
    }

    /** Whether the calls exist on this platform at all. */
    static boolean available() {
        return OPEN != null;
    }

    /**
     * Frees {@code [offset, offset + length)} of the file, which then reads as zeros; the length
     * stays. False when the file system (or platform) cannot punch holes, or the file is gone.
     */
    static boolean punch(Path file, long offset, long length) throws IOException {
        return fallocate(file, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length, "punch hole");
    }

    /**
     * Allocates blocks for {@code [offset, offset + length)} (unwritten: they read as zeros),
     * extending the file's length when the range ends past it. False when unsupported.
     *
     * @throws IOException "No space left on device" when the space is not there
     */
    static boolean reserve(Path file, long offset, long length) throws IOException {
        return fallocate(file, 0, offset, length, "allocate");
    }

    private static boolean fallocate(Path file, int mode, long offset, long length, String what) throws IOException {
        if (FALLOCATE == null || length == 0) {
            return false;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = open(arena, state, file, O_WRONLY);
            if (fd < 0) {
                return false;
            }
            try {
                while (true) {
                    int rc = (int) FALLOCATE.invokeExact(state, fd, mode, offset, length);
                    if (rc == 0) {
                        return true;
                    }
                    int err = (int) ERRNO.get(state, 0L);
                    if (err == EINTR) {
                        continue;
                    }
                    if (err == EOPNOTSUPP) {
                        return false;
                    }
                    throw failure(what, file, err);
                }
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IOException(what + " of " + file + " failed", t);
            } finally {
                close(fd);
            }
        }
    }

    /**
     * {@code lseek(SEEK_DATA)} ({@code data}) or {@code lseek(SEEK_HOLE)} from {@code offset}:
     * the offset found, {@link #NONE} (ENXIO: no data at or after it, or the offset is past the
     * end for SEEK_HOLE), or {@link #UNKNOWN} when the platform cannot tell. A missing file is
     * {@link #NONE} for data and {@code offset} for a hole.
     */
    static long seek(Path file, long offset, boolean data) throws IOException {
        if (LSEEK == null) {
            return UNKNOWN;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = open(arena, state, file, O_RDONLY);
            if (fd < 0) {
                return data ? NONE : offset;
            }
            try {
                long r = (long) LSEEK.invokeExact(state, fd, offset, data ? SEEK_DATA : SEEK_HOLE);
                if (r >= 0) {
                    return r;
                }
                int err = (int) ERRNO.get(state, 0L);
                if (err == ENXIO) {
                    return NONE;
                }
                if (err == EINVAL || err == EOPNOTSUPP) {
                    return UNKNOWN;
                }
                throw failure(data ? "seek data" : "seek hole", file, err);
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IOException("seek in " + file + " failed", t);
            } finally {
                close(fd);
            }
        }
    }

    /** A descriptor of the file, or -1 if it does not exist. */
    private static int open(Arena arena, MemorySegment state, Path file, int flags) throws IOException {
        MemorySegment path = arena.allocateFrom(file.toString());
        while (true) {
            int fd;
            try {
                fd = (int) OPEN.invokeExact(state, path, flags | O_CLOEXEC);
            } catch (Throwable t) {
                throw new IOException("open " + file + " failed", t);
            }
            if (fd >= 0) {
                return fd;
            }
            int err = (int) ERRNO.get(state, 0L);
            if (err == ENOENT) {
                return -1;
            }
            if (err != EINTR) {
                throw failure("open", file, err);
            }
        }
    }

    private static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd); // nothing was written through this descriptor
        } catch (Throwable t) {
            throw new IllegalStateException("close(" + fd + ") failed", t);
        }
    }

    /** An errno as the JDK would word it, so {@link FileLayout#error} maps it to the same {@code FsError}. */
    private static IOException failure(String what, Path file, int errno) {
        String text = switch (errno) {
            case 28 -> "No space left on device";
            case 27 -> "File too large";
            case 122 -> "Disk quota exceeded";
            case EINVAL -> "Invalid argument";
            default -> "errno " + errno;
        };
        return new IOException(what + " of " + file + ": " + text);
    }
}
