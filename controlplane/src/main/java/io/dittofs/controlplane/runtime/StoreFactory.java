package io.dittofs.controlplane.runtime;

import io.dittofs.controlplane.model.StoreDef;
import io.dittofs.controlplane.instrument.StoreInstruments;
import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.MetadataStore;
import io.dittofs.storage.block.file.FileBlockStore;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.block.s3.S3BlockStore;
import io.dittofs.storage.cache.WriteBackCache;
import io.dittofs.storage.metadata.lmdb.LmdbMetadataStore;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;
import io.dittofs.storage.metadata.postgres.PostgresMetadataStore;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds store backends from their definitions: the ONE place a backend type is named. To plug
 * a backend in, add its type to {@link #METADATA_TYPES}/{@link #BLOCK_TYPES} (with the settings
 * it requires) and a case to {@link #metadata}/{@link #block}, e.g.
 * {@code case "lmdb" -> new LmdbMetadataStore(Path.of(d.config().get("path")))}. Stateless.
 */
public final class StoreFactory {
    /** Metadata store types and the settings each requires. */
    static final Map<String, List<String>> METADATA_TYPES = Map.of("memory", List.of(), "lmdb", List.of("path"),
            "postgres", List.of("url", "user"));
    /** Block store types and the settings each requires. */
    static final Map<String, List<String>> BLOCK_TYPES = Map.of("memory", List.of(), "fs", List.of("path"),
            "s3", List.of("bucket"));
    /**
     * Settings any backend may take. s3: {@code bucket}, {@code region}, {@code endpoint} (an
     * S3-compatible server, path-style), {@code prefix}, {@code access_key}/{@code secret_key}
     * (both or neither: without them the AWS default credentials chain applies; the secret is
     * masked wherever a definition is shown, see {@link StoreDef#SECRET_SETTINGS}).
     */
    static final Set<String> KNOWN_SETTINGS = Set.of("path", "size", "bucket", "region", "endpoint", "prefix", "cache",
            "access_key", "secret_key", "url", "user", "password", "pool");
    /** PostgreSQL table prefixes (as the store checks them). */
    private static final Pattern PG_PREFIX = Pattern.compile("[a-z_][a-z0-9_]{0,39}");

    private StoreFactory() {
    }

    /**
     * Checks a definition before it is stored.
     *
     * @throws IllegalArgumentException naming what is wrong (unknown type, missing setting)
     */
    public static void validate(StoreDef d) {
        Map<String, List<String>> types = switch (d.kind()) {
            case "metadata" -> METADATA_TYPES;
            case "block" -> BLOCK_TYPES;
            default -> throw new IllegalArgumentException("store kind must be metadata or block, not '" + d.kind() + "'");
        };
        List<String> required = types.get(d.type());
        if (required == null) {
            throw new IllegalArgumentException("unknown " + d.kind() + " store type '" + d.type() + "'; available: "
                    + String.join(", ", types.keySet().stream().sorted().toList()));
        }
        for (String r : required) {
            String v = d.config().get(r);
            if (v == null || v.isBlank()) {
                throw new IllegalArgumentException(d.type() + " " + d.kind() + " store needs setting '" + r + "'");
            }
        }
        for (String key : List.of("path", "cache")) {
            String path = d.config().get(key);
            if (path != null && !Path.of(path).isAbsolute()) {
                throw new IllegalArgumentException("store setting '" + key + "' must be an absolute path");
            }
        }
        for (String k : d.config().keySet()) {
            if (!KNOWN_SETTINGS.contains(k)) {
                throw new IllegalArgumentException("unknown store setting '" + k + "'");
            }
        }
        if ("s3".equals(d.type())) {
            if (blank(d.config().get("access_key")) != blank(d.config().get("secret_key"))) {
                throw new IllegalArgumentException("s3 store settings 'access_key' and 'secret_key' go together");
            }
            String endpoint = d.config().get("endpoint");
            if (!blank(endpoint)) {
                URI u;
                try {
                    u = URI.create(endpoint);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("s3 store setting 'endpoint' is not a URL: " + e.getMessage());
                }
                if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                    throw new IllegalArgumentException("s3 store setting 'endpoint' must be an http(s) URL with a host");
                }
            }
        }
        if ("metadata".equals(d.kind()) && "postgres".equals(d.type())) {
            String url = d.config().get("url");
            if (!url.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("store setting 'url' must be a jdbc:postgresql: URL");
            }
            if (url.toLowerCase(Locale.ROOT).contains("password=")) {
                // the URL is shown by the API; the password setting never is
                throw new IllegalArgumentException("put the password in the store setting 'password', not in the URL");
            }
            String prefix = d.config().get("prefix");
            if (prefix != null && !PG_PREFIX.matcher(prefix).matches()) {
                throw new IllegalArgumentException("store setting 'prefix' must match " + PG_PREFIX.pattern());
            }
            pool(d);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** The S3 store's configuration from a definition's settings. */
    static S3BlockStore.Config s3Config(StoreDef d) {
        Map<String, String> c = d.config();
        String endpoint = c.get("endpoint");
        return new S3BlockStore.Config(c.get("bucket"), c.get("prefix"), c.get("region"),
                blank(endpoint) ? null : URI.create(endpoint),
                blank(c.get("access_key")) ? null : c.get("access_key"),
                blank(c.get("secret_key")) ? null : c.get("secret_key"));
    }

    /** The table prefix of a PostgreSQL store: the "prefix" setting, else derived from the store name. */
    static String postgresPrefix(StoreDef d) {
        String p = d.config().get("prefix");
        if (p != null && !p.isBlank()) {
            return p;
        }
        String n = "dfs_" + d.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return n.length() > 40 ? n.substring(0, 40) : n;
    }

    private static int pool(StoreDef d) {
        String v = d.config().get("pool");
        if (v == null || v.isBlank()) {
            return 10;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1 && n <= 1000) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("store setting 'pool' must be a number of connections from 1 to 1000");
    }

    public static MetadataStore metadata(StoreDef d) {
        return switch (d.type()) {
            case "memory" -> new MemoryMetadataStore();
            case "lmdb" -> new LmdbMetadataStore(Path.of(d.config().get("path")));
            case "postgres" -> new PostgresMetadataStore(d.config().get("url"), d.config().get("user"),
                    d.config().get("password"), postgresPrefix(d), pool(d));
            default -> throw new IllegalArgumentException("unknown metadata store type '" + d.type() + "'");
        };
    }

    /**
     * A block store with a {@code cache} setting sits behind the write-back cache whose mmap WAL
     * lives in that directory (one directory per store).
     */
    private static BlockStore withCache(BlockStore backing, StoreDef d) {
        return hasCache(d) ? new WriteBackCache(backing, WriteBackCache.Options.defaults(Path.of(d.config().get("cache"))))
                : backing;
    }

    private static boolean hasCache(StoreDef d) {
        String cache = d.config().get("cache");
        return cache != null && !cache.isBlank();
    }

    public static BlockStore block(StoreDef d) {
        return block(d, StoreInstruments.NONE);
    }

    /**
     * The block store of {@code d}, each layer (the store, the write-back cache in front of it)
     * decorated by {@code in}, so the cache's calls into the store are measured too.
     */
    public static BlockStore block(StoreDef d, StoreInstruments in) {
        boolean cached = hasCache(d) && !"memory".equals(d.type());
        BlockStore store = in.block(d.name(), "store", cached, switch (d.type()) {
            case "memory" -> new MemoryBlockStore();
            case "fs" -> new FileBlockStore(Path.of(d.config().get("path")));
            case "s3" -> new S3BlockStore(s3Config(d), in.s3Retries(d.name()));
            default -> throw new IllegalArgumentException("unknown block store type '" + d.type() + "'");
        });
        return cached ? in.block(d.name(), "cache", false, withCache(store, d)) : store;
    }
}
