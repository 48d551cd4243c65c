package io.dittofs.protocols.smb;

import io.dittofs.core.buffer.BufferPool;
import io.dittofs.protocols.smb.server.SmbServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Multi-credit 8 MiB I/O over a real server and raw sockets: the sizes NEGOTIATE advertises per
 * dialect, 8 MiB frames taken into pooled 8 MiB buffers, and the pool's global cap of such buffers
 * holding when several clients send 8 MiB at once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SmbLargeIoTest {
    private static final int EIGHT_MIB = 8 * 1024 * 1024;

    private static int maxRead(ByteBuffer negotiateReply) {
        return negotiateReply.getInt(64 + 32);
    }

    @Test
    void shouldAdvertiseEightMebibyteSizesWhenDialectIsAtLeast21() throws Exception {
        try (TestSmbServer s = TestSmbServer.start(); SmbTestClient c = new SmbTestClient(s.port())) {
            ByteBuffer r = c.negotiate(0x0202, 0x0210, 0x0300);
            assertEquals(0x0300, r.getShort(64 + 4) & 0xFFFF);
            assertEquals(EIGHT_MIB, r.getInt(64 + 28), "MaxTransactSize");
            assertEquals(EIGHT_MIB, maxRead(r), "MaxReadSize");
            assertEquals(EIGHT_MIB, r.getInt(64 + 36), "MaxWriteSize");
        }
    }

    @Test
    void shouldAdvertise64KibWhenDialectIs202() throws Exception {
        try (TestSmbServer s = TestSmbServer.start(); SmbTestClient c = new SmbTestClient(s.port())) {
            assertEquals(65536, maxRead(c.negotiate(0x0202)), "2.0.2 has no multi-credit requests");
        }
    }

    /** Negotiates 2.1 and asks for credits until the client holds at least {@code want}. */
    private static void creditsFor(SmbTestClient c, int want) throws Exception {
        int held = SmbTestClient.credits(c.negotiate(0x0210));
        while (held < want) {
            c.sendFrame(SmbTestClient.message(0x0D, c.nextMessageId++, 1, 64, new byte[] {4, 0, 0, 0}));
            ByteBuffer r = c.receive();
            assertEquals(NtStatus.SUCCESS, SmbTestClient.status(r));
            held += SmbTestClient.credits(r) - 1;
        }
    }

    /** An 8 MiB WRITE (charge 128) with no session: the frame must be read whole and answered. */
    private static byte[] eightMibWrite(long messageId) {
        ByteBuffer b = ByteBuffer.allocate(64 + 48 + EIGHT_MIB).order(ByteOrder.LITTLE_ENDIAN);
        b.put(SmbTestClient.header(0x09, messageId, 128, 1, 0x1234, 1, 0, 0));
        b.putShort((short) 49).putShort((short) 112).putInt(EIGHT_MIB).putLong(0).putLong(1).putLong(1)
                .putInt(0).putInt(0).putShort((short) 0).putShort((short) 0).putInt(0);
        return b.array();
    }

    @Test
    void shouldTakeAnEightMebibyteWriteFrameIntoOneHugeBuffer() throws Exception {
        try (TestSmbServer s = TestSmbServer.start(); SmbTestClient c = new SmbTestClient(s.port())) {
            creditsFor(c, 128);
            long before = s.pool.allocatedBytes();
            c.sendFrame(eightMibWrite(c.nextMessageId));
            c.nextMessageId += 128;
            ByteBuffer r = c.receive();
            assertEquals(NtStatus.USER_SESSION_DELETED, SmbTestClient.status(r), "answered, not dropped");
            assertTrue(s.pool.allocatedBytes() - before <= BufferPool.HUGE + BufferPool.MEDIUM + BufferPool.SMALL * 4,
                    "one 8 MiB buffer (and the 4 KiB/64 KiB ones it grew from): " + (s.pool.allocatedBytes() - before));
            assertFalse(c.closedByServer(), "connection still open");
        }
    }

    @Test
    void shouldMakeClientsWaitForTheGlobalBudgetOfHugeBuffers() throws Exception {
        BufferPool pool = new BufferPool(256, 64, 16, 1);
        try (TestSmbServer s = TestSmbServer.start(SmbConfig.defaults(), SmbServer.Options.defaults(), pool)) {
            List<SmbTestClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    SmbTestClient c = new SmbTestClient(s.port());
                    clients.add(c);
                    creditsFor(c, 128);
                }
                List<Thread> senders = new ArrayList<>();
                for (SmbTestClient c : clients) {
                    byte[] msg = eightMibWrite(c.nextMessageId);
                    senders.add(Thread.ofVirtual().start(() -> {
                        try {
                            c.sendFrame(msg);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }));
                }
                for (SmbTestClient c : clients) {
                    assertEquals(NtStatus.USER_SESSION_DELETED, SmbTestClient.status(c.receive()));
                }
                for (Thread t : senders) {
                    t.join();
                }
                assertTrue(pool.allocatedBytes() < 2L * BufferPool.HUGE,
                        "three 8 MiB frames through one 8 MiB buffer: " + pool.allocatedBytes() + " bytes allocated");
            } finally {
                for (SmbTestClient c : clients) {
                    c.close();
                }
            }
        }
    }
}
