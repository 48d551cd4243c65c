package io.dittofs.protocols.nfs.v4;

import io.dittofs.protocols.rpc.RpcCall;
import io.dittofs.protocols.rpc.RpcProgram;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * NFS version 4 (program 100003, version 4; RFC 7530, 8881, 7862): procedure 0 NULL and 1
 * COMPOUND, which {@link CompoundProcessor} runs. Shares program 100003 with the NFSv3 program on
 * the same dispatcher. COMPOUND replies are not kept in the RPC duplicate-request cache: 4.0
 * relies on open/lock seqids, 4.1+ on the session slot reply cache. Thread-safe.
 */
public final class Nfs4Program implements RpcProgram {
    public static final int PROGRAM = 100003;
    public static final int VERSION = 4;
    static final int NULL = 0;
    static final int COMPOUND = 1;

    private final CompoundProcessor processor;

    public Nfs4Program(Nfs4Ops ops, Nfs4Services services) {
        this.processor = new CompoundProcessor(ops, services);
    }

    /** The standard op table over {@code services}. */
    public Nfs4Program(Nfs4Services services) {
        this(Nfs4Ops.standard(), services);
    }

    public Nfs4Services services() {
        return processor.services();
    }

    @Override
    public int program() {
        return PROGRAM;
    }

    @Override
    public int lowVersion() {
        return VERSION;
    }

    @Override
    public int highVersion() {
        return VERSION;
    }

    @Override
    public boolean hasProcedure(int version, int proc) {
        return proc == NULL || proc == COMPOUND;
    }

    @Override
    public boolean nonIdempotent(int version, int proc) {
        return false;
    }

    @Override
    public int replySizeHint(int version, int proc) {
        return 64 * 1024;
    }

    @Override
    public void call(RpcCall call, XdrDecoder args, XdrEncoder reply) {
        if (call.proc() == COMPOUND) {
            processor.process(call, args, reply);
        }
    }

    @Override
    public String name() {
        return "NFS4";
    }

    @Override
    public String procName(int version, int proc) {
        return proc == COMPOUND ? "COMPOUND" : proc == NULL ? "NULL" : Integer.toString(proc);
    }

    /** COMPOUND4res starts with the status of its last op. */
    @Override
    public String resultStatus(int version, int proc, int status) {
        return proc == COMPOUND ? Nfs4Status.name(status) : null;
    }
}
