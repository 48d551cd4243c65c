package io.dittofs.protocols.smb.server;

import io.dittofs.core.FsException;
import io.dittofs.protocols.smb.AsyncOp;
import io.dittofs.protocols.smb.ConnState;
import io.dittofs.protocols.smb.SmbDropException;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.Session;
import io.dittofs.protocols.smb.SmbCommand;
import io.dittofs.protocols.smb.SmbErrors;
import io.dittofs.protocols.smb.SmbRequest;
import io.dittofs.protocols.smb.SmbStatusException;
import io.dittofs.protocols.smb.TreeConnect;
import io.dittofs.protocols.smb.codec.SmbDecoder;
import io.dittofs.protocols.smb.codec.SmbEncoder;
import io.dittofs.protocols.smb.codec.SmbFormatException;
import io.dittofs.protocols.smb.header.Smb2Command;
import io.dittofs.protocols.smb.header.Smb2Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.nio.BufferOverflowException;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the elements of one SMB2 message (a single request or a compound, MS-SMB2 3.3.5.2.7) and
 * builds the reply: checks the session, tree and signature of each element (3.3.5.2.4, 3.3.5.2.9),
 * calls its {@link SmbCommand}, maps every failure to an NTSTATUS in this one place, writes the
 * response headers with the credits granted, chains the responses (8-byte aligned NextCommand)
 * and finally signs them. Thread-safe (stateless apart from the handler table).
 */
final class SmbDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(SmbDispatcher.class);
    /** Room kept per following element: a header and an ERROR body, aligned. */
    private static final int RESERVE_PER_ELEMENT = Smb2Header.SIZE + 16;

    /** One element of a received message: where it lies and its decoded header. */
    record Element(long offset, long length, Smb2Header header) {
    }

    /** What the reply holds: its length and actions to run once it was sent. */
    record Result(int length, List<Runnable> afterSend) {
    }

    private final SmbCommand[] handlers;

    SmbDispatcher(SmbCommand[] handlers) {
        this.handlers = handlers.clone();
    }

    /**
     * Splits an SMB2 message into its elements: each NextCommand must be 8-byte aligned, lie
     * inside the message and move strictly forward (so a chain cannot loop), and there may be at
     * most {@code maxElements}.
     *
     * @throws SmbDropException when the chain is unusable
     */
    static List<Element> split(MemorySegment msg, int maxElements) {
        List<Element> out = new ArrayList<>();
        long off = 0;
        while (true) {
            if (out.size() >= maxElements) {
                throw new SmbDropException("compound of more than " + maxElements + " elements");
            }
            long left = msg.byteSize() - off;
            Smb2Header h;
            try {
                h = Smb2Header.decode(new SmbDecoder(msg.asSlice(off, left)));
            } catch (SmbFormatException e) {
                throw new SmbDropException(e.getMessage());
            }
            long next = h.nextCommand() & 0xFFFF_FFFFL;
            if (next == 0) {
                out.add(new Element(off, left, h));
                return out;
            }
            if (next < Smb2Header.SIZE || next % 8 != 0 || next >= left) {
                throw new SmbDropException("bad NextCommand " + next + " at " + off);
            }
            out.add(new Element(off, next, h));
            off += next;
        }
    }

    /**
     * Processes the elements of {@code msg} and writes the reply into {@code out} (from position
     * 0); CANCEL elements get no response, so the reply may be empty (length 0).
     */
    Result process(ConnState conn, CreditWindow credits, MemorySegment msg, List<Element> elems, SmbEncoder out) {
        return process(conn, credits, msg, elems, out, false);
    }

    /**
     * The same for a message that came {@code encrypted} (decrypted already): its signatures are not
     * checked and its responses not signed, as the caller encrypts them.
     */
    Result process(ConnState conn, CreditWindow credits, MemorySegment msg, List<Element> elems, SmbEncoder out,
                   boolean encrypted) {
        SmbRequest.Compound cc = new SmbRequest.Compound();
        cc.encrypted(encrypted);
        List<int[]> starts = new ArrayList<>();
        List<SmbRequest> reqs = new ArrayList<>();
        List<Runnable> after = new ArrayList<>();
        int prevStart = -1;
        int capacity = out.buffer().capacity();
        for (int i = 0; i < elems.size(); i++) {
            Element e = elems.get(i);
            Smb2Header h = e.header();
            if (h.command() == Smb2Command.CANCEL) {
                cancel(conn, h); // CANCEL has no response (MS-SMB2 3.3.5.16)
                continue;
            }
            out.buffer().limit(capacity);
            out.align(8);
            int start = out.position();
            if (prevStart >= 0) {
                out.putU32(prevStart + 20, start - prevStart);
            }
            SmbRequest r = new SmbRequest(h, msg.asSlice(e.offset(), e.length()), conn, cc);
            r.mayGoAsync(i == elems.size() - 1);
            out.position(start + Smb2Header.SIZE);
            int reserve = (elems.size() - i - 1) * RESERVE_PER_ELEMENT;
            out.buffer().limit(Math.min(capacity, Math.max(start + Smb2Header.SIZE + 16, capacity - reserve)));
            int status = run(r, i == 0, out, msg, e);
            out.buffer().limit(capacity);
            AsyncOp op = waiting(r, status);
            if (op != null) {
                out.position(start + Smb2Header.SIZE); // the interim response has the ERROR body
            } else if (status == NtStatus.PENDING) {
                status = NtStatus.INTERNAL_ERROR; // a handler must not answer PENDING without waiting
            }
            boolean wroteBody = out.position() > start + Smb2Header.SIZE;
            if (!wroteBody || NtStatus.isError(status) && !(status == NtStatus.MORE_PROCESSING_REQUIRED
                    && h.command() == Smb2Command.SESSION_SETUP) && h.command() != Smb2Command.IOCTL) {
                // (an IOCTL writes its body only when it is the answer: a failed copy-chunk's SRV_COPYCHUNK_RESPONSE)
                // every status without a body of its own (also warnings like NO_MORE_FILES) gets the ERROR body
                out.position(start + Smb2Header.SIZE);
                out.u16(9).u8(0).u8(0).u32(0).u8(0); // ERROR response, MS-SMB2 2.2.2
            }
            int end = out.position();
            int granted = credits.grant(Math.max(h.credits(), 1));
            Session signer = signingSession(r, h);
            int flags = Smb2Header.FLAG_SERVER_TO_REDIR | (h.flags() & Smb2Header.FLAG_RELATED)
                    | (signer != null ? Smb2Header.FLAG_SIGNED : 0) | (op != null ? Smb2Header.FLAG_ASYNC : 0);
            long sid = r.session() != null ? r.session().id() : h.sessionId();
            int tid = r.tree() != null ? r.tree().id() : h.treeId();
            out.position(start);
            new Smb2Header(h.creditCharge(), status, h.command(), granted, flags, 0, h.messageId(),
                    op != null ? op.asyncId() : 0, h.processId(), tid, sid).encode(out);
            out.position(end);
            if (LOG.isTraceEnabled()) {
                LOG.trace("{} #{} from {}: {}", Smb2Command.name(h.command()), h.messageId(), conn.peer(),
                        NtStatus.hex(status));
            }
            cc.status(status);
            if (h.command() == Smb2Command.CREATE) {
                cc.createStatus(status);
            }
            starts.add(new int[] {start});
            reqs.add(r);
            if (r.afterSend() != null) {
                after.add(r.afterSend());
            }
            if (op != null) {
                after.add(op::arm); // the final response may follow once the interim one is out
            }
            prevStart = start;
        }
        int total = out.position();
        finish(out, starts, reqs, total);
        return new Result(total, after);
    }

    /** The op a request that answered PENDING waits as; a request that failed after it meant to wait drops it unsent. */
    private static AsyncOp waiting(SmbRequest r, int status) {
        AsyncOp op = r.async();
        if (op != null && status != NtStatus.PENDING) {
            op.complete(status, null);
            return null;
        }
        return op;
    }

    /** CANCEL (MS-SMB2 3.3.5.16): the waiting request it names, by AsyncId or MessageId, ends CANCELLED. */
    private static void cancel(ConnState conn, Smb2Header h) {
        AsyncOp op = conn.async().find(h.isAsync(), h.isAsync() ? h.asyncId() : h.messageId());
        if (op != null) {
            LOG.debug("CANCEL of {} #{} from {}", Smb2Command.name(op.request().command()),
                    op.request().messageId(), conn.peer());
            op.cancel(AsyncOp.Reason.CANCEL);
        }
    }

    /**
     * Writes the final response of a waiting request into {@code out} from position 0 (MS-SMB2
     * 3.3.4.2): the async header with its AsyncId and MessageId, no credits (they went with the
     * interim response), the body or the ERROR body, signed when the op says so.
     *
     * @return the length
     */
    static int encodeFinal(AsyncOp op, int status, AsyncOp.Body body, SmbEncoder out) {
        Smb2Header h = op.request();
        out.position(Smb2Header.SIZE);
        if (body != null && !NtStatus.isError(status)) {
            body.write(out);
        }
        if (out.position() == Smb2Header.SIZE) {
            out.u16(9).u8(0).u8(0).u32(0).u8(0);
        }
        int end = out.position();
        int flags = Smb2Header.FLAG_SERVER_TO_REDIR | Smb2Header.FLAG_ASYNC | (op.signed() ? Smb2Header.FLAG_SIGNED : 0);
        out.position(0);
        new Smb2Header(h.creditCharge(), status, h.command(), 0, flags, 0, h.messageId(), op.asyncId(), 0, 0,
                op.session().id()).encode(out);
        out.position(end);
        if (op.signed()) {
            op.session().signer().sign(out.buffer(), 0, end);
        }
        return end;
    }

    private static Session signingSession(SmbRequest r, Smb2Header h) {
        if (r.compound().encrypted()) {
            return null; // an encrypted response is not signed (3.3.4.1.1)
        }
        Session s = r.signResponseWith() != null ? r.signResponseWith() : r.session();
        if (s == null || s.signer() == null) {
            return null;
        }
        return r.signResponseWith() != null || s.signingRequired() || h.isSigned() ? s : null;
    }

    /** Runs the pre-auth hooks and signs each response over its final bytes (padding included). */
    private static void finish(SmbEncoder out, List<int[]> starts, List<SmbRequest> reqs, int total) {
        for (int i = 0; i < starts.size(); i++) {
            int start = starts.get(i)[0];
            int end = i + 1 < starts.size() ? starts.get(i + 1)[0] : total;
            SmbRequest r = reqs.get(i);
            if (r.responseHook() != null) {
                r.responseHook().accept(out.segment().asSlice(start, end - start));
            }
            if ((out.buffer().getInt(start + 16) & Smb2Header.FLAG_SIGNED) != 0) {
                Session s = r.signResponseWith() != null ? r.signResponseWith() : r.session();
                s.signer().sign(out.buffer(), start, end - start);
            }
        }
    }

    private int run(SmbRequest r, boolean first, SmbEncoder out, MemorySegment msg, Element e) {
        Smb2Header h = r.header();
        SmbRequest.Compound cc = r.compound();
        try {
            int cmd = h.command();
            int dialect = r.conn().dialect();
            if ((dialect == 0 || dialect == 0x02FF) && cmd != Smb2Command.NEGOTIATE) {
                throw new SmbDropException(Smb2Command.name(cmd) + " before NEGOTIATE");
            }
            if (!h.isRelated()) {
                cc.createStatus(NtStatus.SUCCESS); // an unrelated element starts a new chain
                cc.fileId(-1);
            }
            if (cmd != Smb2Command.NEGOTIATE) {
                // the session first, so that every later refusal is signed with its key (3.3.4.1.1)
                int denied = bindSession(r, cmd, msg, e);
                if (denied != NtStatus.SUCCESS) {
                    return denied;
                }
            }
            if (h.isRelated() && first) {
                cc.createStatus(NtStatus.INVALID_PARAMETER); // and so fails the chain it starts, as Samba
                return NtStatus.INVALID_PARAMETER;
            }
            if (h.isRelated() && NtStatus.isError(cc.createStatus())) {
                return cc.createStatus(); // a failed CREATE fails the related requests after it (3.3.5.2.7.2)
            }
            if (cmd >= Smb2Command.COUNT) {
                return NtStatus.INVALID_PARAMETER; // no such command (3.3.5.2.6)
            }
            SmbCommand c = cmd < handlers.length ? handlers[cmd] : null;
            if (c == null) {
                return NtStatus.NOT_SUPPORTED;
            }
            return c.execute(r, out);
        } catch (FsException x) {
            LOG.debug("{} from {}: {}", Smb2Command.name(h.command()), r.conn().peer(), x.getMessage());
            return SmbErrors.status(x.error());
        } catch (SmbStatusException x) {
            LOG.debug("{} from {}: {} ({})", Smb2Command.name(h.command()), r.conn().peer(),
                    NtStatus.hex(x.status()), x.getMessage());
            return x.status();
        } catch (SmbFormatException x) {
            LOG.debug("{} from {}: malformed: {}", Smb2Command.name(h.command()), r.conn().peer(), x.getMessage());
            return NtStatus.INVALID_PARAMETER;
        } catch (BufferOverflowException x) {
            LOG.warn("{} from {}: response did not fit", Smb2Command.name(h.command()), r.conn().peer());
            return NtStatus.INSUFFICIENT_RESOURCES;
        }
    }

    /** Finds the session and tree of a request and checks its signature; a status when refused. */
    private static int bindSession(SmbRequest r, int cmd, MemorySegment msg, Element e) {
        Smb2Header h = r.header();
        SmbRequest.Compound cc = r.compound();
        long sid = h.isRelated() && h.sessionId() == -1 ? cc.sessionId() : h.sessionId();
        Session s = r.conn().session(sid);
        boolean needsSession = cmd != Smb2Command.SESSION_SETUP && cmd != Smb2Command.ECHO;
        if (needsSession && (s == null || !s.isValid())) {
            if (s != null && s.state() == Session.State.EXPIRED) {
                r.session(s); // the response is still signed with the logged-off session's key
            }
            return NtStatus.USER_SESSION_DELETED;
        }
        r.session(s);
        cc.session(sid);
        if (s != null && s.encryptData() && !cc.encrypted() && cmd != Smb2Command.SESSION_SETUP) {
            LOG.info("{} from {}: unencrypted request on an encrypted session", Smb2Command.name(cmd), r.conn().peer());
            return NtStatus.ACCESS_DENIED;
        }
        if (s != null && s.signer() != null && !cc.encrypted()) {
            if (h.isSigned()) {
                if (!s.signer().verify(msg.asByteBuffer(), (int) e.offset(), (int) e.length())) {
                    LOG.info("{} from {}: bad signature", Smb2Command.name(cmd), r.conn().peer());
                    return NtStatus.ACCESS_DENIED;
                }
            } else if (s.signingRequired() && cmd != Smb2Command.SESSION_SETUP) {
                LOG.info("{} from {}: unsigned request on a signed session", Smb2Command.name(cmd), r.conn().peer());
                return NtStatus.ACCESS_DENIED;
            }
        }
        if (needsTree(cmd)) {
            int tid = h.isRelated() && h.treeId() == -1 ? cc.treeId() : h.treeId();
            TreeConnect t = s.tree(tid);
            if (t == null) {
                return NtStatus.NETWORK_NAME_DELETED;
            }
            r.tree(t);
            cc.tree(tid);
        }
        return NtStatus.SUCCESS;
    }

    private static boolean needsTree(int cmd) {
        return switch (cmd) {
            case Smb2Command.TREE_DISCONNECT, Smb2Command.CREATE, Smb2Command.CLOSE, Smb2Command.FLUSH,
                 Smb2Command.READ, Smb2Command.WRITE, Smb2Command.LOCK, Smb2Command.IOCTL,
                 Smb2Command.QUERY_DIRECTORY, Smb2Command.CHANGE_NOTIFY, Smb2Command.QUERY_INFO,
                 Smb2Command.SET_INFO -> true;
            default -> false;
        };
    }

    /**
     * The response buffer a message needs: per element a header plus what it asks to receive
     * (READ length, QUERY_* and IOCTL output lengths), at most {@code max}.
     */
    static int replySize(MemorySegment msg, List<Element> elems, int max) {
        long total = 0;
        for (Element e : elems) {
            SmbDecoder d = new SmbDecoder(msg.asSlice(e.offset(), e.length()));
            long want;
            try {
                want = switch (e.header().command()) {
                    case Smb2Command.READ -> d.u32(Smb2Header.SIZE + 4);
                    case Smb2Command.QUERY_DIRECTORY -> d.u32(Smb2Header.SIZE + 28);
                    case Smb2Command.QUERY_INFO -> d.u32(Smb2Header.SIZE + 4);
                    case Smb2Command.IOCTL -> io.dittofs.protocols.smb.handler.Ioctl.replyRoom(d);
                    case Smb2Command.CHANGE_NOTIFY -> d.u32(Smb2Header.SIZE + 4);
                    default -> 1024;
                };
            } catch (SmbFormatException x) {
                want = 16;
            }
            total += Smb2Header.SIZE + 128 + Math.min(want, max);
        }
        return (int) Math.min(total, max);
    }
}
