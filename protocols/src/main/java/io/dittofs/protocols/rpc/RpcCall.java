package io.dittofs.protocols.rpc;

import io.dittofs.core.AuthContext;

import java.net.InetSocketAddress;

/**
 * A decoded RPC call header (RFC 5531 section 9 {@code call_body}).
 *
 * @param xid     transaction id
 * @param program program number
 * @param version program version
 * @param proc    procedure number
 * @param flavor  credential flavor (AUTH_NONE or AUTH_SYS)
 * @param auth    the caller's identity (anonymous for AUTH_NONE)
 * @param client  the peer address
 * @param local   the server's address the call came to (null when the transport does not tell)
 */
public record RpcCall(int xid, int program, int version, int proc, int flavor, AuthContext auth,
                      InetSocketAddress client, InetSocketAddress local) {
    /** A call whose local address is unknown. */
    public RpcCall(int xid, int program, int version, int proc, int flavor, AuthContext auth, InetSocketAddress client) {
        this(xid, program, version, proc, flavor, auth, client, null);
    }
}
