package io.dittofs.protocols.smb;

import io.dittofs.core.AuthContext;
import io.dittofs.protocols.smb.auth.NtlmServer;
import io.dittofs.protocols.smb.crypto.PreauthHash;
import io.dittofs.protocols.smb.crypto.Signer;
import io.dittofs.protocols.smb.crypto.SmbCipher;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One SMB2 session (MS-SMB2 3.3.1.8): its authentication state while SESSION_SETUP runs, then the
 * user, the identity used on shares, the signing key, the encryption keys and its tree connects. Thread-safe: fields
 * set during authentication are published through the volatile {@link #state}; the setup exchange
 * itself runs one leg at a time (the client waits for each reply).
 */
public final class Session {
    public enum State { IN_PROGRESS, VALID, EXPIRED }

    private final long id;
    private volatile State state = State.IN_PROGRESS;
    private NtlmServer ntlm;
    private PreauthHash preauth;
    private volatile String user;
    private volatile AuthContext identity = AuthContext.ANONYMOUS;
    private volatile boolean guest;
    private volatile Signer signer;
    private volatile boolean signingRequired;
    private volatile SmbCipher cipher;
    private volatile boolean encryptData;
    private final Map<Integer, TreeConnect> trees = new ConcurrentHashMap<>();
    private final AtomicInteger nextTreeId = new AtomicInteger(1);

    public Session(long id) {
        this.id = id;
    }

    public long id() {
        return id;
    }

    public State state() {
        return state;
    }

    public boolean isValid() {
        return state == State.VALID;
    }

    public synchronized NtlmServer ntlm() {
        return ntlm;
    }

    public synchronized void ntlm(NtlmServer n) {
        this.ntlm = n;
    }

    public synchronized PreauthHash preauth() {
        return preauth;
    }

    public synchronized void preauth(PreauthHash p) {
        this.preauth = p;
    }

    /** Marks the session authenticated. */
    public synchronized void established(String userName, AuthContext id, boolean isGuest, Signer s, boolean mustSign) {
        this.user = userName;
        this.identity = id;
        this.guest = isGuest;
        this.signer = s;
        this.signingRequired = mustSign;
        this.ntlm = null;
        this.state = State.VALID;
    }

    /** The session's keys for encrypted messages, once established on a connection that can encrypt. */
    public synchronized void encryption(SmbCipher c, boolean required) {
        this.cipher = c;
        this.encryptData = required && c != null;
    }

    /** The cipher of this session (null: it cannot encrypt: no key, or the connection negotiated none). */
    public SmbCipher cipher() {
        return cipher;
    }

    /** Every request must come encrypted (SMB2_SESSION_FLAG_ENCRYPT_DATA); every response goes so. */
    public boolean encryptData() {
        return encryptData;
    }

    public void expire() {
        state = State.EXPIRED;
        trees.clear();
    }

    public String user() {
        return user;
    }

    public AuthContext identity() {
        return identity;
    }

    public boolean guest() {
        return guest;
    }

    /** The signer (null when the session has no key: guest, anonymous, or still authenticating). */
    public Signer signer() {
        return signer;
    }

    /** Every request on this session must be signed, and every response is. */
    public boolean signingRequired() {
        return signingRequired;
    }

    public TreeConnect tree(int treeId) {
        return trees.get(treeId);
    }

    public TreeConnect addTree(java.util.function.IntFunction<TreeConnect> make) {
        int tid = nextTreeId.getAndIncrement();
        TreeConnect t = make.apply(tid);
        trees.put(tid, t);
        return t;
    }

    public TreeConnect removeTree(int treeId) {
        return trees.remove(treeId);
    }
}
