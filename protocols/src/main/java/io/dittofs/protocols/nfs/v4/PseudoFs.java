package io.dittofs.protocols.nfs.v4;

import io.dittofs.core.Share;
import io.dittofs.core.ShareRegistry;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The NFSv4 pseudo-filesystem (RFC 8881 section 7.3): a read-only tree of directories joining
 * the shares, whose paths ({@code /export}, {@code /a/b}) become directories under the root.
 * It is derived from the live {@link ShareRegistry} on every call, filtered by what the caller
 * may mount: a client sees only the shares (and the directories leading to them) it may use.
 * Pseudo node ids are a 63-bit hash of the normalised path, so handles survive restarts.
 *
 * <p>Thread-safe: holds no mutable state beyond the registry, which is itself thread-safe.
 */
public final class PseudoFs {
    /** The root's path. */
    public static final String ROOT = "/";

    private final ShareRegistry shares;
    private final long rootId = nodeId(ROOT);
    /** Times reported for pseudo directories: the server start. */
    private final long bootNanos;

    /** A visible child of a pseudo directory: a further pseudo directory, or a share's root. */
    public record Child(String name, Nfs4Handle handle, Share share, long pseudoId) {
        public boolean isShareRoot() {
            return share != null;
        }
    }

    public PseudoFs(ShareRegistry shares) {
        this.shares = shares;
        java.time.Instant now = java.time.Instant.now();
        this.bootNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    public ShareRegistry shares() {
        return shares;
    }

    public long bootNanos() {
        return bootNanos;
    }

    public Nfs4Handle root() {
        return Nfs4Handle.pseudo(rootId);
    }

    public long rootId() {
        return rootId;
    }

    /** A share's path split into components ({@code "/a/b/"} to [a, b]). */
    static List<String> components(String path) {
        List<String> out = new ArrayList<>();
        for (String c : path.split("/")) {
            if (!c.isEmpty()) {
                out.add(c);
            }
        }
        return out;
    }

    static String join(List<String> comps, int n) {
        return n == 0 ? ROOT : "/" + String.join("/", comps.subList(0, n));
    }

    /** The stable id of a pseudo path (see {@link #nodeId}). */
    public static long nodeIdOf(String path) {
        return nodeId(path);
    }

    /** The stable id of a pseudo path: 63 bits of its SHA-256, never 0. */
    static long nodeId(String path) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(path.getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (h[i] & 0xFF);
            }
            v &= Long.MAX_VALUE;
            return v == 0 ? 1 : v;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The path of a pseudo node the caller can see.
     *
     * @throws Nfs4Exception NFS4ERR_STALE if no visible share lies under such a node
     */
    public String path(long id, Predicate<Share> visible) {
        if (id == rootId) {
            return ROOT;
        }
        for (Share s : shares.all()) {
            if (!visible.test(s)) {
                continue;
            }
            List<String> c = components(s.name());
            for (int n = 1; n < c.size(); n++) {
                String p = join(c, n);
                if (nodeId(p) == id) {
                    return p;
                }
            }
        }
        throw new Nfs4Exception(Nfs4Status.STALE, "no pseudo node " + id);
    }

    /** The visible children of the pseudo directory at {@code path}, sorted by name. */
    public List<Child> children(String path, Predicate<Share> visible) {
        List<String> base = components(path);
        TreeMap<String, Child> out = new TreeMap<>();
        for (Share s : shares.all()) {
            List<String> c = components(s.name());
            if (c.size() <= base.size() || !c.subList(0, base.size()).equals(base) || !visible.test(s)) {
                continue;
            }
            String name = c.get(base.size());
            if (c.size() == base.size() + 1) {
                out.put(name, new Child(name, Nfs4Handle.share(s.id(), s.fs().rootId()), s,
                        nodeId(join(c, c.size()))));
            } else {
                out.putIfAbsent(name, new Child(name, Nfs4Handle.pseudo(nodeId(join(c, base.size() + 1))), null,
                        nodeId(join(c, base.size() + 1))));
            }
        }
        return List.copyOf(out.values());
    }

    /**
     * One name in a pseudo directory.
     *
     * @throws Nfs4Exception NFS4ERR_NOENT if the caller sees no such entry
     */
    public Child lookup(String dirPath, String name, Predicate<Share> visible) {
        for (Child c : children(dirPath, visible)) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        throw new Nfs4Exception(Nfs4Status.NOENT, name);
    }

    /** The pseudo path a share's root is mounted on ({@code /a/b} for share {@code /a/b}). */
    public static String mountPath(Share s) {
        List<String> c = components(s.name());
        return join(c, c.size());
    }

    /** The pseudo directory holding a share's root ({@code /a} for share {@code /a/b}). */
    public Nfs4Handle parentOfShare(Share s) {
        List<String> c = components(s.name());
        return Nfs4Handle.pseudo(nodeId(join(c, Math.max(0, c.size() - 1))));
    }

    /** The parent of a pseudo directory (the root is its own parent). */
    public Nfs4Handle parentOf(String path) {
        List<String> c = components(path);
        return Nfs4Handle.pseudo(nodeId(join(c, Math.max(0, c.size() - 1))));
    }
}
