package io.dittofs.protocols.nfs.v4.state;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One NFSv4.1 session (RFC 8881 section 2.10): its client, negotiated channels, fore-channel slot
 * table and the connections bound to it.
 *
 * <p>Thread-safe: immutable apart from the concurrent connection set and the slot table.
 */
public final class Session {
    private final SessionId id;
    private final ClientRecord client;
    private final ChannelAttrs fore;
    private final ChannelAttrs back;
    private final int flags;
    private final int callbackProgram;
    private final SlotTable slots;
    private final Set<Object> connections = ConcurrentHashMap.newKeySet();
    private final CallbackPath callback;

    Session(SessionId id, ClientRecord client, ChannelAttrs fore, ChannelAttrs back, int flags, int callbackProgram) {
        this.id = id;
        this.client = client;
        this.fore = fore;
        this.back = back;
        this.flags = flags;
        this.callbackProgram = callbackProgram;
        this.slots = new SlotTable(fore.maxRequests(), fore.maxResponseSizeCached());
        this.callback = new CallbackPath(id, callbackProgram);
    }

    /** The back channel: callbacks (CB_RECALL) to the client. */
    public CallbackPath callback() {
        return callback;
    }

    public SessionId id() {
        return id;
    }

    public ClientRecord client() {
        return client;
    }

    public ChannelAttrs fore() {
        return fore;
    }

    public ChannelAttrs back() {
        return back;
    }

    /** csr_flags as granted (no persistent reply cache; CREATE_SESSION4_FLAG_CONN_BACK_CHAN when asked and possible). */
    public int flags() {
        return flags;
    }

    public int callbackProgram() {
        return callbackProgram;
    }

    public SlotTable slots() {
        return slots;
    }

    /** Binds a connection (any identity object of the transport) to the session (BIND_CONN_TO_SESSION). */
    public void bind(Object connection) {
        if (connection != null) {
            connections.add(connection);
        }
    }

    public boolean isBound(Object connection) {
        return connections.contains(connection);
    }
}
