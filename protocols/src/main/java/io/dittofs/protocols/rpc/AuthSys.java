package io.dittofs.protocols.rpc;

import io.dittofs.core.AuthContext;
import io.dittofs.protocols.xdr.XdrDecoder;

import java.lang.foreign.MemorySegment;

/**
 * Decodes an AUTH_SYS credential body (RFC 5531 appendix A {@code authsys_parms}):
 * <pre>
 * struct authsys_parms {
 *     unsigned int stamp;
 *     string machinename&lt;255&gt;;
 *     unsigned int uid;
 *     unsigned int gid;
 *     unsigned int gids&lt;16&gt;;
 * };
 * </pre>
 */
public final class AuthSys {
    private AuthSys() {
    }

    /** @throws io.dittofs.protocols.xdr.BadXdrException if the body is malformed or has trailing bytes */
    public static AuthContext decode(MemorySegment body) {
        XdrDecoder d = new XdrDecoder(body);
        d.readInt(); // stamp
        String machine = d.readString(Rpc.MAX_MACHINE_NAME);
        int uid = d.readInt();
        int gid = d.readInt();
        int n = d.readLength(Rpc.MAX_AUTH_SYS_GIDS);
        int[] gids = new int[n];
        for (int i = 0; i < n; i++) {
            gids[i] = d.readInt();
        }
        if (d.remaining() != 0) {
            throw new io.dittofs.protocols.xdr.BadXdrException("trailing bytes in AUTH_SYS credential");
        }
        return new AuthContext(uid, gid, gids, machine);
    }
}
