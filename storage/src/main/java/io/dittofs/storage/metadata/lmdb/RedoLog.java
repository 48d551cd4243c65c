package io.dittofs.storage.metadata.lmdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The redo log of {@link LmdbMetadataStore}: a commit becomes durable with one sequential write
 * and one {@code fdatasync} of a preallocated file, where syncing LMDB itself flushes every page
 * the transaction touched, scattered over the data file, and the meta page (on the 2-core VM of
 * the benchmarks: one 4 KiB page 158 µs, six scattered pages 277 µs, twelve 471 µs, six
 * contiguous pages 163 µs). LMDB's own file is made durable only at a checkpoint
 * ({@link LmdbCheckpoints}), in the background; this log holds every committed change since.
 *
 * <p>Files, in the store's directory:
 * <pre>
 *   redo-0.log, redo-1.log   records, appended from offset 0; preallocated and zero-filled, so
 *                            an fdatasync flushes data and never the file system's journal
 *   redo.ckpt                two header slots, written alternately
 * record:   u32 payload length | u32 CRC32C of (seq, payload) | u64 seq | payload
 * payload:  mutations, each  u8 op (PUT | db or DEL | db) | u16 key length | key
 *                            [PUT: u32 value length | value]
 * slot:     u64 magic | u64 generation | u32 file | u64 seq | u32 meta length | LMDB's two meta
 *           pages | u32 CRC32C of everything before it
 * </pre>
 * A header says: the LMDB file was durable at the commit whose two meta pages it carries; replay
 * the records from {@code seq} on, starting at offset 0 of {@code file} and going on at offset 0
 * of the other file, for as long as each record is whole and carries the next seq. Sequence
 * numbers only grow, so a record left over from an earlier round never continues the chain, and
 * a torn tail ends it.
 *
 * <p>Thread confinement: records are appended and synced on the store's writer thread; the
 * header is written by one checkpoint at a time.
 */
final class RedoLog implements AutoCloseable {
    static final long MAGIC = 0x4446_5245_444f_4c31L; // "DFREDOL1"
    static final int RECORD_HEADER = 16;
    static final int PUT = 0x10;
    static final int DEL = 0x20;
    /** Default size of each log file. */
    static final long DEFAULT_FILE_BYTES = 16L << 20;
    private static final int SLOT_HEADER = 8 + 8 + 4 + 8 + 4;
    /** Largest meta block a header slot holds (two pages of up to 64 KiB). */
    private static final int MAX_META = 2 * 65536;

    /** What a header slot says (see the class comment). */
    record Checkpoint(long generation, int file, long seq, byte[] lmdbMeta) {
    }

    /** The mutations of one transaction, staged in a direct buffer behind room for the record header. */
    static final class Batch {
        private ByteBuffer buf = ByteBuffer.allocateDirect(64 << 10).order(ByteOrder.BIG_ENDIAN);

        Batch() {
            reset();
        }

        void reset() {
            buf.clear().position(RECORD_HEADER);
        }

        boolean isEmpty() {
            return buf.position() == RECORD_HEADER;
        }

        /** Record bytes with the header. */
        int recordBytes() {
            return buf.position();
        }

        void put(int db, ByteBuffer key, ByteBuffer val) {
            ensure(1 + 2 + key.remaining() + 4 + val.remaining());
            buf.put((byte) (PUT | db)).putShort((short) key.remaining());
            copy(key);
            buf.putInt(val.remaining());
            copy(val);
        }

        void delete(int db, ByteBuffer key) {
            ensure(1 + 2 + key.remaining());
            buf.put((byte) (DEL | db)).putShort((short) key.remaining());
            copy(key);
        }

        private void copy(ByteBuffer from) {
            int n = from.remaining();
            buf.put(buf.position(), from, from.position(), n);
            buf.position(buf.position() + n);
        }

        private void ensure(int more) {
            if (buf.remaining() >= more) {
                return;
            }
            ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(buf.capacity() * 2, buf.position() + more));
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }

        /** Fills in the record header for {@code seq}; the record is {@code [0, position)}. */
        ByteBuffer seal(long seq) {
            int len = buf.position() - RECORD_HEADER;
            buf.putInt(0, len);
            buf.putLong(8, seq);
            CRC32C crc = new CRC32C();
            crc.update(buf.slice(8, 8 + len));
            buf.putInt(4, (int) crc.getValue());
            return buf.slice(0, buf.position());
        }
    }

    private final Path dir;
    private final long fileBytes;
    private final FileChannel[] files = new FileChannel[2];
    private final FileChannel header;
    private final boolean[] unsynced = new boolean[2];
    private final Checkpoint found;
    private int current;
    private long position;
    private long nextSeq;
    private long generation;

    /** Opens (creating and preallocating if needed) the log files in {@code dir} and reads the header. */
    RedoLog(Path dir, long fileBytes) throws IOException {
        this.dir = dir;
        this.fileBytes = fileBytes;
        boolean created = false;
        try {
            for (int i = 0; i < 2; i++) {
                Path p = dir.resolve("redo-" + i + ".log");
                if (!Files.exists(p)) {
                    preallocate(p, fileBytes);
                    created = true;
                }
                files[i] = io.dittofs.storage.PrivateFiles.open(p, EnumSet.of(StandardOpenOption.READ, StandardOpenOption.WRITE));
            }
            header = io.dittofs.storage.PrivateFiles.open(dir.resolve("redo.ckpt"),
                    EnumSet.of(StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE));
        } catch (IOException e) {
            close();
            throw e;
        }
        if (created) {
            forceDirectory(dir);
        }
        found = readHeader();
        if (found != null) {
            generation = found.generation();
            nextSeq = found.seq();
            current = found.file();
        }
    }

    private static void preallocate(Path p, long bytes) throws IOException {
        Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
        try (FileChannel ch = io.dittofs.storage.PrivateFiles.open(tmp,
                EnumSet.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING))) {
            ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
            for (long off = 0; off < bytes; off += zeros.capacity()) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), bytes - off));
                while (zeros.hasRemaining()) {
                    ch.write(zeros, off + zeros.position());
                }
            }
            ch.force(true);
        }
        Files.move(tmp, p, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static void forceDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** The header found at open (the newest valid slot), or null for a store without one. */
    Checkpoint found() {
        return found;
    }

    long fileBytes() {
        return fileBytes;
    }

    /** Bytes of records in the current file since it was switched to. */
    long position() {
        return position;
    }

    long nextSeq() {
        return nextSeq;
    }

    /** Whether a record of {@code bytes} fits in what is left of the current file. */
    boolean fits(int bytes) {
        return position + bytes <= fileBytes;
    }

    /** Appends the batch as the next record (the caller checked that it {@link #fits}); not yet durable. */
    void append(Batch b) throws IOException {
        ByteBuffer rec = b.seal(nextSeq);
        long at = position;
        while (rec.hasRemaining()) {
            at += files[current].write(rec, at);
        }
        position = at;
        nextSeq++;
        unsynced[current] = true;
    }

    /** Makes every appended record durable (fdatasync of each file with unsynced records). */
    void sync() throws IOException {
        for (int i = 0; i < 2; i++) {
            if (unsynced[i]) {
                unsynced[i] = false;
                try {
                    files[i].force(false);
                } catch (IOException e) {
                    unsynced[i] = true;
                    throw e;
                }
            }
        }
    }

    /** Records go to the other file from its start on; returns the seq of the first one. */
    long switchFiles() {
        current ^= 1;
        position = 0;
        return nextSeq;
    }

    int currentFile() {
        return current;
    }

    /**
     * Durably writes the next header: LMDB was durable with {@code lmdbMeta}; replay from
     * {@code seq} in {@code file}. One checkpoint at a time.
     */
    void writeHeader(int file, long seq, byte[] lmdbMeta) throws IOException {
        long gen = generation + 1;
        ByteBuffer b = ByteBuffer.allocate(slotBytes(lmdbMeta.length));
        b.putLong(MAGIC).putLong(gen).putInt(file).putLong(seq).putInt(lmdbMeta.length).put(lmdbMeta);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue()).flip();
        long at = (gen & 1) * slotBytes(MAX_META);
        while (b.hasRemaining()) {
            at += header.write(b, at);
        }
        header.force(false);
        generation = gen;
    }

    private static int slotBytes(int meta) {
        return SLOT_HEADER + meta + 4;
    }

    private Checkpoint readHeader() throws IOException {
        Checkpoint best = null;
        for (int slot = 0; slot < 2; slot++) {
            Checkpoint c = readSlot((long) slot * slotBytes(MAX_META));
            if (c != null && (best == null || c.generation() > best.generation())) {
                best = c;
            }
        }
        return best;
    }

    private Checkpoint readSlot(long at) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(SLOT_HEADER);
        if (readFully(header, h, at) < SLOT_HEADER || h.getLong(0) != MAGIC) {
            return null;
        }
        int file = h.getInt(16);
        int metaLen = h.getInt(28);
        if (file < 0 || file > 1 || metaLen <= 0 || metaLen > MAX_META) {
            return null;
        }
        ByteBuffer all = ByteBuffer.allocate(slotBytes(metaLen));
        if (readFully(header, all, at) < all.capacity()) {
            return null;
        }
        CRC32C crc = new CRC32C();
        crc.update(all.array(), 0, all.capacity() - 4);
        if ((int) crc.getValue() != all.getInt(all.capacity() - 4)) {
            return null;
        }
        byte[] meta = new byte[metaLen];
        all.get(SLOT_HEADER, meta);
        return new Checkpoint(h.getLong(8), file, h.getLong(20), meta);
    }

    private static int readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, at + b.position());
            if (n < 0) {
                break;
            }
        }
        return b.position();
    }

    /**
     * Hands every record after the header found at open to {@code apply} (its payload, in a
     * direct buffer valid during the call), in order: from offset 0 of the header's file, then
     * from offset 0 of the other one, for as long as each record is whole and carries the next
     * seq. Afterwards the log is positioned after the last one, and the next seq leaps over every
     * seq either file can hold, so a record that outlived the crash behind the torn one (a power
     * cut can keep a later page and lose an earlier one) never continues a later chain. Returns
     * how many records there were.
     */
    long replay(Consumer<ByteBuffer> apply) throws IOException {
        if (found == null) {
            return 0;
        }
        long count = 0;
        int file = found.file();
        long seq = found.seq();
        ByteBuffer head = ByteBuffer.allocateDirect(RECORD_HEADER);
        ByteBuffer payload = ByteBuffer.allocateDirect(64 << 10);
        for (int pass = 0; pass < 2; pass++, file ^= 1) {
            long at = 0;
            while (true) {
                head.clear();
                if (readFully(files[file], head, at) < RECORD_HEADER) {
                    break;
                }
                int len = head.getInt(0);
                if (len <= 0 || at + RECORD_HEADER + len > fileBytes || head.getLong(8) != seq) {
                    break;
                }
                if (payload.capacity() < len) {
                    payload = ByteBuffer.allocateDirect(len);
                }
                payload.clear().limit(len);
                if (readFully(files[file], payload, at + RECORD_HEADER) < len) {
                    break;
                }
                payload.flip();
                CRC32C crc = new CRC32C();
                crc.update(head.slice(8, 8));
                crc.update(payload.duplicate());
                if ((int) crc.getValue() != head.getInt(4)) {
                    break;
                }
                apply.accept(payload);
                at += RECORD_HEADER + len;
                seq++;
                count++;
                current = file;
                position = at;
            }
            if (at == 0 && pass == 1) {
                break;
            }
        }
        nextSeq = seq + 2 * (fileBytes / RECORD_HEADER) + 1;
        return count;
    }

    @Override
    public void close() {
        for (FileChannel f : files) {
            closeQuietly(f);
        }
        closeQuietly(header);
    }

    private static void closeQuietly(FileChannel f) {
        if (f != null) {
            try {
                f.close();
            } catch (IOException ignored) {
                // nothing left to do with it
            }
        }
    }

    @Override
    public String toString() {
        return "RedoLog[" + dir + "]";
    }
}
