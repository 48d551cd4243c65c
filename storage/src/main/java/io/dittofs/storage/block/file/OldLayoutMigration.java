package io.dittofs.storage.block.file;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converts a directory of the earlier {@code fs} layout ({@code root/<id mod 256>/<id>/<block>}:
 * a directory of 1 MiB block files per file, plus {@code root/.trash}) into {@link FileLayout}'s
 * one sparse file per inode, in place, when {@link FileBlockStore} opens it. One file at a time,
 * so the extra space needed is one file's size:
 * <ol>
 *   <li>{@code <id>.new} is built from the blocks (a missing block stays a hole) and forced;</li>
 *   <li>the block directory is renamed to {@code <id>.old}, then {@code <id>.new} to {@code <id>};</li>
 *   <li>once every file of a fan-out directory is converted, the directory is {@code fsync}ed, the
 *       {@code .old} trees are removed and it is {@code fsync}ed again;</li>
 *   <li>last, {@code .trash} (the marker of the earlier layout) goes and {@code root} is forced.</li>
 * </ol>
 * Crash safety: the blocks are never changed, and removed only after the new file and its name
 * are durable. A start after a crash (or power loss) at any step sees {@code .trash} still there
 * and runs again: a finished file ({@code <id>} is a regular file) is left alone, an unfinished
 * one is rebuilt from its blocks (in {@code <id>} or {@code <id>.old}); a stray {@code <id>.new}
 * is always rebuilt, never trusted.
 *
 * <p>Not thread-safe: runs once, before the store serves anything.
 */
final class OldLayoutMigration {
    private static final Logger LOG = LoggerFactory.getLogger(OldLayoutMigration.class);
    /** Block size of the earlier layout. */
    static final long OLD_BLOCK = 1L << 20;
    static final String MARKER = ".trash";
    private static final String NEW = ".new";
    private static final String OLD = ".old";

    private final Path root;
    private long files;
    private long bytes;

    private OldLayoutMigration(Path root) {
        this.root = root;
    }

    /** Whether {@code root} holds (part of) the earlier layout. */
    static boolean needed(Path root) {
        return Files.isDirectory(root.resolve(MARKER), LinkOption.NOFOLLOW_LINKS);
    }

    /** Converts {@code root} if it holds the earlier layout; returns the number of files converted. */
    static long migrateIfNeeded(Path root) throws IOException {
        if (!needed(root)) {
            return 0;
        }
        OldLayoutMigration m = new OldLayoutMigration(root);
        LOG.info("block store {}: converting the earlier layout (1 MiB block files) to one sparse file per file,"
                + " in place", root);
        m.run();
        LOG.info("block store {}: converted {} files ({} bytes of blocks)", root, m.files, m.bytes);
        return m.files;
    }

    private void run() throws IOException {
        removeTree(root.resolve(MARKER), false); // content the earlier store had deleted
        for (int i = 0; i < FileLayout.FAN_OUT; i++) {
            Path fan = root.resolve(String.format("%02x", i));
            if (Files.isDirectory(fan, LinkOption.NOFOLLOW_LINKS)) {
                migrateFan(fan);
            }
        }
        Files.delete(root.resolve(MARKER));
        FileLayout.forceDir(root);
    }

    private void migrateFan(Path fan) throws IOException {
        Set<String> done = new LinkedHashSet<>();
        for (String name : names(fan)) {
            String id = name.endsWith(NEW) || name.endsWith(OLD) ? name.substring(0, name.length() - 4) : name;
            if (isId(id) && done.add(id)) {
                migrateFile(fan, id);
            }
        }
        FileLayout.forceDir(fan); // every converted file's name is durable: the blocks may go
        boolean removed = false;
        for (String id : done) {
            Path old = fan.resolve(id + OLD);
            if (Files.exists(old, LinkOption.NOFOLLOW_LINKS)) {
                removeTree(old, true);
                removed = true;
            }
        }
        if (removed) {
            FileLayout.forceDir(fan);
        }
    }

    /** Converts one file: {@code fan/<id>} becomes a regular file holding its blocks' content. */
    private void migrateFile(Path fan, String id) throws IOException {
        Path file = fan.resolve(id);
        Path neu = fan.resolve(id + NEW);
        Path old = fan.resolve(id + OLD);
        Files.deleteIfExists(neu); // never trusted: it may be partial
        if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return; // converted by an earlier run
        }
        Path blocks = Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS) ? file : old;
        if (!Files.isDirectory(blocks, LinkOption.NOFOLLOW_LINKS)) {
            throw new FsException(FsError.IO, "cannot convert " + file + ": neither a file nor a block directory");
        }
        try (FileChannel out = FileChannel.open(neu, Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            for (String name : names(blocks)) {
                if (isId(name)) {
                    copyBlock(blocks.resolve(name), Long.parseLong(name) * OLD_BLOCK, out);
                }
            }
            out.force(true);
        }
        if (blocks == file) {
            Files.move(file, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(neu, file, StandardCopyOption.ATOMIC_MOVE);
        files++;
    }

    private void copyBlock(Path block, long at, FileChannel out) throws IOException {
        try (FileChannel in = FileChannel.open(block, StandardOpenOption.READ)) {
            long size = in.size();
            long done = 0;
            while (done < size) {
                long n = in.transferTo(done, size - done, out.position(at + done));
                if (n <= 0) {
                    throw new IOException("short copy of " + block);
                }
                done += n;
            }
            bytes += size;
        }
    }

    private static boolean isId(String name) {
        if (name.isEmpty() || name.length() > 19) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Removes {@code top}'s content, and {@code top} itself when {@code self}. */
    private static void removeTree(Path top, boolean self) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(top)) {
            all = s.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            if (self || !p.equals(top)) {
                Files.deleteIfExists(p);
            }
        }
    }
}
