package io.dittofs.protocols.nlm;

import io.dittofs.protocols.xdr.BadXdrException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Tells the hosts that held NLM locks before a restart that this server restarted: NSM SM_NOTIFY
 * (program 100024 version 1 procedure 6, {@code struct stat_chge { string mon_name<SM_MAXSTRLEN>;
 * int state; }}) to each host's status monitor, found through its portmapper (GETPORT, TCP), as
 * Linux {@code sm-notify} does at boot. {@code mon_name} is the address the host called this
 * server at (what its lockd monitors), so its statd matches it and its lockd reclaims in the grace
 * period. Each host gets at most {@code attempts} tries with doubling back-off (capped at 60 s);
 * at most {@value #MAX_CONCURRENT} hosts are being told at once. Runs on virtual threads in the
 * background; never delays the server start. Thread-safe.
 */
final class NsmNotifier {
    private static final Logger LOG = LoggerFactory.getLogger(NsmNotifier.class);
    static final int MAX_CONCURRENT = 32;
    static final int NOTIFY = 6;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

    private final NlmCallbacks rpc;
    private final int attempts;
    private final Duration firstBackoff;
    private final Semaphore slots = new Semaphore(MAX_CONCURRENT);

    NsmNotifier(NlmCallbacks rpc, int attempts, Duration firstBackoff) {
        this.rpc = rpc;
        this.attempts = Math.max(1, attempts);
        this.firstBackoff = firstBackoff;
    }

    /** The name a host knows this server by: the address it called, else this machine's name. */
    static String monName(NsmRegistry.Host h) {
        if (h.local() != null) {
            return h.local().getHostAddress();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /**
     * Starts telling every host in the background; {@code told} is called with each host that
     * accepted the notice.
     *
     * @return the thread that waits for all of them (for tests)
     */
    Thread notifyAll(List<NsmRegistry.Host> hosts, int state, Consumer<NsmRegistry.Host> told) {
        return Thread.ofVirtual().name("nsm-notify").start(() -> {
            AtomicInteger ok = new AtomicInteger();
            Thread[] each = new Thread[hosts.size()];
            for (int i = 0; i < each.length; i++) {
                NsmRegistry.Host h = hosts.get(i);
                each[i] = Thread.ofVirtual().name("nsm-notify-host").start(() -> {
                    if (notify(h, state)) {
                        ok.incrementAndGet();
                        told.accept(h);
                    }
                });
            }
            for (Thread t : each) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (each.length > 0) {
                LOG.info("NSM: told {} of {} host(s) of this restart (state {})", ok.get(), each.length, state);
            }
        });
    }

    /** Sends SM_NOTIFY to one host, retrying with back-off; true once its statd accepted it. */
    boolean notify(NsmRegistry.Host h, int state) {
        byte[] name = monName(h).getBytes(StandardCharsets.UTF_8);
        ByteBuffer args = ByteBuffer.allocate(4 + Nlm4Xdr.pad(name.length) + 4);
        Nlm4Xdr.putOpaque(args, name);
        args.putInt(state);
        Duration backoff = firstBackoff;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                slots.acquire();
                try {
                    int port = rpc.port(h.client(), NsmProgram.PROGRAM, NsmProgram.VERSION);
                    if (port <= 0 || port > 0xFFFF) {
                        throw new IOException("no NSM v1/TCP registered with its portmapper");
                    }
                    rpc.call(new InetSocketAddress(h.client(), port), NsmProgram.PROGRAM, NsmProgram.VERSION, NOTIFY,
                            args.array());
                } finally {
                    slots.release();
                }
                LOG.info("NSM: told {} at {} of this restart (mon_name {}, state {}, attempt {})", h.name(),
                        h.client().getHostAddress(), monName(h), state, attempt);
                return true;
            } catch (IOException | BadXdrException e) {
                LOG.info("NSM: SM_NOTIFY to {} at {} failed (attempt {} of {}): {}", h.name(),
                        h.client().getHostAddress(), attempt, attempts, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (attempt < attempts) {
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
        LOG.warn("NSM: gave up telling {} at {} of this restart after {} attempt(s); its record is kept for the next start",
                h.name(), h.client().getHostAddress(), attempts);
        return false;
    }
}
