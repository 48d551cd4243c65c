package io.dittofs.protocols.smb.auth;

import io.dittofs.core.FileSystem;
import io.dittofs.core.Share;
import io.dittofs.core.ShareRegistry;
import io.dittofs.core.buffer.BufferPool;
import io.dittofs.core.lock.LockManager;
import io.dittofs.protocols.smb.LogonLimiter;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.SmbConfig;
import io.dittofs.protocols.smb.SmbServices;
import io.dittofs.protocols.smb.SmbUsers;
import io.dittofs.protocols.smb.server.SmbServer;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Failed SMB logons over a real server and raw sockets with a real NTLMv2 client: counted by
 * reason, refused per client address once the limit is reached (even with the right password),
 * and refused per account from another address too.
 */
@Timeout(60)
class SmbLogonLimitTest {
    private BufferPool pool;
    private SmbServer server;
    private LogonLimiter limiter;

    @BeforeEach
    void start() throws IOException {
        FileSystem fs = new FileSystem(new MemoryMetadataStore(), new MemoryBlockStore(), false);
        ShareRegistry shares = new ShareRegistry();
        shares.add(new Share(1, "/export", fs, false, 65534, 65534));
        SmbUsers users = RawSmb.alice();
        limiter = new LogonLimiter(3, 60_000);
        pool = new BufferPool(64, 16, 4, 1);
        server = SmbServer.start("logon-test", new InetSocketAddress("127.0.0.1", 0),
                new SmbServices(SmbConfig.defaults().withSigningRequired(false), shares, users, limiter,
                        new SecureRandom(), new LockManager()), pool, SmbServer.Options.defaults());
    }

    @AfterEach
    void stop() {
        server.close();
        pool.close();
    }

    @Test
    void shouldCountFailuresByReasonAndRefuseTheAddressOnceOverTheLimit() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertEquals(NtStatus.LOGON_FAILURE, logon("127.0.0.1", "alice", "wrong"), "attempt " + i);
        }
        assertEquals(3, limiter.failures().get("bad_password"));
        assertEquals(NtStatus.LOGON_FAILURE, logon("127.0.0.1", "alice", "secret"), "the address is over its limit");
        assertEquals(1, limiter.failures().get("rate_limited"));
        assertEquals(NtStatus.LOGON_FAILURE, logon("127.0.0.2", "nobody", "x"));
        assertEquals(1, limiter.failures().get("unknown_user"));
    }

    @Test
    void shouldRefuseTheAccountFromAnotherAddressOnceOverTheLimit() throws Exception {
        assertEquals(NtStatus.SUCCESS, logon("127.0.0.3", "alice", "secret"), "fine before any failure");
        for (int i = 0; i < 3; i++) {
            assertEquals(NtStatus.LOGON_FAILURE, logon("127.0.0." + (10 + i), "ALICE", "wrong"));
        }
        assertEquals(NtStatus.LOGON_FAILURE, logon("127.0.0.20", "alice", "secret"),
                "the right password for an account over its limit");
        assertEquals(1, limiter.failures().get("rate_limited"));
    }

    /** NEGOTIATE 3.0.2 then a two-leg SPNEGO/NTLMv2 SESSION_SETUP from {@code from}; the final status. */
    private int logon(String from, String user, String password) throws Exception {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            s.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            ByteBuffer neg = ByteBuffer.allocate(38).order(ByteOrder.LITTLE_ENDIAN);
            neg.putShort((short) 36).putShort((short) 1).putShort((short) 0).putShort((short) 0).putInt(0)
                    .put(new byte[16]).putLong(0).putShort((short) 0x0302);
            assertEquals(NtStatus.SUCCESS, send(out, in, 0, 0, 0, neg.array()).getInt(8));
            NtlmTestClient client = new NtlmTestClient();
            client.user = user;
            client.password = password;
            ByteBuffer r = send(out, in, 1, 1, 0, RawSmb.sessionSetup(client.first()));
            if (r.getInt(8) != NtStatus.MORE_PROCESSING_REQUIRED) {
                return r.getInt(8);
            }
            byte[] token = Arrays.copyOfRange(r.array(), r.getShort(64 + 4), r.getShort(64 + 4) + r.getShort(64 + 6));
            return send(out, in, 2, 1, r.getLong(40), RawSmb.sessionSetup(client.second(token))).getInt(8);
        }
    }

    private static ByteBuffer send(OutputStream out, DataInputStream in, long messageId, int command, long session,
                                   byte[] body) throws IOException {
        return ByteBuffer.wrap(RawSmb.exchange(out, in, RawSmb.message(messageId, command, session, body)))
                .order(ByteOrder.LITTLE_ENDIAN);
    }
}
