package io.dittofs.protocols.smb.handler;

import io.dittofs.core.Results;
import io.dittofs.core.Stability;
import io.dittofs.protocols.smb.ConnState;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.Open;
import io.dittofs.protocols.smb.SmbRequest;
import io.dittofs.protocols.smb.codec.SmbDecoder;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Server-side copy (MS-SMB2 3.3.5.15.5, 3.3.5.15.6): FSCTL_SRV_REQUEST_RESUME_KEY hands out a
 * 24-byte key naming an open (its FileId twice and a random per-connection salt, so a key is only
 * good on the connection and session that asked for it, as Samba's); FSCTL_SRV_COPYCHUNK and
 * FSCTL_SRV_COPYCHUNK_WRITE copy the listed ranges from that source open to the target open
 * through the file system's read and write, piece by piece through a scratch area the caller
 * lends (the unused tail of the pooled reply buffer), so no buffer is allocated per request.
 * Limits as Windows and Samba: 256 chunks, 1 MiB a chunk, 16 MiB in all; a request over them (or
 * malformed) gets STATUS_INVALID_PARAMETER with the limits in the response (2.2.32.1); any other
 * failure answers the chunks and bytes copied before it, as Windows and Samba (smbtorture
 * smb2.ioctl.copy_chunk_*). A source open for FILE_EXECUTE may be read, as for READ. Stateless; thread-safe.
 */
final class CopyChunk {
    static final int MAX_CHUNKS = 256;
    static final int MAX_CHUNK_SIZE = 1024 * 1024;
    static final int MAX_TOTAL = 16 * 1024 * 1024;
    static final int RESPONSE_SIZE = 12;
    static final int COPY_HEADER = 32;
    static final int CHUNK_SIZE = 24;
    static final int RESUME_KEY_RESPONSE = 32;
    /** Scratch the dispatcher should leave in a copy-chunk reply buffer: one whole chunk. */
    static final int SCRATCH = MAX_CHUNK_SIZE;

    /** What a copy request answers: a status and, when not null, the SRV_COPYCHUNK_RESPONSE to send with it. */
    record Outcome(int status, byte[] response) {
        /** A failure before any chunk was copied: INVALID_PARAMETER answers the limits, others zero counts. */
        static Outcome error(int status) {
            return status == NtStatus.INVALID_PARAMETER ? limits()
                    : new Outcome(status, CopyChunk.response(0, 0, 0));
        }
    }

    private CopyChunk() {
    }

    /** SRV_REQUEST_RESUME_KEY response (2.2.32.3): ResumeKey(24) ContextLength(4) and 4 bytes of Context. */
    static byte[] resumeKey(ConnState conn, Open o) {
        return ByteBuffer.allocate(RESUME_KEY_RESPONSE).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(o.fileId()).putLong(o.fileId()).putLong(conn.resumeSalt()).putInt(0).putInt(0).array();
    }

    /**
     * Runs SRV_COPYCHUNK_COPY (2.2.31.1: SourceKey(24) ChunkCount(4) Reserved(4), then ChunkCount
     * SRV_COPYCHUNK of SourceOffset(8) TargetOffset(8) Length(4) Reserved(4)) onto {@code target}.
     *
     * @param readTarget true for FSCTL_SRV_COPYCHUNK, whose target must also be open for reading
     * @param scratch    memory to copy through (at least a few KiB)
     */
    static Outcome copy(SmbRequest r, Open target, byte[] input, long maxOut, boolean readTarget,
                        MemorySegment scratch) {
        if (maxOut < RESPONSE_SIZE) {
            return new Outcome(NtStatus.INVALID_PARAMETER, null); // no room for the response
        }
        if (input.length < COPY_HEADER) {
            return Outcome.error(NtStatus.INVALID_PARAMETER);
        }
        if (target.pipe() != null || target.directory()) {
            return Outcome.error(NtStatus.INVALID_DEVICE_REQUEST);
        }
        int need = Access.WRITE_DATA | (readTarget ? Access.READ_DATA : 0);
        if ((target.access() & need) != need) {
            return Outcome.error(NtStatus.ACCESS_DENIED);
        }
        SmbDecoder in = new SmbDecoder(MemorySegment.ofArray(input));
        long count = in.u32(24);
        if (count > MAX_CHUNKS) {
            return limits();
        }
        if (input.length < COPY_HEADER + CHUNK_SIZE * count) {
            return Outcome.error(NtStatus.INVALID_PARAMETER);
        }
        long total = 0;
        for (int i = 0; i < count; i++) {
            long len = in.u32(COPY_HEADER + (long) CHUNK_SIZE * i + 16);
            if (len == 0 || len > MAX_CHUNK_SIZE) {
                return limits();
            }
            total += len;
        }
        if (total > MAX_TOTAL) {
            return limits();
        }
        Open source = source(r, in);
        if (source == null) {
            return Outcome.error(NtStatus.OBJECT_NAME_NOT_FOUND);
        }
        if ((source.access() & (Access.READ_DATA | Access.EXECUTE)) == 0) {
            return Outcome.error(NtStatus.ACCESS_DENIED);
        }
        if (scratch.byteSize() < 512) {
            return Outcome.error(NtStatus.INSUFFICIENT_RESOURCES);
        }
        long copied = 0;
        for (int i = 0; i < count; i++) {
            long at = COPY_HEADER + (long) CHUNK_SIZE * i;
            int status = chunk(r, source, target, in.i64(at), in.i64(at + 8), in.u32(at + 16), scratch);
            if (status != NtStatus.SUCCESS) {
                return new Outcome(status, response(i, 0, (int) copied));
            }
            copied += in.u32(at + 16);
        }
        return new Outcome(NtStatus.SUCCESS, response((int) count, 0, (int) total));
    }

    /** The open a SourceKey names: one of this connection's, of the same session, not closed. */
    private static Open source(SmbRequest r, SmbDecoder in) {
        long fileId = in.i64(0);
        if (in.i64(8) != fileId || in.i64(16) != r.conn().resumeSalt()) {
            return null;
        }
        Open o = r.conn().open(fileId);
        if (o == null || o.closed() || o.pipe() != null || o.directory() || o.tree().session() != r.session()) {
            return null;
        }
        return o;
    }

    /** Copies one chunk in scratch-sized pieces; a source range past end of file is STATUS_INVALID_VIEW_SIZE. */
    private static int chunk(SmbRequest r, Open source, Open target, long from, long to, long length,
                             MemorySegment scratch) {
        if (from < 0 || to < 0 || from + length < 0 || to + length > Write.MAX_END) {
            return NtStatus.INVALID_PARAMETER;
        }
        int status = Lock.checkIo(r, source, false, from, length);
        if (status == NtStatus.SUCCESS) {
            status = Lock.checkIo(r, target, true, to, length);
        }
        if (status != NtStatus.SUCCESS) {
            return status;
        }
        var srcFs = source.tree().share().fs();
        var dstFs = target.tree().share().fs();
        var readAs = source.tree().authorize(false);
        var writeAs = target.tree().authorize(true);
        long done = 0;
        while (done < length) {
            MemorySegment piece = scratch.asSlice(0, Math.min(scratch.byteSize(), length - done));
            Results.Read got = srcFs.read(readAs, source.inode(), from + done, piece);
            if (got.count() < piece.byteSize()) {
                return NtStatus.INVALID_VIEW_SIZE; // as Windows and Samba: the range ends past end of file
            }
            Results.Written w = dstFs.write(writeAs, target.inode(), to + done, piece, Stability.UNSTABLE);
            if (w.count() <= 0) {
                return NtStatus.UNEXPECTED_IO_ERROR;
            }
            done += w.count();
        }
        return NtStatus.SUCCESS;
    }

    private static Outcome limits() {
        return new Outcome(NtStatus.INVALID_PARAMETER, response(MAX_CHUNKS, MAX_CHUNK_SIZE, MAX_TOTAL));
    }

    /** SRV_COPYCHUNK_RESPONSE (2.2.32.1): ChunksWritten, ChunkBytesWritten, TotalBytesWritten. */
    private static byte[] response(int chunks, int chunkBytes, int total) {
        return ByteBuffer.allocate(RESPONSE_SIZE).order(ByteOrder.LITTLE_ENDIAN).putInt(chunks).putInt(chunkBytes)
                .putInt(total).array();
    }

    /** True for the two copy-chunk control codes. */
    static boolean isCopy(int code) {
        return code == Ioctl.FSCTL_SRV_COPYCHUNK || code == Ioctl.FSCTL_SRV_COPYCHUNK_WRITE;
    }
}
