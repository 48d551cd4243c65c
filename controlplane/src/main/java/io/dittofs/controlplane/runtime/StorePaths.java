package io.dittofs.controlplane.runtime;

import io.dittofs.controlplane.model.StoreDef;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * Where store directories may live: every {@code path} (fs blocks, LMDB metadata) and
 * {@code cache} (write-back WAL) setting must lie under one of the allowed roots
 * ({@code storage.allowed_root}, by default the data directory). Paths are compared after
 * normalisation ({@code ..} removed) with symbolic links resolved as far as the path exists, so
 * neither {@code /data/../etc} nor a link inside the root pointing out of it gets through.
 * Immutable; thread-safe.
 */
public final class StorePaths {
    /** The store settings that name a directory on this machine. */
    static final List<String> PATH_SETTINGS = List.of("path", "cache");

    private final List<Path> roots;

    private StorePaths(List<Path> roots) {
        this.roots = roots;
    }

    /** Store directories allowed under these roots (absolute; need not exist yet). */
    public static StorePaths under(List<Path> roots) {
        if (roots.isEmpty()) {
            throw new IllegalArgumentException("at least one allowed store root is needed");
        }
        return new StorePaths(roots.stream().map(r -> real(r.toAbsolutePath())).toList());
    }

    public List<Path> roots() {
        return roots;
    }

    /**
     * Checks the directory settings of a definition.
     *
     * @throws IllegalArgumentException naming the setting that points outside every allowed root
     */
    public void check(StoreDef d) {
        for (String key : PATH_SETTINGS) {
            String v = d.config().get(key);
            if (v == null || v.isBlank()) {
                continue;
            }
            Path p = Path.of(v);
            if (!p.isAbsolute()) {
                throw new IllegalArgumentException("store setting '" + key + "' must be an absolute path");
            }
            Path resolved = real(p);
            if (roots.stream().noneMatch(resolved::startsWith)) {
                throw new IllegalArgumentException("store setting '" + key + "' must lie under "
                        + String.join(" or ", roots.stream().map(Path::toString).toList())
                        + " (storage.allowed_root)");
            }
        }
    }

    /** The path with '..' removed and links resolved for the part of it that exists. */
    static Path real(Path p) {
        Path n = p.normalize();
        Path existing = n;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return n;
        }
        try {
            Path real = existing.toRealPath();
            return real.resolve(existing.relativize(n)).normalize();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot resolve " + existing + ": " + e.getMessage(), e);
        }
    }
}
