package io.dittofs.protocols.nlm;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The address each NLM caller name was last seen locking from, so that a FREE_ALL or an NSM
 * SM_NOTIFY naming a host is honoured only when it comes from that host (or from loopback, where a
 * local statd relays): another machine cannot drop a client's locks by sending its name. Bounded
 * to {@value #MAX_HOSTS} names; when full, names without locks make room. Thread-safe.
 */
final class NlmHosts {
    static final int MAX_HOSTS = 10_000;

    private final ConcurrentHashMap<String, InetAddress> hosts = new ConcurrentHashMap<>();

    /** Records that {@code name} locks from {@code addr}; {@code idle} tells names that hold nothing. */
    void seen(String name, InetAddress addr, Predicate<String> idle) {
        if (addr == null) {
            return;
        }
        if (hosts.size() >= MAX_HOSTS && !hosts.containsKey(name)) {
            hosts.keySet().removeIf(idle);
            if (hosts.size() >= MAX_HOSTS) {
                return;
            }
        }
        hosts.put(name, addr);
    }

    /** Whether a request from {@code from} may drop the locks of {@code name}. */
    boolean mayDrop(String name, InetAddress from) {
        InetAddress known = hosts.get(name);
        return known == null || from == null || from.isLoopbackAddress() || known.equals(from);
    }

    void forget(String name) {
        hosts.remove(name);
    }

    int size() {
        return hosts.size();
    }
}
