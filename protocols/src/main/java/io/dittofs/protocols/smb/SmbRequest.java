package io.dittofs.protocols.smb;

import io.dittofs.protocols.smb.codec.SmbDecoder;
import io.dittofs.protocols.smb.header.Smb2Header;

import java.lang.foreign.MemorySegment;

/**
 * One request element of a (possibly compound) message, with what the dispatcher resolved for
 * it. {@link #in()} reads the element from its header (MS-SMB2 buffer offsets count from the
 * header), so the body starts at {@link Smb2Header#SIZE}. Not thread-safe: one request is
 * handled by one thread.
 */
public final class SmbRequest {
    /** FileId fields of {@code 0xFFFFFFFFFFFFFFFF} in a related compound name the last created open. */
    public static final long RELATED = -1L;

    private final Smb2Header header;
    private final SmbDecoder in;
    private final ConnState conn;
    private final Compound compound;
    private Session session;
    private TreeConnect tree;
    private Runnable afterSend;
    private Session signWith;
    private java.util.function.Consumer<MemorySegment> responseHook;
    private boolean mayGoAsync;
    private AsyncOp async;

    public SmbRequest(Smb2Header header, MemorySegment element, ConnState conn, Compound compound) {
        this.header = header;
        this.in = new SmbDecoder(element);
        this.conn = conn;
        this.compound = compound;
    }

    /**
     * The state carried from one element of a compound to the next (MS-SMB2 3.3.5.2.7.2): the last
     * session, tree and FileId, and whether the previous element failed.
     */
    public static final class Compound {
        long sessionId = -1;
        int treeId = -1;
        long fileId = -1;
        int lastStatus = NtStatus.SUCCESS;
        int createStatus = NtStatus.SUCCESS;
        boolean encrypted;

        /** Whether the message came encrypted (its responses go encrypted and unsigned). */
        public boolean encrypted() {
            return encrypted;
        }

        public void encrypted(boolean e) {
            encrypted = e;
        }

        public void fileId(long id) {
            fileId = id;
        }

        public long sessionId() {
            return sessionId;
        }

        public int treeId() {
            return treeId;
        }

        public int lastStatus() {
            return lastStatus;
        }

        public void session(long id) {
            sessionId = id;
        }

        public void tree(int id) {
            treeId = id;
        }

        public void status(int s) {
            lastStatus = s;
        }

        /** The status of the last CREATE in the current chain of related requests. */
        public int createStatus() {
            return createStatus;
        }

        public void createStatus(int s) {
            createStatus = s;
        }
    }

    public Smb2Header header() {
        return header;
    }

    public SmbDecoder in() {
        return in;
    }

    public MemorySegment element() {
        return in.segment();
    }

    public ConnState conn() {
        return conn;
    }

    public Compound compound() {
        return compound;
    }

    public Session session() {
        return session;
    }

    public void session(Session s) {
        session = s;
    }

    public TreeConnect tree() {
        return tree;
    }

    public void tree(TreeConnect t) {
        tree = t;
    }

    /** Checks the body's StructureSize (the first two bytes after the header). */
    public void structureSize(int expected) {
        if (in.u16(Smb2Header.SIZE) != expected) {
            throw new io.dittofs.protocols.smb.codec.SmbFormatException(
                    "StructureSize " + in.u16(Smb2Header.SIZE) + ", expected " + expected);
        }
    }

    /**
     * The open named by a FileId (MS-SMB2 2.2.14.1) at {@code off} in the body: its volatile part
     * picks the open, which must belong to this session and tree; in a related compound the
     * all-ones FileId names the open the previous element created or used.
     */
    public Open open(int off) {
        long persistent = in.i64(off);
        long vol = in.i64(off + 8);
        if (persistent == RELATED && vol == RELATED) {
            if (!header.isRelated() || compound.fileId == -1) {
                throw new SmbStatusException(NtStatus.FILE_CLOSED, "no related FileId");
            }
            vol = compound.fileId;
        }
        Open o = conn.open(vol);
        if (o == null || o.closed() || o.tree().session() != session || (tree != null && o.tree() != tree)) {
            throw new SmbStatusException(NtStatus.FILE_CLOSED, "unknown FileId " + vol);
        }
        compound.fileId = vol;
        return o;
    }

    /** Sign the response with this session's key even if the request was not signed (final SESSION_SETUP). */
    public void signResponseWith(Session s) {
        signWith = s;
    }

    public Session signResponseWith() {
        return signWith;
    }

    /** Called with the response element once it is complete and before it is signed (pre-auth hash). */
    public void onResponse(java.util.function.Consumer<MemorySegment> hook) {
        responseHook = hook;
    }

    public java.util.function.Consumer<MemorySegment> responseHook() {
        return responseHook;
    }

    /** Runs once the whole reply has been sent (e.g. dropping the connection after a failed validation). */
    public void afterSend(Runnable r) {
        afterSend = r;
    }

    public Runnable afterSend() {
        return afterSend;
    }

    /** Whether this request may wait: only the last element of a message does (MS-SMB2 3.3.5.2.7, as Samba). */
    public boolean mayGoAsync() {
        return mayGoAsync;
    }

    public void mayGoAsync(boolean v) {
        mayGoAsync = v;
    }

    /**
     * Makes this request wait: the handler then returns {@link NtStatus#PENDING}, the dispatcher
     * sends the interim response, and the handler (or a cancel through {@code c}) later calls
     * {@link AsyncOp#complete}.
     *
     * @param open         the handle the wait depends on (closing it cancels the op), or null
     * @param bodyCapacity the most body bytes the final response may carry
     * @throws SmbStatusException INSUFFICIENT_RESOURCES when the connection's cap of waiting requests is reached
     */
    public AsyncOp goAsync(Open open, int bodyCapacity, AsyncOp.Canceller c) {
        boolean signed = !compound.encrypted() && session != null && session.signer() != null
                && (session.signingRequired() || header.isSigned());
        async = conn.async().start(this, open, signed, bodyCapacity, c);
        return async;
    }

    /** The op this request became by {@link #goAsync}, or null. */
    public AsyncOp async() {
        return async;
    }
}
