package io.dittofs.storage.cache;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The WAL's on-disk format (described on {@link Wal}): writing one record into a claimed range,
 * writing a segment header, and scanning a segment's records at recovery. Stateless; a record is
 * written by the one thread that claimed its range.
 */
final class WalRecords {
    /** Segment header version 1: LSNs are a counter. Version 2: a record's LSN is the segment's base LSN plus its position. */
    static final int POSITIONAL = 2;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** The record magic, stored with release semantics after everything else (records are 8-aligned). */
    private static final VarHandle MAGIC_HANDLE = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

    private WalRecords() {
    }

    /** Writes a fresh segment header: magic, version, id and the LSN of position 0. */
    static void writeHeader(MemorySegment m, long id, long baseLsn) {
        m.set(LONG, 8, id);
        m.set(LONG, 16, baseLsn); // records below this LSN are leftovers of the file's previous life
        m.set(INT, 4, POSITIONAL);
        m.set(INT, 0, Wal.SEGMENT_MAGIC);
        // a stale record right behind the header must not look like this segment's first record
        m.set(INT, Wal.SEGMENT_HEADER, 0);
    }

    /** The base LSN of a segment's header, or 0 if the header is not this segment's (or implausible). */
    static long headerBase(MemorySegment m, long id) {
        long base = m.get(LONG, 16);
        boolean valid = m.get(INT, 0) == Wal.SEGMENT_MAGIC && m.get(LONG, 8) == id && base >= 0 && base < (1L << 60);
        return valid ? base : 0;
    }

    /**
     * Fills the claimed range {@code [pos, pos + total)}: data first, then the header fields and
     * the checksum, the magic last (a release store), so a crash mid-way leaves a record that
     * fails its magic, LSN or checksum. If copying {@code data} fails the range is written as a
     * padding record instead (replay skips it) and the failure is rethrown: a claimed range is
     * never left unfinished, or replay would stop there.
     */
    static void write(MemorySegment m, long pos, long total, byte type, long lsn, long contentId, long offset,
                      MemorySegment data) {
        int dataLen = data == null ? 0 : (int) data.byteSize();
        try {
            if (dataLen > 0) {
                MemorySegment.copy(data, 0, m, pos + Wal.HEADER, dataLen);
            }
        } catch (RuntimeException | Error e) {
            fill(m, pos, total, Wal.PAD, lsn, 0, 0, 0);
            throw e;
        }
        fill(m, pos, total, type, lsn, contentId, offset, dataLen);
    }

    private static void fill(MemorySegment m, long pos, long total, byte type, long lsn, long contentId, long offset,
                             int dataLen) {
        m.set(INT, pos + 4, (int) total);
        m.set(ValueLayout.JAVA_BYTE, pos + 12, type);
        m.set(LONG, pos + 16, lsn);
        m.set(LONG, pos + 24, contentId);
        m.set(LONG, pos + 32, offset);
        m.set(INT, pos + 40, dataLen);
        m.set(INT, pos + 8, crc(m, pos, dataLen));
        MAGIC_HANDLE.setRelease(m, pos, Wal.MAGIC);
    }

    private static int crc(MemorySegment m, long pos, int dataLen) {
        CRC32C c = new CRC32C();
        c.update(m.asSlice(pos + 12, Wal.HEADER - 12 + dataLen).asByteBuffer());
        return (int) c.getValue();
    }

    /**
     * Reads the valid records of a segment into {@code out}, skipping padding; stops at the first
     * bad magic, length, checksum, type or LSN (out of order, or, in a version 2 segment, not the
     * base LSN plus the position: a stale record of the file's previous life, or a range claimed
     * but never finished). Seals the segment at the end of its valid records and returns the
     * highest LSN seen.
     */
    static long scan(WalSegment seg, List<Wal.Replayed> out, long lastLsn) {
        MemorySegment m = seg.map;
        long pos = Wal.SEGMENT_HEADER;
        if (m.get(INT, 0) != Wal.SEGMENT_MAGIC || m.get(LONG, 8) != seg.id) {
            seg.sealAt(pos);
            return lastLsn; // never initialised, or a reused file whose new header did not survive
        }
        boolean positional = m.get(INT, 4) >= POSITIONAL;
        lastLsn = Math.max(lastLsn, seg.baseLsn - 1);
        while (pos + Wal.HEADER <= m.byteSize()) {
            if (m.get(INT, pos) != Wal.MAGIC) {
                break;
            }
            long total = m.get(INT, pos + 4) & 0xFFFF_FFFFL;
            long dataLen = m.get(INT, pos + 40) & 0xFFFF_FFFFL;
            if (total < Wal.HEADER || pos + total > m.byteSize() || Wal.HEADER + dataLen > total) {
                break;
            }
            if (m.get(INT, pos + 8) != crc(m, pos, (int) dataLen)) {
                break;
            }
            byte type = m.get(ValueLayout.JAVA_BYTE, pos + 12);
            long lsn = m.get(LONG, pos + 16);
            if (lsn <= lastLsn || (positional && lsn != seg.baseLsn + pos) || type < Wal.WRITE || type > Wal.DEALLOCATE) {
                break;
            }
            if (type != Wal.PAD) {
                out.add(new Wal.Replayed(seg, type, lsn, m.get(LONG, pos + 24), m.get(LONG, pos + 32), pos + Wal.HEADER,
                        (int) dataLen));
            }
            lastLsn = lsn;
            pos += total;
        }
        seg.sealAt(pos);
        return lastLsn;
    }
}
