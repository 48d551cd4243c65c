package io.dittofs.protocols.rpc;

import io.dittofs.core.buffer.BufferPool;
import io.dittofs.core.buffer.Lease;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.dittofs.protocols.XdrArgs.xdr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordReaderTest {
    private static final int LAST = 0x8000_0000;
    private final BufferPool pool = new BufferPool(8, 4, 2);

    @AfterEach
    void closePool() {
        pool.close();
    }

    /** Fragment headers and bodies: alternating {@code Integer} marks and {@code byte[]} data. */
    private static byte[] stream(Object... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (Object p : parts) {
            b.writeBytes(p instanceof Integer i ? xdr().int32(i).build() : (byte[]) p);
        }
        return b.toByteArray();
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }

    private RecordReader reader(byte[] in, int maxRecord) {
        return new RecordReader(Channels.newChannel(new ByteArrayInputStream(in)), pool, maxRecord);
    }

    private static byte[] data(RecordReader.Record r) {
        try (Lease held = r.lease()) {
            return r.data().toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private void assertAllBuffersReturned() {
        assertEquals(8, pool.available(BufferPool.SMALL));
        assertEquals(4, pool.available(BufferPool.MEDIUM));
        assertEquals(2, pool.available(BufferPool.LARGE));
    }

    @Test
    void shouldReadRecordWhenSentAsOneFragment() throws IOException {
        byte[] body = bytes(100, 1);
        RecordReader r = reader(stream(LAST | 100, body), 4096);
        assertArrayEquals(body, data(r.next()));
        assertNull(r.next());
        assertAllBuffersReturned();
    }

    /** A channel over {@code in} that counts its read calls (each one a syscall on a socket). */
    private static final class CountingChannel implements ReadableByteChannel {
        private final ReadableByteChannel in;
        int reads;

        CountingChannel(byte[] bytes) {
            in = Channels.newChannel(new ByteArrayInputStream(bytes));
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            reads++;
            return in.read(dst);
        }

        @Override
        public boolean isOpen() {
            return in.isOpen();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    @Test
    void shouldTakeMarkAndBodyOfSmallRecordsWithOneReadWhenTheyArriveTogether() throws IOException {
        byte[] first = bytes(200, 1);
        byte[] second = bytes(4300, 2); // a 4 KiB WRITE's record
        CountingChannel ch = new CountingChannel(stream(LAST | 200, first, LAST | 4300, second));
        RecordReader r = new RecordReader(ch, pool, 1 << 20);
        assertArrayEquals(first, data(r.next()));
        assertEquals(1, ch.reads, "mark and body in one read");
        assertEquals(4 + 4300, r.buffered(), "the next record came with it");
        assertArrayEquals(second, data(r.next()));
        assertEquals(1, ch.reads, "the second record needed no read at all");
        assertNull(r.next());
        assertAllBuffersReturned();
    }

    @Test
    void shouldTellTheSocketWasDrainedOnlyWhenItsLastReadCameUpShort() throws IOException {
        byte[] full = bytes(RecordReader.INBOX - 4, 3); // mark and body fill the inbox exactly
        byte[] small = bytes(10, 4);
        RecordReader r = reader(stream(LAST | full.length, full, LAST | small.length, small), 1 << 20);
        assertArrayEquals(full, data(r.next()));
        assertEquals(0, r.buffered());
        assertFalse(r.drained(), "a read that filled its buffer may have left bytes in the socket: ask it");
        assertArrayEquals(small, data(r.next()));
        assertTrue(r.drained(), "a short read emptied the socket: no FIONREAD needed (issue 9.4)");
        assertNull(r.next());
        assertAllBuffersReturned();
    }

    @Test
    void shouldJoinFragmentsIntoOneRecord() throws IOException {
        byte[] a = bytes(7, 1);
        byte[] b = bytes(13, 50);
        RecordReader r = reader(stream(7, a, 0, LAST | 13, b), 4096);
        byte[] expected = stream(a, b);
        assertArrayEquals(expected, data(r.next()));
        assertNull(r.next());
        assertAllBuffersReturned();
    }

    @Test
    void shouldReadConsecutiveRecordsThenEndCleanly() throws IOException {
        RecordReader r = reader(stream(LAST | 4, bytes(4, 1), 2, bytes(2, 9), LAST | 2, bytes(2, 20), LAST, new byte[0]),
                4096);
        assertArrayEquals(bytes(4, 1), data(r.next()));
        assertArrayEquals(stream(bytes(2, 9), bytes(2, 20)), data(r.next()));
        assertEquals(0, data(r.next()).length);
        assertNull(r.next());
        assertAllBuffersReturned();
    }

    @Test
    void shouldReadRecordWhenBytesTrickleOneAtATime() throws IOException {
        byte[] in = stream(3, bytes(3, 1), LAST | 5, bytes(5, 4));
        ReadableByteChannel oneByte = new ReadableByteChannel() {
            private int pos;

            @Override
            public int read(ByteBuffer dst) {
                if (pos == in.length) {
                    return -1;
                }
                dst.put(in[pos++]);
                return 1;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
        RecordReader r = new RecordReader(oneByte, pool, 4096);
        assertArrayEquals(bytes(8, 1), data(r.next()));
        assertNull(r.next());
    }

    @Test
    void shouldRefuseWithoutAllocatingWhenFragmentLengthIsMax() {
        assertThrows(RecordReader.FramingException.class, () -> reader(stream(0x7fff_ffff, bytes(64, 0)), 4096).next());
        assertThrows(RecordReader.FramingException.class, () -> reader(stream(0xffff_ffff, bytes(64, 0)), 4096).next());
        assertEquals(0, pool.allocatedBytes());
    }

    @Test
    void shouldRefuseWhenSingleFragmentOverCap() {
        assertThrows(RecordReader.FramingException.class, () -> reader(stream(LAST | 101, bytes(101, 0)), 100).next());
        assertEquals(0, pool.allocatedBytes());
    }

    @Test
    void shouldCapRecordAtPoolMaximumWhenConfiguredCapIsLarger() {
        RecordReader r = reader(stream(LAST | (BufferPool.LARGE + 1)), Integer.MAX_VALUE);
        assertThrows(RecordReader.FramingException.class, r::next);
        assertEquals(0, pool.allocatedBytes());
    }

    @Test
    void shouldRefuseAndReleaseBufferWhenFragmentsTogetherOverCap() {
        RecordReader r = reader(stream(60, bytes(60, 0), LAST | 60, bytes(60, 0)), 100);
        assertThrows(RecordReader.FramingException.class, r::next);
        assertAllBuffersReturned();
    }

    @Test
    void shouldThrowEofAndReleaseBufferWhenStreamEndsInsideRecord() {
        assertThrows(EOFException.class, () -> reader(stream(LAST | 100, bytes(50, 0)), 4096).next());
        assertAllBuffersReturned();
    }

    @Test
    void shouldThrowEofWhenStreamEndsInsideHeader() {
        assertThrows(EOFException.class, () -> reader(new byte[] {(byte) 0x80, 0}, 4096).next());
    }

    @Test
    void shouldThrowEofAndReleaseBufferWhenStreamEndsBetweenFragments() {
        assertThrows(EOFException.class, () -> reader(stream(8, bytes(8, 0)), 4096).next());
        assertThrows(EOFException.class, () -> reader(stream(8, bytes(8, 0), 0x00), 4096).next());
        assertAllBuffersReturned();
    }

    @Test
    @Timeout(10)
    void shouldReportRecordStartWhenOnlyPartOfHeaderArrived() throws Exception {
        Pipe pipe = Pipe.open();
        RecordReader r = new RecordReader(pipe.source(), pool, 4096);
        CompletableFuture<byte[]> rec = CompletableFuture.supplyAsync(() -> {
            try {
                return data(r.next());
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, cmd -> Thread.ofVirtual().start(cmd));
        assertEquals(0, r.recordStartNanos(), "idle between records");
        pipe.sink().write(ByteBuffer.wrap(new byte[] {(byte) 0x80, 0}));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (r.recordStartNanos() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        // a slowloris client that dribbles a partial header must be visible to the stall watchdog
        assertNotEquals(0, r.recordStartNanos(), "record start after a partial header");
        pipe.sink().write(ByteBuffer.wrap(new byte[] {0, 2, 7, 8}));
        assertArrayEquals(new byte[] {7, 8}, rec.get(5, TimeUnit.SECONDS));
        assertEquals(0, r.recordStartNanos(), "idle again after the record");
        pipe.sink().close();
        pipe.source().close();
    }

    @Test
    @Timeout(10)
    void shouldTakeLargeBufferOnlyWhenRecordDataArrived() throws Exception {
        Pipe pipe = Pipe.open();
        RecordReader r = new RecordReader(pipe.source(), pool, BufferPool.LARGE);
        CompletableFuture<byte[]> rec = CompletableFuture.supplyAsync(() -> {
            try {
                return data(r.next());
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, cmd -> Thread.ofVirtual().start(cmd));
        int len = 1024 * 1024;
        byte[] body = bytes(len, 3);
        pipe.sink().write(ByteBuffer.wrap(stream(LAST | len, Arrays.copyOf(body, 100))));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (pool.available(BufferPool.SMALL) == 8 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Thread.sleep(50);
        // a 1 MiB record announced, 100 bytes of it sent: a small buffer, neither a medium nor a large one
        assertEquals(2, pool.available(BufferPool.LARGE), "large buffers while only 100 bytes arrived");
        assertEquals(4, pool.available(BufferPool.MEDIUM), "medium buffers while only 100 bytes arrived");
        ByteBuffer rest = ByteBuffer.wrap(body, 100, len - 100);
        while (rest.hasRemaining()) {
            pipe.sink().write(rest);
        }
        assertArrayEquals(body, rec.get(5, TimeUnit.SECONDS));
        assertAllBuffersReturned();
        pipe.sink().close();
        pipe.source().close();
    }
}
