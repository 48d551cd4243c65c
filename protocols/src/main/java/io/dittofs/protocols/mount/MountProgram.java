package io.dittofs.protocols.mount;

import io.dittofs.core.Share;
import io.dittofs.core.ShareRegistry;
import io.dittofs.protocols.errmap.StatusNames;
import io.dittofs.protocols.nfs.FileHandles;
import io.dittofs.protocols.rpc.Rpc;
import io.dittofs.protocols.rpc.RpcCall;
import io.dittofs.protocols.rpc.RpcProgram;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * MOUNT version 3 (RFC 1813 appendix I), program 100005: NULL, MNT, DUMP, UMNT, UMNTALL, EXPORT.
 * Served on the NFS port so {@code mountport=NFSPORT} works. The mount list is advisory, as in
 * every implementation: it is kept in memory for DUMP, bounded to the {@value #MAX_MOUNTS} most
 * recent mounts. Client-supplied paths are escaped before they are logged. Thread-safe.
 */
public final class MountProgram implements RpcProgram {
    private static final Logger LOG = LoggerFactory.getLogger(MountProgram.class);
    public static final int PROGRAM = 100005;
    /** MNTPATHLEN. */
    static final int MNT_PATH_LEN = 1024;
    static final int MNT3_OK = 0;
    static final int MNT3ERR_NOENT = 2;
    static final int MNT3ERR_ACCES = 13;

    private static final int NULL = 0;
    private static final int MNT = 1;
    private static final int DUMP = 2;
    private static final int UMNT = 3;
    private static final int UMNTALL = 4;
    private static final int EXPORT = 5;
    private static final String[] NAMES = {"NULL", "MNT", "DUMP", "UMNT", "UMNTALL", "EXPORT"};

    /** Decides whether a client may mount a share (the control plane plugs its rules in here). */
    @FunctionalInterface
    public interface MountPolicy {
        boolean allows(RpcCall call, Share share);

        MountPolicy ALLOW_ALL = (c, s) -> true;
    }

    private record Mounted(String host, String path) {
    }

    /** At most this many (host, path) pairs are remembered for DUMP; the oldest are forgotten first. */
    static final int MAX_MOUNTS = 1024;

    private final ShareRegistry shares;
    private final MountPolicy policy;
    /** Insertion-ordered and bounded; guarded by itself. */
    private final LinkedHashSet<Mounted> mounts = new LinkedHashSet<>();

    public MountProgram(ShareRegistry shares, MountPolicy policy) {
        this.shares = shares;
        this.policy = policy;
    }

    @Override
    public int program() {
        return PROGRAM;
    }

    @Override
    public int lowVersion() {
        return 3;
    }

    @Override
    public int highVersion() {
        return 3;
    }

    @Override
    public boolean hasProcedure(int version, int proc) {
        return proc >= NULL && proc <= EXPORT;
    }

    @Override
    public boolean nonIdempotent(int version, int proc) {
        return false;
    }

    @Override
    public String name() {
        return "MOUNT3";
    }

    @Override
    public String procName(int version, int proc) {
        return proc >= 0 && proc < NAMES.length ? NAMES[proc] : Integer.toString(proc);
    }

    /** Only MNT returns a {@code mountstat3} (RFC 1813 appendix I). */
    @Override
    public String resultStatus(int version, int proc, int status) {
        return proc == MNT ? StatusNames.mount3(status) : null;
    }

    @Override
    public void call(RpcCall call, XdrDecoder args, XdrEncoder reply) {
        switch (call.proc()) {
            case NULL -> {
            }
            case MNT -> mnt(call, args.readString(MNT_PATH_LEN), reply);
            case DUMP -> dump(reply);
            case UMNT -> {
                Mounted m = new Mounted(host(call), args.readString(MNT_PATH_LEN));
                synchronized (mounts) {
                    mounts.remove(m);
                }
            }
            case UMNTALL -> {
                String h = host(call);
                synchronized (mounts) {
                    mounts.removeIf(m -> m.host().equals(h));
                }
            }
            case EXPORT -> export(reply);
            default -> throw new IllegalStateException("unreachable: proc " + call.proc());
        }
    }

    private void mnt(RpcCall call, String path, XdrEncoder reply) {
        Share s = shares.byName(path);
        if (s == null) {
            LOG.info("MNT {} from {}: no such share", printable(path), call.client());
            reply.writeInt(MNT3ERR_NOENT);
            return;
        }
        if (!policy.allows(call, s)) {
            LOG.info("MNT {} from {} uid {}: refused by share policy", printable(path), call.client(), call.auth().uid());
            reply.writeInt(MNT3ERR_ACCES);
            return;
        }
        remember(new Mounted(host(call), s.name()));
        reply.writeInt(MNT3_OK);
        reply.writeOpaque(FileHandles.encode(s.id(), s.fs().rootId()));
        reply.writeInt(2);
        reply.writeInt(Rpc.AUTH_SYS);
        reply.writeInt(Rpc.AUTH_NONE);
    }

    /** Adds a mount as the newest entry, forgetting the oldest beyond {@link #MAX_MOUNTS}. */
    private void remember(Mounted m) {
        synchronized (mounts) {
            mounts.remove(m);
            mounts.add(m);
            while (mounts.size() > MAX_MOUNTS) {
                mounts.removeFirst();
            }
        }
    }

    private void dump(XdrEncoder reply) {
        List<Mounted> copy;
        synchronized (mounts) {
            copy = List.copyOf(mounts);
        }
        for (Mounted m : copy) {
            reply.writeBool(true);
            reply.writeString(m.host());
            reply.writeString(m.path());
        }
        reply.writeBool(false);
    }

    private void export(XdrEncoder reply) {
        List<Share> all = new ArrayList<>(shares.all());
        all.sort((a, b) -> a.name().compareTo(b.name()));
        for (Share s : all) {
            reply.writeBool(true);
            reply.writeString(s.name());
            reply.writeBool(false); // no groups: every host may mount
        }
        reply.writeBool(false);
    }

    /**
     * A client-supplied path as it may appear in a log line: control characters and anything
     * outside printable ASCII escaped ({@code \\n}, {@code \\xNN}, {@code \\uNNNN}), at most 256
     * characters.
     */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 256) + 8);
        for (int i = 0; i < s.length() && b.length() < 256; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        b.append(c);
                    } else if (c < 0x100) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(String.format("\\u%04x", (int) c));
                    }
                }
            }
        }
        if (b.length() >= 256) {
            b.append("...");
        }
        return b.toString();
    }

    private static String host(RpcCall call) {
        String machine = call.auth().machine();
        if (machine != null && !machine.isEmpty() && !"anonymous".equals(machine)) {
            return machine;
        }
        return call.client() == null ? "unknown" : call.client().getAddress().getHostAddress();
    }
}
