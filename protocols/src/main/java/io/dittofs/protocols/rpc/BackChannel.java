package io.dittofs.protocols.rpc;

import java.io.IOException;
import java.time.Duration;

/**
 * Calls from the server to the client over the client's own connection (RFC 5531 allows either end
 * of a TCP connection to send CALLs; NFSv4.1 uses it for the back channel, RFC 8881 section 2.10.3.1).
 * The connection's reader tells the client's REPLY messages (msg_type 1) from its CALLs and hands
 * each reply to the caller waiting for its xid.
 *
 * <p>The connection a call arrived on is {@link #CURRENT} while the call runs, so a program can keep
 * it (CREATE_SESSION, BIND_CONN_TO_SESSION); unbound when the transport cannot call back.
 *
 * <p>Implementations are thread-safe.
 */
public interface BackChannel {
    /** The connection the running call came in on, when it can carry calls back to the client. */
    ScopedValue<BackChannel> CURRENT = ScopedValue.newInstance();

    /**
     * Sends one CALL (AUTH_SYS as root) and waits for its REPLY, at most {@code timeout}.
     *
     * @param args the procedure's arguments, XDR-encoded
     * @return the procedure's results (what follows an accepted reply's SUCCESS)
     * @throws IOException when the connection is closed or breaks, too many calls are in flight, no
     *                     reply came in time, or the reply is not an accepted SUCCESS
     */
    byte[] call(int program, int version, int proc, byte[] args, Duration timeout) throws IOException;

    /** False once the connection is closed; calls then fail at once. */
    boolean isOpen();
}
