package io.dittofs.protocols.nfs.v4.state;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sessions of all clients (RFC 8881 section 2.10), bounded per client by
 * {@link StateConfig#maxSessionsPerClient()}.
 *
 * <p>Thread-safety: lookups are lock-free; creation and destruction hold the client record's monitor
 * for the per-client count.
 */
public final class SessionTable {
    private final StateConfig config;
    private final Map<SessionId, Session> sessions = new ConcurrentHashMap<>();
    private final AtomicLong counter = new AtomicLong();

    public SessionTable(StateConfig config) {
        this.config = config;
    }

    /**
     * Creates a session for a client (CREATE_SESSION after the sequence and confirmation checks).
     *
     * @throws StateException DELAY when the client has its maximum of sessions
     */
    public Session create(ClientRecord client, ChannelAttrs askedFore, ChannelAttrs askedBack, int flags,
            int callbackProgram, Object connection) {
        synchronized (client) {
            if (client.gone()) {
                throw new StateException(StateError.STALE_CLIENTID);
            }
            if (client.sessions >= config.maxSessionsPerClient()) {
                throw new StateException(StateError.DELAY);
            }
            client.sessions++;
        }
        SessionId id = new SessionId(client.clientId(), counter.incrementAndGet() << 16 ^ System.nanoTime() & 0xFFFF);
        Session s = new Session(id, client, askedFore.negotiateFore(config), askedBack.negotiateBack(), flags,
                callbackProgram);
        s.bind(connection);
        sessions.put(id, s);
        return s;
    }

    /**
     * The live session with this id.
     *
     * @throws StateException BADSESSION when there is none (destroyed, or its client is gone)
     */
    public Session get(SessionId id) {
        Session s = sessions.get(id);
        if (s == null || s.client().gone()) {
            throw new StateException(StateError.BADSESSION);
        }
        return s;
    }

    /** DESTROY_SESSION. @throws StateException BADSESSION when unknown */
    public void destroy(SessionId id) {
        Session s = sessions.remove(id);
        if (s == null) {
            throw new StateException(StateError.BADSESSION);
        }
        synchronized (s.client()) {
            s.client().sessions--;
        }
    }

    /** Drops every session of a client (its record is gone). */
    public void dropClient(ClientRecord client) {
        for (Session s : List.copyOf(sessions.values())) {
            if (s.client() == client) {
                sessions.remove(s.id());
            }
        }
        synchronized (client) {
            client.sessions = 0;
        }
    }

    /** The live sessions of a client (a recall goes over any of them with a working back channel). */
    public List<Session> of(ClientRecord client) {
        List<Session> out = new java.util.ArrayList<>(2);
        for (Session s : sessions.values()) {
            if (s.client() == client) {
                out.add(s);
            }
        }
        return out;
    }

    /** Sessions the client still has (DESTROY_CLIENTID answers CLIENTID_BUSY while there are any). */
    public int count(ClientRecord client) {
        synchronized (client) {
            return client.sessions;
        }
    }
}
