package io.dittofs.core;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shares a server currently serves, by id and by name. Shares can be added and removed at
 * runtime (the control plane does); lookups are lock-free. Thread-safe.
 */
public final class ShareRegistry {
    private final Map<Integer, Share> byId = new ConcurrentHashMap<>();
    private final Map<String, Share> byName = new ConcurrentHashMap<>();

    public synchronized void add(Share s) {
        if (byId.containsKey(s.id()) || byName.containsKey(s.name())) {
            throw new IllegalArgumentException("share " + s.name() + " (id " + s.id() + ") already exists");
        }
        byId.put(s.id(), s);
        byName.put(s.name(), s);
    }

    public synchronized Share remove(String name) {
        Share s = byName.remove(name);
        if (s != null) {
            byId.remove(s.id());
        }
        return s;
    }

    /** The share with this id, or null. */
    public Share byId(int id) {
        return byId.get(id);
    }

    /** The share with this name (trailing slashes ignored), or null. */
    public Share byName(String name) {
        Share s = byName.get(name);
        if (s == null && name.length() > 1 && name.endsWith("/")) {
            s = byName.get(name.replaceAll("/+$", ""));
        }
        return s;
    }

    public Collection<Share> all() {
        return List.copyOf(byId.values());
    }
}
