package io.dittofs.protocols.smb.auth;

import io.dittofs.core.AuthContext;
import io.dittofs.protocols.smb.SmbUsers;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * What the raw-socket SMB logon tests share: the one account ("alice", password "secret", uid/gid 1000),
 * SMB2 messages built by hand, a SESSION_SETUP body around a security token, and one frame out, one in.
 */
final class RawSmb {
    private RawSmb() {
    }

    /** alice/secret, known to NTLM by her NT hash, uid and gid 1000 on shares. */
    static SmbUsers alice() {
        byte[] hash = NtlmCrypto.ntHash("secret");
        return new SmbUsers() {
            @Override
            public NtAccounts accounts() {
                return (u, d) -> "alice".equalsIgnoreCase(u) ? Optional.of(new NtAccount("alice", hash, true))
                        : Optional.empty();
            }

            @Override
            public AuthContext identity(String user) {
                return new AuthContext(1000, 1000, new int[0], "smb:" + user);
            }
        };
    }

    /** An SMB2 message: the 64-byte header (CreditCharge 1, 8 credits asked) then {@code body}. */
    static byte[] message(long messageId, int command, long session, byte[] body) {
        ByteBuffer m = ByteBuffer.allocate(64 + body.length).order(ByteOrder.LITTLE_ENDIAN);
        m.putInt(0x424D53FE).putShort((short) 64).putShort((short) 1).putInt(0).putShort((short) command)
                .putShort((short) 8).putInt(0).putInt(0).putLong(messageId).putInt(0xFEFF).putInt(0).putLong(session)
                .put(new byte[16]).put(body);
        return m.array();
    }

    /** A SESSION_SETUP request body carrying {@code token}. */
    static byte[] sessionSetup(byte[] token) {
        ByteBuffer b = ByteBuffer.allocate(24 + token.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 25).put((byte) 0).put((byte) 1).putInt(0).putInt(0).putShort((short) 88)
                .putShort((short) token.length).putLong(0).put(token);
        return b.array();
    }

    /** Sends {@code msg} in one direct-TCP frame and returns the next frame received. */
    static byte[] exchange(OutputStream out, DataInputStream in, byte[] msg) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(4 + msg.length).putInt(msg.length).put(msg);
        out.write(frame.array());
        out.flush();
        byte[] reply = new byte[in.readInt()];
        in.readFully(reply);
        return reply;
    }
}
