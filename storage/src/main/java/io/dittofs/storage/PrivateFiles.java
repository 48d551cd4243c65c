package io.dittofs.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Creates the server's own files and directories (LMDB environments, block files, WAL segments,
 * the control-plane database) readable by the server's user only: directories {@code 0700},
 * files {@code 0600}, set at creation (no window in which another local user could open them).
 * Existing files and directories keep their modes. On a file system without POSIX permissions
 * the attributes are left out. Stateless; thread-safe.
 */
public final class PrivateFiles {
    /** lmdbjava's {@code open(File, int mode, ...)} mode for the data and lock files. */
    public static final int FILE_MODE = 0600;
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final FileAttribute<?>[] DIR = POSIX
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
            : new FileAttribute<?>[0];
    private static final FileAttribute<?>[] FILE = POSIX
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
            : new FileAttribute<?>[0];

    private PrivateFiles() {
    }

    /** {@link Files#createDirectories}: every directory it creates is {@code 0700}. */
    public static Path createDirectories(Path dir) throws IOException {
        return Files.createDirectories(dir, DIR);
    }

    /** {@link FileChannel#open(Path, Set, FileAttribute[])}: a file it creates is {@code 0600}. */
    public static FileChannel open(Path file, Set<? extends OpenOption> options) throws IOException {
        return FileChannel.open(file, options, FILE);
    }
}
