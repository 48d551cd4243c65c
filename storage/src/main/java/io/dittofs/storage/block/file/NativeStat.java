package io.dittofs.storage.block.file;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Space a file takes on disk ({@code st_blocks * 512}), which the JDK does not expose: one
 * {@code stat(2)} through the FFM API (a short native call: no pinning worth counting). Linux
 * on x86-64 and AArch64, where {@code struct stat} has {@code st_blocks} at byte 64 (glibc 2.33+
 * exports {@code stat} itself). Elsewhere {@link #allocated} falls back to the apparent size
 * ({@link #EXACT} is false), so holes would count as used there.
 *
 * <p>Thread-safe (stateless; each call has its own confined arena).
 */
final class NativeStat {
    /** Whether {@link #allocated} is {@code st_blocks * 512} (else the apparent size). */
    static final boolean EXACT;
    private static final long STAT_SIZE = 256; // larger than struct stat on every 64-bit Linux
    private static final long ST_BLOCKS = 64;
    private static final MethodHandle STAT;
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(
            java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final int ENOENT = 2;

    static {
        MethodHandle h = null;
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
            Linker linker = Linker.nativeLinker();
            Optional<MemorySegment> fn = linker.defaultLookup().find("stat");
            if (fn.isPresent()) {
                h = linker.downcallHandle(fn.get(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS),
                        Linker.Option.captureCallState("errno"));
            }
        }
        STAT = h;
        EXACT = h != null;
    }

    private NativeStat() {
    }

    /** Bytes allocated to the file at {@code p} (0 if it does not exist). */
    static long allocated(Path p) throws IOException {
        if (STAT == null) {
            try {
                return Files.size(p);
            } catch (NoSuchFileException e) {
                return 0;
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = arena.allocateFrom(p.toString());
            MemorySegment buf = arena.allocate(STAT_SIZE, 8);
            MemorySegment state = arena.allocate(CALL_STATE);
            int rc;
            try {
                rc = (int) STAT.invokeExact(state, path, buf);
            } catch (Throwable t) {
                throw new IOException("stat " + p + " failed", t);
            }
            if (rc != 0) {
                int errno = (int) ERRNO.get(state, 0L);
                if (errno == ENOENT) {
                    return 0;
                }
                throw new IOException("stat " + p + " failed: errno " + errno);
            }
            return buf.get(ValueLayout.JAVA_LONG, ST_BLOCKS) * 512;
        }
    }
}
