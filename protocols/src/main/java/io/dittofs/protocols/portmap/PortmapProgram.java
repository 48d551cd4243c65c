package io.dittofs.protocols.portmap;

import io.dittofs.protocols.rpc.RpcCall;
import io.dittofs.protocols.rpc.RpcProgram;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An embedded portmapper, PMAP version 2 (RFC 1833 section 3), program 100000: NULL, SET,
 * UNSET, GETPORT, DUMP, so clients that ask rpcbind can find the server. SET and UNSET are
 * honoured only from loopback. Thread-safe.
 */
public final class PortmapProgram implements RpcProgram {
    public static final int PROGRAM = 100000;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
    private static final int NULL = 0;
    private static final int SET = 1;
    private static final int UNSET = 2;
    private static final int GETPORT = 3;
    private static final int DUMP = 4;
    private static final String[] NAMES = {"NULL", "SET", "UNSET", "GETPORT", "DUMP"};

    /** One registration (RFC 1833 {@code struct mapping}). */
    public record Mapping(int program, int version, int protocol, int port) {
    }

    private final Set<Mapping> mappings = ConcurrentHashMap.newKeySet();

    /** Registers a mapping from inside the server. */
    public void register(Mapping m) {
        mappings.add(m);
    }

    public List<Mapping> mappings() {
        return List.copyOf(mappings);
    }

    @Override
    public int program() {
        return PROGRAM;
    }

    @Override
    public int lowVersion() {
        return 2;
    }

    @Override
    public int highVersion() {
        return 2;
    }

    @Override
    public boolean hasProcedure(int version, int proc) {
        return proc >= NULL && proc <= DUMP;
    }

    @Override
    public boolean nonIdempotent(int version, int proc) {
        return false;
    }

    @Override
    public String name() {
        return "PMAP2";
    }

    @Override
    public String procName(int version, int proc) {
        return proc >= 0 && proc < NAMES.length ? NAMES[proc] : Integer.toString(proc);
    }

    @Override
    public void call(RpcCall call, XdrDecoder a, XdrEncoder r) {
        switch (call.proc()) {
            case NULL -> {
            }
            case SET -> {
                Mapping m = mapping(a);
                boolean ok = fromLoopback(call) && m.port() > 0 && m.port() <= 0xFFFF
                        && mappings.stream().noneMatch(x -> same(x, m));
                if (ok) {
                    mappings.add(m);
                }
                r.writeBool(ok);
            }
            case UNSET -> {
                Mapping m = mapping(a);
                boolean ok = fromLoopback(call)
                        && mappings.removeIf(x -> x.program() == m.program() && x.version() == m.version());
                r.writeBool(ok);
            }
            case GETPORT -> {
                Mapping m = mapping(a);
                int port = mappings.stream().filter(x -> same(x, m)).mapToInt(Mapping::port).findFirst().orElse(0);
                r.writeInt(port);
            }
            case DUMP -> {
                for (Mapping m : mappings) {
                    r.writeBool(true);
                    r.writeInt(m.program()).writeInt(m.version()).writeInt(m.protocol()).writeInt(m.port());
                }
                r.writeBool(false);
            }
            default -> throw new IllegalStateException("unreachable: proc " + call.proc());
        }
    }

    private static boolean same(Mapping a, Mapping b) {
        return a.program() == b.program() && a.version() == b.version() && a.protocol() == b.protocol();
    }

    private static Mapping mapping(XdrDecoder a) {
        return new Mapping(a.readInt(), a.readInt(), a.readInt(), a.readInt());
    }

    private static boolean fromLoopback(RpcCall call) {
        return call.client() != null && call.client().getAddress().isLoopbackAddress();
    }
}
