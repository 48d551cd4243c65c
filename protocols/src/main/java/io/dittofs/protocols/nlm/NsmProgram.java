package io.dittofs.protocols.nlm;

import io.dittofs.protocols.rpc.RpcCall;
import io.dittofs.protocols.rpc.RpcProgram;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;

/**
 * The server's status monitor, NSM version 1 (Open Group XNFS chapter 11 "Network Status
 * Monitor Protocol", {@code sm_inter.x}), program 100024, served beside NLM: SM_NULL, SM_STAT,
 * SM_MON, SM_UNMON, SM_UNMON_ALL, SM_SIMU_CRASH, SM_NOTIFY. Its job here is SM_NOTIFY: a client
 * whose statd reports a restart loses every NLM lock of that host name (through
 * {@link NlmProgram#hostRebooted}, which honours it only from that host's address). SM_MON and
 * friends keep a bounded list of monitor requests from loopback only, as statd does. The state
 * number is odd while up and moves by two on SM_SIMU_CRASH. Thread-safe.
 */
public final class NsmProgram implements RpcProgram {
    public static final int PROGRAM = 100024;
    public static final int VERSION = 1;
    static final int SM_MAXSTRLEN = 1024;
    static final int MAX_MONITORS = 10_000;
    static final int STAT_SUCC = 0;
    static final int STAT_FAIL = 1;

    private static final int NULL = 0;
    private static final int STAT = 1;
    private static final int MON = 2;
    private static final int UNMON = 3;
    private static final int UNMON_ALL = 4;
    private static final int SIMU_CRASH = 5;
    private static final int NOTIFY = 6;
    private static final String[] NAMES = {"SM_NULL", "SM_STAT", "SM_MON", "SM_UNMON", "SM_UNMON_ALL",
        "SM_SIMU_CRASH", "SM_NOTIFY"};

    /** {@code struct my_id { string my_name<SM_MAXSTRLEN>; int my_prog; int my_vers; int my_proc; };} */
    private record MyId(String name, int prog, int vers, int proc) {
    }

    private record Monitor(String monName, MyId id) {
    }

    private final BiPredicate<String, InetAddress> rebooted;
    private final AtomicInteger state;
    private final java.util.Set<Monitor> monitors = ConcurrentHashMap.newKeySet();

    /**
     * @param rebooted told the host name and source address of each SM_NOTIFY
     */
    public NsmProgram(BiPredicate<String, InetAddress> rebooted) {
        this(rebooted, (int) (System.currentTimeMillis() / 1000) | 1);
    }

    /**
     * @param rebooted told the host name and source address of each SM_NOTIFY
     * @param state    this server's state number at start ({@link NsmRegistry#state()})
     */
    public NsmProgram(BiPredicate<String, InetAddress> rebooted, int state) {
        this.rebooted = rebooted;
        this.state = new AtomicInteger(state | 1);
    }

    /** This server's NSM state number (odd: up). */
    public int state() {
        return state.get();
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
        return proc >= NULL && proc <= NOTIFY;
    }

    @Override
    public boolean nonIdempotent(int version, int proc) {
        return proc == SIMU_CRASH || proc == NOTIFY;
    }

    @Override
    public String name() {
        return "NSM1";
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
            case STAT -> {
                a.readString(SM_MAXSTRLEN); // sm_name
                r.writeInt(STAT_SUCC).writeInt(state.get());
            }
            case MON -> {
                Monitor m = new Monitor(a.readString(SM_MAXSTRLEN), myId(a));
                a.readOpaqueFixed(16); // priv
                boolean ok = local(call) && (monitors.size() < MAX_MONITORS || monitors.contains(m));
                if (ok) {
                    monitors.add(m);
                }
                r.writeInt(ok ? STAT_SUCC : STAT_FAIL).writeInt(state.get());
            }
            case UNMON -> {
                Monitor m = new Monitor(a.readString(SM_MAXSTRLEN), myId(a));
                if (local(call)) {
                    monitors.remove(m);
                }
                r.writeInt(state.get());
            }
            case UNMON_ALL -> {
                MyId id = myId(a);
                if (local(call)) {
                    monitors.removeIf(m -> m.id().equals(id));
                }
                r.writeInt(state.get());
            }
            case SIMU_CRASH -> {
                if (local(call)) {
                    state.addAndGet(2);
                    monitors.clear();
                }
            }
            case NOTIFY -> {
                String host = a.readString(SM_MAXSTRLEN);
                a.readInt(); // the host's new state
                rebooted.test(host, call.client() == null ? null : call.client().getAddress());
            }
            default -> throw new IllegalStateException("unreachable: proc " + call.proc());
        }
    }

    private static MyId myId(XdrDecoder a) {
        return new MyId(a.readString(SM_MAXSTRLEN), a.readInt(), a.readInt(), a.readInt());
    }

    private static boolean local(RpcCall call) {
        return call.client() != null && call.client().getAddress().isLoopbackAddress();
    }

    int monitorCount() {
        return monitors.size();
    }
}
