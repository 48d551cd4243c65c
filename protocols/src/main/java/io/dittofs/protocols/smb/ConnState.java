package io.dittofs.protocols.smb;

import io.dittofs.core.ShareRegistry;
import io.dittofs.protocols.smb.crypto.PreauthHash;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one connection knows (MS-SMB2 3.3.1.7 Connection): the negotiated dialect and what the
 * client said in NEGOTIATE (kept for VALIDATE_NEGOTIATE_INFO), the 3.1.1 pre-auth hash, the
 * signing algorithm, its sessions and opens. Thread-safe: negotiation fields are written once by
 * NEGOTIATE (which the dispatcher runs alone, before anything else) and published by the volatile
 * {@link #dialect}; the tables are concurrent.
 */
public final class ConnState {
    private static final AtomicLong NEXT_SESSION = new AtomicLong(System.nanoTime() & 0xFFFF_FFFFL | 1);

    private final SmbServices services;
    private final InetSocketAddress peer;
    private final InetSocketAddress local;
    private final Map<Long, Session> sessions = new ConcurrentHashMap<>();
    private final Map<Long, Open> opens = new ConcurrentHashMap<>();
    private final AtomicLong nextFileId = new AtomicLong(1);
    private final AsyncOps async = new AsyncOps(AsyncOps.DEFAULT_MAX);
    private volatile int dialect;
    private int clientCapabilities;
    private int clientSecurityMode;
    private byte[] clientGuid = new byte[16];
    private int[] clientDialects = new int[0];
    private int signingAlgorithm = 0;
    private PreauthHash preauth;
    private int cipherId;
    private int serverSecurityMode;
    private int serverCapabilities;
    /** Random per connection: the last 8 bytes of every resume key (FSCTL_SRV_REQUEST_RESUME_KEY) it hands out. */
    private final long resumeSalt;

    public ConnState(SmbServices services, InetSocketAddress peer, InetSocketAddress local) {
        this.services = services;
        this.peer = peer;
        this.local = local;
        this.resumeSalt = services.random().nextLong();
    }

    /** The server's end of the connection. */
    public InetSocketAddress local() {
        return local;
    }

    public SmbServices services() {
        return services;
    }

    public SmbConfig config() {
        return services.config();
    }

    public ShareRegistry shares() {
        return services.shares();
    }

    public SecureRandom random() {
        return services.random();
    }

    public InetSocketAddress peer() {
        return peer;
    }

    /** The negotiated dialect (wire value), 0 before NEGOTIATE, 0x02FF after an SMB1 upgrade. */
    public int dialect() {
        return dialect;
    }

    /** Records the outcome of NEGOTIATE (called once, by NEGOTIATE). */
    public synchronized void negotiated(int d, int clientCaps, int clientSecMode, byte[] guid, int[] dialects,
                                        int serverSecMode, int serverCaps, int signingAlg, PreauthHash hash) {
        clientCapabilities = clientCaps;
        clientSecurityMode = clientSecMode;
        clientGuid = guid.clone();
        clientDialects = dialects.clone();
        serverSecurityMode = serverSecMode;
        serverCapabilities = serverCaps;
        signingAlgorithm = signingAlg;
        preauth = hash;
        dialect = d;
    }

    public synchronized int clientCapabilities() {
        return clientCapabilities;
    }

    public synchronized int clientSecurityMode() {
        return clientSecurityMode;
    }

    public synchronized byte[] clientGuid() {
        return clientGuid.clone();
    }

    public synchronized int[] clientDialects() {
        return clientDialects.clone();
    }

    public synchronized int serverSecurityMode() {
        return serverSecurityMode;
    }

    public synchronized int serverCapabilities() {
        return serverCapabilities;
    }

    /** The 3.1.1 signing algorithm id (0 HMAC-SHA256, 1 AES-CMAC, 2 AES-GMAC). */
    public synchronized int signingAlgorithm() {
        return signingAlgorithm;
    }

    /** The cipher NEGOTIATE agreed on (SmbCipher ids; AES-128-CCM for 3.0/3.0.2), 0 when the connection cannot encrypt. */
    public synchronized int cipherId() {
        return cipherId;
    }

    /** Records the cipher of this connection (by NEGOTIATE, before {@link #negotiated}). */
    public synchronized void cipherId(int id) {
        cipherId = id;
    }

    /** The connection's pre-auth integrity hash after NEGOTIATE (3.1.1), null otherwise. */
    public synchronized PreauthHash preauth() {
        return preauth;
    }

    /** The most sessions (live or logged off) one connection may hold. */
    static final int MAX_SESSIONS = 256;

    /**
     * A new session.
     *
     * @throws SmbStatusException INSUFFICIENT_RESOURCES past {@link #MAX_SESSIONS}
     */
    public Session newSession() {
        if (sessions.size() >= MAX_SESSIONS) {
            throw new SmbStatusException(NtStatus.INSUFFICIENT_RESOURCES, "too many sessions on one connection");
        }
        Session s = new Session(NEXT_SESSION.getAndIncrement());
        sessions.put(s.id(), s);
        return s;
    }

    public Session session(long id) {
        return sessions.get(id);
    }

    public Session removeSession(long id) {
        return sessions.remove(id);
    }

    public Collection<Session> sessions() {
        return sessions.values();
    }

    public long resumeSalt() {
        return resumeSalt;
    }

    public long nextFileId() {
        return nextFileId.getAndIncrement();
    }

    public void addOpen(Open o) {
        opens.put(o.fileId(), o);
    }

    public Open open(long fileId) {
        return opens.get(fileId);
    }

    public Open removeOpen(long fileId) {
        return opens.remove(fileId);
    }

    public Collection<Open> opens() {
        return opens.values();
    }

    /** The requests of this connection that wait for an asynchronous final response. */
    public AsyncOps async() {
        return async;
    }
}
