package io.dittofs.protocols.rpc;

import io.dittofs.core.AuthContext;
import io.dittofs.core.buffer.BufferPool;
import io.dittofs.protocols.xdr.BadXdrException;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;

/**
 * Decodes RPC call headers, checks version, program, procedure and credentials, consults the
 * duplicate-request cache and runs the program. This is the one place that maps failures to
 * RPC-level replies: {@link BadXdrException} in the arguments becomes GARBAGE_ARGS, any other
 * exception SYSTEM_ERR. Every answered call is reported to the {@link RpcObserver}, if one is set.
 *
 * <p>Thread-safe: programs can be added and removed while calls run. One program number may have
 * several implementations with disjoint version ranges (NFSv3 and NFSv4 share 100003).
 */
public final class RpcDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(RpcDispatcher.class);
    private static final int DRC_CHECKSUM_BYTES = 256;
    private static final String UNKNOWN = "unknown";
    private static final ValueLayout.OfInt XDR_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** Bytes of an accepted reply header after the record mark: xid, REPLY, MSG_ACCEPTED, verifier, accept_stat. */
    private static final int ACCEPTED_HEADER = 24;

    /** Per program number, its implementations by disjoint version ranges, sorted by low version. */
    private final Map<Integer, List<RpcProgram>> programs = new ConcurrentHashMap<>();
    private final BufferPool pool;
    private final DuplicateRequestCache drc;
    private final RpcObserver observer;
    private final boolean observed;

    public RpcDispatcher(BufferPool pool, DuplicateRequestCache drc) {
        this(pool, drc, RpcObserver.NONE);
    }

    /** A dispatcher that reports calls (and, through its servers, connections) to {@code observer}. */
    public RpcDispatcher(BufferPool pool, DuplicateRequestCache drc, RpcObserver observer) {
        this.pool = pool;
        this.drc = drc;
        this.observer = observer;
        this.observed = observer != RpcObserver.NONE;
    }

    public RpcObserver observer() {
        return observer;
    }

    /**
     * Adds a program. Several programs may share a program number with disjoint version ranges
     * (NFSv3 and NFSv4 on 100003); one whose range overlaps {@code p}'s is replaced by it.
     */
    public void register(RpcProgram p) {
        programs.compute(p.program(), (k, old) -> {
            List<RpcProgram> l = new ArrayList<>();
            if (old != null) {
                for (RpcProgram o : old) {
                    if (o.highVersion() < p.lowVersion() || o.lowVersion() > p.highVersion()) {
                        l.add(o);
                    }
                }
            }
            l.add(p);
            l.sort(Comparator.comparingInt(RpcProgram::lowVersion));
            return List.copyOf(l);
        });
    }

    /** The implementation of {@code prog} serving {@code vers}, else any of {@code prog}'s, else null. */
    private RpcProgram lookup(int prog, int vers) {
        List<RpcProgram> l = programs.get(prog);
        if (l == null) {
            return null;
        }
        for (RpcProgram p : l) {
            if (vers >= p.lowVersion() && vers <= p.highVersion()) {
                return p;
            }
        }
        return l.getFirst();
    }

    /** The union of the version ranges registered for {@code prog} (for PROG_MISMATCH). */
    private int[] versionRange(RpcProgram any) {
        List<RpcProgram> l = programs.getOrDefault(any.program(), List.of(any));
        int low = Integer.MAX_VALUE;
        int high = Integer.MIN_VALUE;
        for (RpcProgram p : l) {
            low = Math.min(low, p.lowVersion());
            high = Math.max(high, p.highVersion());
        }
        return new int[] {low, high};
    }

    public void unregister(int program) {
        programs.remove(program);
    }

    public BufferPool pool() {
        return pool;
    }

    /** What to do with one record. */
    public sealed interface Outcome permits Reply, Resend, NoReply {
    }

    /** Send the encoder's content (record mark at offset 0 still to fill); the receiver closes it. */
    public record Reply(XdrEncoder encoder) implements Outcome {
    }

    /** Send these bytes as they are (a cached reply). */
    public record Resend(byte[] record) implements Outcome {
    }

    /** Nothing to send (a duplicate in progress, or a message that is not a call). */
    public record NoReply() implements Outcome {
    }

    private static final NoReply NO_REPLY = new NoReply();

    /**
     * Handles one record. Throws {@link BadXdrException} only when even the xid and message type
     * cannot be read; the connection should then be closed.
     */
    public Outcome dispatch(MemorySegment record, InetSocketAddress client) {
        return dispatch(record, client, pool);
    }

    /**
     * Handles one record, building the reply in buffers from {@code replies} (the connection's
     * {@linkplain BufferPool#share share} of this dispatcher's pool, so its replies count against
     * its budget).
     */
    public Outcome dispatch(MemorySegment record, InetSocketAddress client, BufferPool replies) {
        return dispatch(record, client, replies, false);
    }

    /**
     * As {@link #dispatch(MemorySegment, InetSocketAddress, BufferPool)}; with {@code tails} the
     * reply may end with a {@linkplain XdrEncoder#tail region} the caller sends after the encoded
     * bytes (a READ's data, sent from the file without a user-space copy).
     */
    public Outcome dispatch(MemorySegment record, InetSocketAddress client, BufferPool replies, boolean tails) {
        return dispatch(record, client, null, replies, tails);
    }

    /**
     * As {@link #dispatch(MemorySegment, InetSocketAddress, BufferPool, boolean)}, telling programs the
     * server address the call came to ({@link RpcCall#local()}).
     */
    public Outcome dispatch(MemorySegment record, InetSocketAddress client, InetSocketAddress local, BufferPool replies,
                            boolean tails) {
        XdrDecoder d = new XdrDecoder(record);
        int xid = d.readInt();
        int type = d.readInt();
        if (type != Rpc.CALL) {
            return NO_REPLY;
        }
        XdrEncoder e = new XdrEncoder(replies, 512);
        if (tails) {
            e.allowTail();
        }
        boolean handedOver = false;
        try {
            e.position(4);
            Outcome o = observed
                    ? observer.inCall(() -> dispatchCall(d, record, xid, client, local, e, System.nanoTime()))
                    : dispatchCall(d, record, xid, client, local, e, 0);
            handedOver = o instanceof Reply;
            return o;
        } finally {
            if (!handedOver) {
                e.close();
            }
        }
    }

    private Outcome dispatchCall(XdrDecoder d, MemorySegment record, int xid, InetSocketAddress client,
                                 InetSocketAddress local, XdrEncoder e, long start) {
        int rpcVersion;
        int prog;
        int vers;
        int proc;
        try {
            rpcVersion = d.readInt();
            if (rpcVersion != Rpc.VERSION) {
                RpcReplies.rpcMismatch(e, xid);
                return report(new Reply(e), client, start, null, 0, UNKNOWN, RpcObserver.Outcome.RPC_MISMATCH, null);
            }
            prog = d.readInt();
            vers = d.readInt();
            proc = d.readInt();
        } catch (BadXdrException ex) {
            RpcReplies.accepted(e, xid, Rpc.GARBAGE_ARGS);
            return report(new Reply(e), client, start, null, 0, UNKNOWN, RpcObserver.Outcome.GARBAGE_ARGS, null);
        }
        int flavor;
        AuthContext auth;
        try {
            flavor = d.readInt();
            MemorySegment cred = d.readOpaque(Rpc.MAX_AUTH_BYTES);
            d.readInt(); // verifier flavor
            d.readOpaque(Rpc.MAX_AUTH_BYTES);
            auth = switch (flavor) {
                case Rpc.AUTH_NONE -> AuthContext.ANONYMOUS;
                case Rpc.AUTH_SYS -> AuthSys.decode(cred);
                default -> null;
            };
        } catch (BadXdrException ex) {
            RpcReplies.authError(e, xid, Rpc.AUTH_BADCRED);
            return report(new Reply(e), client, start, lookup(prog, vers), vers, UNKNOWN,
                    RpcObserver.Outcome.AUTH_ERROR, null);
        }
        if (auth == null) {
            RpcReplies.authError(e, xid, Rpc.AUTH_BADCRED);
            return report(new Reply(e), client, start, lookup(prog, vers), vers, UNKNOWN,
                    RpcObserver.Outcome.AUTH_ERROR, null);
        }
        RpcProgram p = lookup(prog, vers);
        String procName = observed && p != null && vers >= p.lowVersion() && vers <= p.highVersion()
                && p.hasProcedure(vers, proc) ? p.procName(vers, proc) : UNKNOWN;
        if (p == null) {
            RpcReplies.accepted(e, xid, Rpc.PROG_UNAVAIL);
            return report(new Reply(e), client, start, null, vers, UNKNOWN, RpcObserver.Outcome.PROG_UNAVAIL, null);
        }
        if (vers < p.lowVersion() || vers > p.highVersion()) {
            int[] range = versionRange(p);
            RpcReplies.progMismatch(e, xid, range[0], range[1]);
            return report(new Reply(e), client, start, p, vers, procName, RpcObserver.Outcome.PROG_MISMATCH, null);
        }
        if (!p.hasProcedure(vers, proc)) {
            RpcReplies.accepted(e, xid, Rpc.PROC_UNAVAIL);
            return report(new Reply(e), client, start, p, vers, procName, RpcObserver.Outcome.PROC_UNAVAIL, null);
        }
        if (flavor == Rpc.AUTH_NONE && !p.allowsAuthNone(vers, proc)) {
            RpcReplies.authError(e, xid, Rpc.AUTH_TOOWEAK);
            return report(new Reply(e), client, start, p, vers, procName, RpcObserver.Outcome.AUTH_ERROR, null);
        }
        RpcCall call = new RpcCall(xid, prog, vers, proc, flavor, auth, client, local);
        MemorySegment args = record.asSlice(d.position());
        DuplicateRequestCache.Key key = null;
        if (p.nonIdempotent(vers, proc) && client != null) {
            key = new DuplicateRequestCache.Key(client.getAddress(), xid, prog, vers, proc, checksum(args));
            switch (drc.begin(key)) {
                case DuplicateRequestCache.Verdict.Drop ignored -> {
                    return report(NO_REPLY, client, start, p, vers, procName, RpcObserver.Outcome.DRC_DROP, null);
                }
                case DuplicateRequestCache.Verdict.Replay r -> {
                    return report(new Resend(r.reply()), client, start, p, vers, procName,
                            RpcObserver.Outcome.DRC_REPLAY, null);
                }
                case DuplicateRequestCache.Verdict.Execute ignored -> {
                }
            }
        }
        long headerStart = e.position();
        RpcObserver.Outcome how = RpcObserver.Outcome.SUCCESS;
        try {
            RpcReplies.accepted(e, xid, Rpc.SUCCESS);
            p.call(call, new XdrDecoder(args), e);
        } catch (BadXdrException ex) {
            LOG.debug("{} {} xid={}: garbage args: {}", p.name(), p.procName(vers, proc), xid, ex.getMessage());
            e.position(headerStart);
            RpcReplies.accepted(e, xid, Rpc.GARBAGE_ARGS);
            how = RpcObserver.Outcome.GARBAGE_ARGS;
        } catch (RuntimeException | Error ex) {
            if (ex instanceof BufferPool.PoolExhaustedException) {
                // no buffer in time, or the connection's share closed: counted as SYSTEM_ERR, no trace
                LOG.debug("{} {} xid={}: {}", p.name(), p.procName(vers, proc), xid, ex.getMessage());
            } else {
                LOG.error("{} {} xid={} failed", p.name(), p.procName(vers, proc), xid, ex);
            }
            e.position(headerStart);
            RpcReplies.accepted(e, xid, Rpc.SYSTEM_ERR);
            how = RpcObserver.Outcome.SYSTEM_ERR;
            if (key != null) {
                drc.abort(key);
                key = null;
            }
        }
        if (key != null && e.tail() != null) {
            drc.abort(key); // a reply with a tail is not cached (only idempotent READs have one)
            key = null;
        }
        if (key != null) {
            drc.completeEncoded(key, e.written()); // copied into the cache's own memory, mark and all
        }
        if (!observed) {
            return new Reply(e);
        }
        String status = null;
        long statusAt = headerStart + ACCEPTED_HEADER;
        if (how == RpcObserver.Outcome.SUCCESS && e.position() >= statusAt + 4) {
            status = p.resultStatus(vers, proc, e.written().get(XDR_INT, statusAt));
        }
        return report(new Reply(e), client, start, p, vers, procName, how, status);
    }

    /** Tells the observer how a call was answered; returns {@code o}. */
    private Outcome report(Outcome o, InetSocketAddress client, long start, RpcProgram p, int vers, String procName,
                           RpcObserver.Outcome how, String status) {
        if (observed) {
            observer.callCompleted(new RpcObserver.Call(p == null ? UNKNOWN : p.name(), vers, procName, how, status,
                    System.nanoTime() - start, client));
        }
        return o;
    }

    private static int checksum(MemorySegment args) {
        CRC32C crc = new CRC32C();
        long n = Math.min(args.byteSize(), DRC_CHECKSUM_BYTES);
        crc.update(args.asSlice(0, n).asByteBuffer());
        return (int) crc.getValue();
    }
}
