package io.dittofs.protocols.smb;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed SMB2 input against a live server: every case ends in an error status or a closed
 * connection, and the server keeps serving a well-behaved client afterwards.
 */
@Timeout(60)
class SmbServerBadInputTest {
    private TestSmbServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestSmbServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void assertStillServing() throws Exception {
        try (SmbTestClient c = new SmbTestClient(server.port())) {
            ByteBuffer r = c.negotiate(0x0202, 0x0210, 0x0300);
            assertEquals(NtStatus.SUCCESS, SmbTestClient.status(r));
            c.sendFrame(SmbTestClient.message(0x0D, c.nextMessageId++, 1, 1, new byte[] {4, 0, 0, 0}));
            assertEquals(NtStatus.SUCCESS, SmbTestClient.status(c.receive()), "ECHO after the bad client");
        }
    }

    @Test
    void shouldCloseConnectionWhenFrameHeaderIsNotDirectTcp() throws Exception {
        try (SmbTestClient c = new SmbTestClient(server.port())) {
            c.sendRaw(new byte[] {(byte) 0x81, 0, 0, 4, 1, 2, 3, 4});
            assertTrue(c.closedByServer());
        }
        assertStillServing();
    }

    @Test
    void shouldCloseConnectionBeforeAllocatingWhenFrameIsOverTheCap() throws Exception {
        long before = server.pool.allocatedBytes();
        try (SmbTestClient c = new SmbTestClient(server.port())) {
            c.sendRaw(new byte[] {0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
            assertTrue(c.closedByServer());
        }
        assertTrue(server.pool.allocatedBytes() - before < 1024 * 1024, "no large buffer for an oversized frame");
        assertStillServing();
    }

    /** A transform header (MS-SMB2 2.2.41) for {@code sessionId} over {@code body}, with a made-up tag. */
    private static byte[] transform(long sessionId, int originalSize, int flags, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(52 + body.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x424D53FD).put(new byte[16]).put(new byte[16]).putInt(originalSize).putShort((short) 0)
                .putShort((short) flags).putLong(sessionId).put(body);
        return b.array();
    }

    @Test
    void shouldCloseConnectionOnMalformedOrUndecryptableTransformMessages() throws Exception {
        byte[] inner = SmbTestClient.message(0x0D, 1, 1, 1, new byte[] {4, 0, 0, 0});
        byte[][] bad = {
            java.util.Arrays.copyOf(transform(1, inner.length, 1, inner), 30), // shorter than the header
            transform(1, inner.length + 1, 1, inner), // OriginalMessageSize beyond the frame
            transform(1, inner.length, 2, inner), // flags other than encrypted
            transform(1, inner.length, 1, inner), // before NEGOTIATE, for a session that does not exist
        };
        for (byte[] frame : bad) {
            try (SmbTestClient c = new SmbTestClient(server.port())) {
                c.sendFrame(frame);
                assertTrue(c.closedByServer(), "closed on a bad transform of " + frame.length + " bytes");
            }
        }
        try (SmbTestClient c = new SmbTestClient(server.port())) {
            assertEquals(NtStatus.SUCCESS, SmbTestClient.status(c.negotiate(0x0202, 0x0210, 0x0300)));
            c.sendFrame(transform(0x1234, inner.length, 1, inner));
            assertTrue(c.closedByServer(), "closed on an encrypted message for a session the connection does not have");
        }
        assertStillServing();
    }

    @Test
    void shouldCloseConnectionWhenHeaderIsTruncated() throws Exception {
        try (SmbTestClient c = new SmbTestClient(server.port())) {
            byte[] msg = SmbTestClient.message(0, 0, 0, 1, SmbTestClient.negotiateBody(0x0202));
            c.sendFrame(java.util.Arrays.copyOf(msg, 40));
            assertTrue(c.closedByServer());
        }
        assertStillServing();
    }

    @Test
    void shouldCloseConnectionWhenHeaderStructureSizeIsWrong() throws Exception {
        try (SmbTestClient c = new SmbTestClient(server.port())) {
            byte[] msg = SmbTestClient.message(0, 0, 0, 1, SmbTestClient.negotiateBody(0x0202));
            msg[4] = 65;
            c.sendFrame(msg);
            assertTrue(c.closedByServer());
        }
        assertStillServing();
    }

    @Test
    void shouldAnswerInvalidParameterWhenBodyStructureSizeIsWrong() throws Exception {
        try (SmbTestClient c = new SmbTestClient(server.port())) {
            assertEquals(NtStatus.SUCCESS, SmbTestClient.status(c.negotiate(0x0202)));
            c.sendFrame(SmbTestClient.message(0x0D, c.nextMessageId++, 1, 1, new byte[] {5, 0, 0, 0}));
            assertEquals(NtStatus.INVALID_PARAMETER, SmbTestClient.status(c.receive()));
            c.sendFrame(SmbTestClient.message(0x0D, c.nextMessageId++, 1, 1, new byte[] {4}));
            assertEquals(NtStatus.INVALID_PARAMETER, SmbTestClient.status(c.receive()), "truncated body");
        }
    }

    @Test
    void shouldCloseConnectionWhenRequestComesBeforeNegotiate() throws Exception {
        try (SmbTestClient c = new SmbTestClient(server.port())) {
            c.sendFrame(SmbTestClient.message(0x0D, 0, 1, 1, new byte[] {4, 0, 0, 0}));
            assertTrue(c.closedByServer());
        }
        assertStillServing();
    }

    @Test
    void shouldCloseConnectionWhenMessageIdIsOutsideTheCreditWindow() throws Exception {
        try (SmbTestClient c = new SmbTestClient(server.port())) {
            ByteBuffer r = c.negotiate(0x0202);
            int granted = SmbTestClient.credits(r);
            c.sendFrame(SmbTestClient.message(0x0D, 1 + granted + 5, 1, 1, new byte[] {4, 0, 0, 0}));
            assertTrue(c.closedByServer());
        }
        assertStillServing();
    }

    @Test
    void shouldCloseConnectionWhenMessageIdIsReused() throws Exception {
        try (SmbTestClient c = new SmbTestClient(server.port())) {
            c.negotiate(0x0202);
            c.sendFrame(SmbTestClient.message(0x0D, 1, 1, 1, new byte[] {4, 0, 0, 0}));
            assertEquals(NtStatus.SUCCESS, SmbTestClient.status(c.receive()));
            c.sendFrame(SmbTestClient.message(0x0D, 1, 1, 1, new byte[] {4, 0, 0, 0}));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void shouldCloseConnectionWhenCreditChargeExceedsTheWindow() throws Exception {
        try (SmbTestClient c = new SmbTestClient(server.port())) {
            ByteBuffer r = c.negotiate(0x0210);
            int granted = SmbTestClient.credits(r);
            c.sendFrame(SmbTestClient.message(0x0D, 1, granted + 1, 1, new byte[] {4, 0, 0, 0}));
            assertTrue(c.closedByServer(), "a charge of more credits than granted");
        }
        assertStillServing();
    }

    @Test
    void shouldNeverGrantMoreThanTheCreditCap() throws Exception {
        try (SmbTestClient c = new SmbTestClient(server.port())) {
            ByteBuffer r = c.negotiate(0x0202);
            int held = SmbTestClient.credits(r);
            for (int i = 0; i < 20; i++) {
                c.sendFrame(SmbTestClient.message(0x0D, c.nextMessageId++, 1, 0xFFFF, new byte[] {4, 0, 0, 0}));
                held += SmbTestClient.credits(c.receive()) - 1;
            }
            assertTrue(held <= 512, "credits held " + held);
        }
    }

    private static byte[] compound(int n, int nextCommand) {
        return compound(n, nextCommand, 1);
    }

    private static byte[] compound(int n, int nextCommand, long firstId) {
        ByteBuffer b = ByteBuffer.allocate(n * 72).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.put(SmbTestClient.header(0x0D, firstId + i, 1, 1, 0, 0, 0, i == n - 1 ? 0 : nextCommand));
            b.putShort((short) 4).putShort((short) 0).putInt(0);
        }
        return b.array();
    }

    @Test
    void shouldCloseConnectionWhenCompoundHasTenThousandElements() throws Exception {
        try (SmbTestClient c = new SmbTestClient(server.port())) {
            c.negotiate(0x0202);
            c.sendFrame(compound(10_000, 72));
            assertTrue(c.closedByServer());
        }
        assertStillServing();
    }

    @Test
    void shouldCloseConnectionWhenCompoundExceedsTheElementCapWithinItsCredits() throws Exception {
        try (SmbTestClient c = new SmbTestClient(server.port())) {
            int held = SmbTestClient.credits(c.negotiate(0x0202));
            while (held < 200) {
                c.sendFrame(SmbTestClient.message(0x0D, c.nextMessageId++, 1, 64, new byte[] {4, 0, 0, 0}));
                held += SmbTestClient.credits(c.receive()) - 1;
            }
            c.sendFrame(compound(100, 72, c.nextMessageId));
            assertTrue(c.closedByServer(), "100 elements over the cap of 64, all paid for");
        }
        assertStillServing();
    }

    @Test
    void shouldCloseConnectionWhenNextCommandPointsBackOrOutside() throws Exception {
        for (int next : new int[] {8, 60, 68, 1 << 20}) {
            try (SmbTestClient c = new SmbTestClient(server.port())) {
                c.negotiate(0x0202);
                c.sendFrame(compound(2, next));
                assertTrue(c.closedByServer(), "NextCommand " + next);
            }
        }
        assertStillServing();
    }

    @Test
    void shouldAnswerEveryElementOfASmallCompound() throws Exception {
        try (SmbTestClient c = new SmbTestClient(server.port())) {
            ByteBuffer neg = c.negotiate(0x0202);
            assertTrue(SmbTestClient.credits(neg) >= 3);
            c.sendFrame(compound(3, 72));
            ByteBuffer r = c.receive();
            int off = 0;
            for (int i = 0; i < 3; i++) {
                assertEquals(NtStatus.SUCCESS, r.getInt(off + 8));
                assertEquals(1 + i, r.getLong(off + 24));
                int next = r.getInt(off + 20);
                assertEquals(i == 2, next == 0);
                assertEquals(0, next % 8);
                off += next;
            }
        }
    }

    @Test
    void shouldCloseConnectionOnSecondNegotiate() throws Exception {
        try (SmbTestClient c = new SmbTestClient(server.port())) {
            c.negotiate(0x0202);
            c.sendFrame(SmbTestClient.message(0, c.nextMessageId++, 0, 1, SmbTestClient.negotiateBody(0x0202)));
            assertTrue(c.closedByServer());
        }
        assertStillServing();
    }

    @Test
    void shouldRefuseSessionSetupWithGarbageToken() throws Exception {
        try (SmbTestClient c = new SmbTestClient(server.port())) {
            c.negotiate(0x0202);
            byte[] junk = new byte[40];
            java.util.Arrays.fill(junk, (byte) 0x5A);
            ByteBuffer b = ByteBuffer.allocate(24 + junk.length).order(ByteOrder.LITTLE_ENDIAN);
            b.putShort((short) 25).put((byte) 0).put((byte) 1).putInt(0).putInt(0).putShort((short) 88)
                    .putShort((short) junk.length).putLong(0).put(junk);
            c.sendFrame(SmbTestClient.message(1, c.nextMessageId++, 1, 1, b.array()));
            int st = SmbTestClient.status(c.receive());
            assertTrue(NtStatus.isError(st) && st != NtStatus.MORE_PROCESSING_REQUIRED, NtStatus.hex(st));
        }
        assertStillServing();
    }

    @Test
    void shouldAnswerUserSessionDeletedWithoutASession() throws Exception {
        try (SmbTestClient c = new SmbTestClient(server.port())) {
            c.negotiate(0x0202);
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 9).putShort((short) 0)
                    .putShort((short) 72).putShort((short) 0);
            c.sendFrame(SmbTestClient.message(3, c.nextMessageId++, 1, 1, b.array()));
            assertEquals(NtStatus.USER_SESSION_DELETED, SmbTestClient.status(c.receive()));
        }
    }
}
