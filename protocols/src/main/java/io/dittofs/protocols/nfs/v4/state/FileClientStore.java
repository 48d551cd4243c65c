package io.dittofs.protocols.nfs.v4.state;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.LoggerFactory;

/**
 * Client records in one small file ({@code nfs4-clients.bin} in the server's data directory), replaced
 * atomically: written to a temporary file, forced, renamed over the old one, directory forced. The
 * records are server-wide (a client spans every share), so they do not belong in a share's metadata
 * store, which has no generic key-value hook either.
 *
 * <p>Format (big-endian): magic {@code "D4CL"}, version 1, count, then per client: minor version,
 * owner length, owner bytes; then the CRC-32C of everything before it. A torn or corrupt file reads as
 * empty (no grace period), never as garbage.
 *
 * <p>Thread-safety: {@link #save} and {@link #journal} calls are serialised by this object's monitor.
 */
public final class FileClientStore implements ClientStore {
    private static final int MAGIC = 0x4434434C;
    private static final int VERSION = 1;
    private static final long MAX_FILE = 64L << 20;
    private final Path file;
    private final Path dir;
    private StateJournal journal;

    public FileClientStore(Path dir) {
        this.dir = dir;
        this.file = dir.resolve("nfs4-clients.bin");
    }

    /**
     * The open/lock journal beside the client records ({@link FileStateJournal}, {@code nfs4-state.log}),
     * opened on first call; {@link StateJournal#NONE} when it cannot be opened.
     */
    @Override
    public synchronized StateJournal journal() {
        if (journal == null) {
            try {
                journal = FileStateJournal.open(dir);
            } catch (IOException e) {
                LoggerFactory.getLogger(FileClientStore.class).warn(
                        "NFSv4: cannot open the state journal in {} ({}); reclaims are not checked", dir, e.toString());
                journal = StateJournal.NONE;
            }
        }
        return journal;
    }

    @Override
    public List<Persisted> load() throws IOException {
        if (!Files.exists(file) || Files.size(file) > MAX_FILE) {
            return List.of();
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        if (b.remaining() < 16) {
            return List.of();
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.limit() - 4);
        if ((int) crc.getValue() != b.getInt(b.limit() - 4) || b.getInt() != MAGIC || b.getInt() != VERSION) {
            return List.of();
        }
        int n = b.getInt();
        List<Persisted> out = new ArrayList<>();
        for (int i = 0; i < n && b.remaining() >= 12; i++) {
            int minor = b.getInt();
            int len = b.getInt();
            if (len < 0 || len > OwnerKey.MAX_LEN || len > b.remaining() - 4) {
                return List.of();
            }
            byte[] owner = new byte[len];
            b.get(owner);
            out.add(new Persisted(new OwnerKey(owner), minor));
        }
        return out;
    }

    @Override
    public synchronized void save(List<Persisted> clients) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeInt(clients.size());
        for (Persisted p : clients) {
            out.writeInt(p.minorVersion());
            out.writeInt(p.owner().length());
            out.write(p.owner().bytes());
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes.toByteArray());
        out.writeInt((int) crc.getValue());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer data = ByteBuffer.wrap(bytes.toByteArray());
            while (data.hasRemaining()) {
                ch.write(data);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // some file systems cannot open a directory for fsync; the rename is still atomic
        }
    }
}
