package io.dittofs.bench;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.SetAttr;
import io.dittofs.storage.block.file.FileBlockStore;
import io.dittofs.storage.metadata.lmdb.LmdbMetadataStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The server's default stores for the file-system benchmarks: LMDB metadata and local-file blocks
 * in a fresh directory under {@code java.io.tmpdir}, a {@link FileSystem} over them and a directory
 * {@code /work} made by root. {@link #close} closes the stores and removes the directory.
 *
 * <p>Thread-safety: open and close from one thread (JMH set-up and tear-down); {@link #fs} and
 * the stores are thread-safe.
 */
final class LocalStores implements AutoCloseable {
    final Path dir;
    final LmdbMetadataStore meta;
    final FileBlockStore blocks;
    final FileSystem fs;
    /** The id of {@code /work}. */
    final long work;

    /** Opens the stores in a new temporary directory named after {@code prefix}. */
    LocalStores(String prefix) throws IOException {
        dir = Files.createTempDirectory(prefix);
        meta = new LmdbMetadataStore(dir.resolve("meta"));
        blocks = new FileBlockStore(dir.resolve("blocks"));
        fs = new FileSystem(meta, blocks, false);
        work = fs.mkdir(AuthContext.ROOT, fs.rootId(), "work", SetAttr.NONE).child().id();
    }

    @Override
    public void close() throws IOException {
        meta.close();
        blocks.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
