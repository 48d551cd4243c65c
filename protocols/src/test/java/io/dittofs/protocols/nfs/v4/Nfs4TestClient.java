package io.dittofs.protocols.nfs.v4;

import io.dittofs.core.AuthContext;
import io.dittofs.core.buffer.BufferPool;
import io.dittofs.protocols.XdrArgs;
import io.dittofs.protocols.rpc.BackChannel;
import io.dittofs.protocols.rpc.RpcCall;
import io.dittofs.protocols.xdr.BadXdrException;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import static io.dittofs.protocols.XdrArgs.xdr;

/**
 * Drives an {@link Nfs4Program} in process: builds {@code COMPOUND4args} as XDR with the
 * independent {@link XdrArgs} builder, runs them through the program's COMPOUND procedure and
 * decodes {@code COMPOUND4res} op by op (the test reads each op's body from {@link Reply#body()}
 * between {@link Reply#next} calls). Public so tests in other packages (the state layer) reuse it.
 * Not thread-safe: one test thread per client.
 */
public final class Nfs4TestClient implements AutoCloseable {
    private final Nfs4Program program;
    private final BufferPool pool;
    private final boolean ownPool;
    private final AuthContext auth;
    private final InetSocketAddress peer;
    private final BackChannel backChannel;
    private int xid = 1;

    private Nfs4TestClient(Nfs4Program program, BufferPool pool, boolean ownPool, AuthContext auth,
                           InetSocketAddress peer) {
        this(program, pool, ownPool, auth, peer, null);
    }

    private Nfs4TestClient(Nfs4Program program, BufferPool pool, boolean ownPool, AuthContext auth,
                           InetSocketAddress peer, BackChannel backChannel) {
        this.program = program;
        this.pool = pool;
        this.ownPool = ownPool;
        this.auth = auth;
        this.peer = peer;
        this.backChannel = backChannel;
    }

    /** The same program and pool, its calls coming "over a connection" that carries callbacks to {@code ch}. */
    public Nfs4TestClient withBackChannel(BackChannel ch) {
        return new Nfs4TestClient(program, pool, false, auth, peer, ch);
    }

    /** A client calling as root from 127.0.0.1:700 with its own buffer pool. */
    public static Nfs4TestClient inProcess(Nfs4Program program) {
        return new Nfs4TestClient(program, new BufferPool(), true, AuthContext.ROOT,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 700));
    }

    /** The same program and pool, calling as {@code uid/gid}. Close only the original. */
    public Nfs4TestClient as(int uid, int gid, int... gids) {
        return new Nfs4TestClient(program, pool, false, new AuthContext(uid, gid, gids, "testhost"), peer);
    }

    /** The same program and pool, calling from another address (for export policies). */
    public Nfs4TestClient from(InetSocketAddress address) {
        return new Nfs4TestClient(program, pool, false, auth, address);
    }

    public Nfs4Program program() {
        return program;
    }

    /** A new COMPOUND with an empty tag. */
    public Compound compound(int minor) {
        return new Compound(minor, "");
    }

    public Compound compound(int minor, String tag) {
        return new Compound(minor, tag);
    }

    /** Runs raw {@code COMPOUND4args} bytes. */
    public Reply send(byte[] args) {
        try (Arena arena = Arena.ofConfined(); XdrEncoder e = new XdrEncoder(pool, 4096)) {
            MemorySegment seg = arena.allocate(Math.max(1, args.length));
            MemorySegment.copy(args, 0, seg, ValueLayout.JAVA_BYTE, 0, args.length);
            RpcCall call = new RpcCall(xid++, Nfs4Program.PROGRAM, 4, 1, 1, auth, peer);
            try {
                XdrDecoder d = new XdrDecoder(seg.asSlice(0, args.length));
                if (backChannel == null) {
                    program.call(call, d, e);
                } else {
                    ScopedValue.where(BackChannel.CURRENT, backChannel).run(() -> program.call(call, d, e));
                }
            } catch (BadXdrException ex) {
                return new Reply(true, -1, "", 0, ByteBuffer.allocate(0));
            }
            ByteBuffer b = ByteBuffer.wrap(e.written().toArray(ValueLayout.JAVA_BYTE));
            int status = b.getInt();
            String tag = XdrArgs.readString(b);
            int count = b.getInt();
            return new Reply(false, status, tag, count, b);
        }
    }

    @Override
    public void close() {
        if (ownPool) {
            pool.close();
        }
    }

    /** A bitmap4 of attribute numbers. */
    public static XdrArgs bitmap(XdrArgs a, int... attrs) {
        int words = 0;
        for (int n : attrs) {
            words = Math.max(words, n / 32 + 1);
        }
        int[] w = new int[words];
        for (int n : attrs) {
            w[n / 32] |= 1 << (n % 32);
        }
        a.int32(words);
        for (int x : w) {
            a.int32(x);
        }
        return a;
    }

    /** A COMPOUND being built. */
    public final class Compound {
        private final int minor;
        private final String tag;
        private final XdrArgs ops = xdr();
        private int count;

        private Compound(int minor, String tag) {
            this.minor = minor;
            this.tag = tag;
        }

        /** An op with no arguments. */
        public Compound op(int opnum) {
            ops.int32(opnum);
            count++;
            return this;
        }

        /** An op whose arguments {@code args} appends. */
        public Compound op(int opnum, Consumer<XdrArgs> args) {
            op(opnum);
            args.accept(ops);
            return this;
        }

        public Compound putrootfh() {
            return op(Nfs4Ops.OP_PUTROOTFH);
        }

        public Compound putfh(byte[] fh) {
            return op(Nfs4Ops.OP_PUTFH, a -> a.opaque(fh));
        }

        public Compound lookup(String name) {
            return op(Nfs4Ops.OP_LOOKUP, a -> a.string(name));
        }

        public Compound getfh() {
            return op(Nfs4Ops.OP_GETFH);
        }

        public Compound getattr(int... attrs) {
            return op(Nfs4Ops.OP_GETATTR, a -> bitmap(a, attrs));
        }

        /** The encoded {@code COMPOUND4args}. */
        public byte[] build() {
            return xdr().string(tag).int32(minor).int32(count).raw(ops.build()).build();
        }

        public Reply send() {
            return Nfs4TestClient.this.send(build());
        }
    }

    /**
     * A decoded {@code COMPOUND4res} header and a cursor over its results: {@link #next} reads
     * one op's opnum and status, then the test reads that op's body from {@link #body()}.
     *
     * @param garbage true when the program rejected the arguments as a whole (RPC GARBAGE_ARGS)
     */
    public record Reply(boolean garbage, int status, String tag, int count, ByteBuffer body) {
        /** Reads the next result's opnum (which must be {@code opnum}) and returns its status. */
        public int next(int opnum) {
            int got = body.getInt();
            if (got != opnum) {
                throw new AssertionError("expected result of " + Nfs4Ops.name(opnum) + " (" + opnum + "), got "
                        + Nfs4Ops.name(got) + " (" + got + ")");
            }
            return body.getInt();
        }

        /** Reads the next result, requiring NFS4_OK. */
        public Reply ok(int opnum) {
            int s = next(opnum);
            if (s != Nfs4Status.OK) {
                throw new AssertionError(Nfs4Ops.name(opnum) + " failed: " + Nfs4Status.name(s));
            }
            return this;
        }

        /** Reads a GETFH body. */
        public byte[] fh() {
            return XdrArgs.readOpaque(body);
        }

        public String string() {
            return new String(XdrArgs.readOpaque(body), StandardCharsets.UTF_8);
        }

        public int int32() {
            return body.getInt();
        }

        public long int64() {
            return body.getLong();
        }

        /** Bytes of the results not yet read. */
        public int remaining() {
            return body.remaining();
        }
    }
}
