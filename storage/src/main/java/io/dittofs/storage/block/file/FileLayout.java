package io.dittofs.storage.block.file;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Where {@link FileBlockStore} keeps content: one sparse file per inode,
 * {@code root/<id mod 256 as 2 hex digits>/<id>}. The 256 fan-out directories are created (and
 * made durable) when the store is first opened, so at run time only file entries come and go.
 * Files are 0600, directories 0700. Also the store's file-system facts: the largest file size it
 * accepts (probed once) and the mapping of I/O failures to {@link FsError}.
 *
 * <p>Thread-safe (immutable).
 */
final class FileLayout {
    static final int FAN_OUT = 256;
    private static final Set<StandardOpenOption> OPEN = EnumSet.of(StandardOpenOption.READ, StandardOpenOption.WRITE);
    private static final Set<StandardOpenOption> CREATE = EnumSet.of(StandardOpenOption.READ,
            StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
    private static final FileAttribute<Set<PosixFilePermission>> FILE_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final FileAttribute<Set<PosixFilePermission>> DIR_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    final Path root;
    private final Path[] fans = new Path[FAN_OUT];
    /** Opens of content files that did not exist (each one threw and caught an exception). */
    private final AtomicLong missedOpens = new AtomicLong();

    /** Opens (creating if needed) the layout under {@code root}; refuses a directory of another layout. */
    FileLayout(Path root) throws IOException {
        this.root = root;
        boolean created = false;
        if (!Files.isDirectory(root)) {
            createDurably(root.toAbsolutePath());
            created = true;
        }
        OldLayoutMigration.migrateIfNeeded(root); // the earlier layout: a directory of 1 MiB blocks per file
        for (int i = 0; i < FAN_OUT; i++) {
            fans[i] = root.resolve(String.format("%02x", i));
            if (!Files.isDirectory(fans[i])) {
                Files.createDirectory(fans[i], DIR_MODE);
                created = true;
            }
        }
        if (created) {
            forceDir(root);
        }
    }

    /** Creates {@code dir} and its missing parents (0700), each parent forced so the new entries survive a power loss. */
    private static void createDurably(Path dir) throws IOException {
        Path parent = dir.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            createDurably(parent);
        }
        Files.createDirectory(dir, DIR_MODE);
        if (parent != null) {
            forceDir(parent);
        }
    }

    static int fan(long id) {
        return (int) (id & (FAN_OUT - 1));
    }

    Path fanDir(long id) {
        return fans[fan(id)];
    }

    Path file(long id) {
        return fanDir(id).resolve(Long.toString(id));
    }

    /**
     * Whether the content file exists, asked with {@code access(2)}: no exception when it does
     * not, unlike an open (a REMOVE of a file never written is common traffic).
     */
    boolean exists(long id) {
        return Files.exists(file(id));
    }

    /** Opens the content file read/write; null when it does not exist. */
    FileChannel openExisting(long id) throws IOException {
        try {
            return FileChannel.open(file(id), OPEN);
        } catch (NoSuchFileException e) {
            missedOpens.incrementAndGet();
            return null;
        }
    }

    /** How many opens found no content file (for tests). */
    long missedOpens() {
        return missedOpens.get();
    }

    /** Creates the content file (it must not exist); null if another process made it meanwhile. */
    FileChannel create(long id) throws IOException {
        try {
            return FileChannel.open(file(id), CREATE, FILE_MODE);
        } catch (FileAlreadyExistsException e) {
            return null;
        }
    }

    static void forceDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Disk space of the content files ({@code st_blocks * 512}); refuses entries of another layout. */
    long measure() throws IOException {
        long sum = 0;
        for (Path fan : fans) {
            try (Stream<Path> s = Files.list(fan)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    if (!Files.isRegularFile(p)) {
                        throw new FsException(FsError.IO, p + " is not a content file: " + root
                                + " holds another layout (the earlier 'fs' store kept a directory per file)");
                    }
                    sum += NativeStat.allocated(p);
                }
            }
        }
        return sum;
    }

    /**
     * The largest file size the file system under {@code root} accepts (ext4 with 4 KiB blocks:
     * 16 TiB - 4 KiB; XFS, btrfs, tmpfs: about {@code Long.MAX_VALUE}), found by binary search
     * with {@code ftruncate} of a scratch file (about 60 calls, once, no data written: the kernel
     * checks a truncate against the same limit as a write, and a FUSE file system underneath
     * never sees a write at a huge offset).
     */
    long probeMaxFileSize() throws IOException {
        Path probe = root.resolve(".maxsize-probe");
        Files.deleteIfExists(probe);
        long ok = 0; // a file of this size is possible
        long bad = Long.MAX_VALUE; // a file of this size is not (or unknown: the type's limit)
        Files.createFile(probe, FILE_MODE);
        try (RandomAccessFile ch = new RandomAccessFile(probe.toFile(), "rw")) {
            if (fits(ch, bad)) {
                return Long.MAX_VALUE;
            }
            while (bad - ok > 1) {
                long mid = ok + (bad - ok) / 2;
                if (fits(ch, mid)) {
                    ok = mid;
                } else {
                    bad = mid;
                }
            }
        } finally {
            Files.deleteIfExists(probe);
        }
        return ok;
    }

    /** Whether a file of {@code size} bytes can exist: sets that size, then empties the file. */
    private static boolean fits(RandomAccessFile ch, long size) throws IOException {
        try {
            ch.setLength(size); // ftruncate(2), which also extends
            return true;
        } catch (IOException e) {
            if (error(e) == FsError.FILE_TOO_LARGE || error(e) == FsError.INVALID) {
                return false;
            }
            throw e;
        } finally {
            ch.setLength(0);
        }
    }

    /** The {@link FsError} an I/O failure means (by the errno text the JDK reports). */
    static FsError error(IOException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("File too large")) {
            return FsError.FILE_TOO_LARGE;
        }
        if (m.contains("No space left")) {
            return FsError.NO_SPACE;
        }
        if (m.contains("quota exceeded")) {
            return FsError.QUOTA;
        }
        if (m.contains("Invalid argument")) {
            return FsError.INVALID;
        }
        return FsError.IO;
    }

    /** An I/O failure of an operation on content {@code id} as an {@link FsException}. */
    static FsException failure(String op, long id, IOException e) {
        FsError err = error(e);
        return new FsException(err == FsError.INVALID ? FsError.IO : err,
                op + " of content " + id + ": " + e.getMessage(), e);
    }
}
