package io.dittofs.controlplane.runtime;

import io.dittofs.controlplane.model.AdapterDef;
import io.dittofs.core.ShareRegistry;
import io.dittofs.core.buffer.BufferPool;
import io.dittofs.core.lock.LockManager;
import io.dittofs.protocols.smb.LogonLimiter;
import io.dittofs.protocols.smb.SmbConfig;
import io.dittofs.protocols.smb.SmbServices;
import io.dittofs.protocols.smb.SmbUsers;
import io.dittofs.protocols.smb.server.SmbServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Map;

/**
 * The SMB adapter: an {@link SmbServer} over the runtime's shares with its own buffer pool,
 * configured from the {@code smb} adapter definition's settings ({@code signing}:
 * {@code required}|{@code enabled}; {@code encryption}: {@code enabled}|{@code required}|{@code off},
 * default {@code enabled}; {@code min_dialect}, {@code max_dialect}; {@code max_io_size}:
 * MaxReadSize/MaxWriteSize in bytes, 65536 to 8388608, default 8388608; {@code large_io_buffers}:
 * how many 8 MiB buffers the adapter may hold at once across all connections, default
 * {@value #DEFAULT_LARGE_IO_BUFFERS}, the memory budget for 8 MiB I/O; {@code logon_max_failures} (default 10)
 * failed logons per client address and per account within {@code logon_window_seconds} (default
 * 60) before further logons are refused). Thread-safe.
 */
public final class SmbAdapter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SmbAdapter.class);
    static final int DEFAULT_LARGE_IO_BUFFERS = 32;
    static final int DEFAULT_LOGON_MAX_FAILURES = 10;
    static final int DEFAULT_LOGON_WINDOW_SECONDS = 60;
    private static final java.util.Set<String> KEYS = java.util.Set.of("signing", "encryption", "min_dialect", "max_dialect",
            "max_io_size", "large_io_buffers", "logon_max_failures", "logon_window_seconds");

    private final BufferPool pool;
    private final SmbServer server;
    private final Map<String, String> settings;

    private SmbAdapter(BufferPool pool, SmbServer server, Map<String, String> settings) {
        this.pool = pool;
        this.server = server;
        this.settings = settings;
    }

    /**
     * The protocol settings an adapter definition asks for.
     *
     * @throws IllegalArgumentException for an unknown setting or value
     */
    public static SmbConfig config(Map<String, String> settings) {
        for (String k : settings.keySet()) {
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("unknown smb adapter setting '" + k
                        + "' (signing, encryption, min_dialect, max_dialect, max_io_size, large_io_buffers, logon_max_failures, "
                        + "logon_window_seconds)");
            }
        }
        String signing = settings.getOrDefault("signing", "required");
        if (!signing.equals("required") && !signing.equals("enabled")) {
            throw new IllegalArgumentException("smb signing must be 'required' or 'enabled', not '" + signing + "'");
        }
        int min = SmbConfig.parseDialect(settings.getOrDefault("min_dialect", "2.0.2"));
        int max = SmbConfig.parseDialect(settings.getOrDefault("max_dialect", "3.1.1"));
        if (min > max) {
            throw new IllegalArgumentException("smb min_dialect is above max_dialect");
        }
        int io = intSetting(settings, "max_io_size", SmbConfig.MAX_IO, SmbConfig.CREDIT_BYTES, SmbConfig.MAX_IO);
        intSetting(settings, "large_io_buffers", DEFAULT_LARGE_IO_BUFFERS, 1, 4096);
        limiter(settings);
        int encryption = SmbConfig.parseEncryption(settings.getOrDefault("encryption", "enabled"));
        return SmbConfig.defaults().withDialects(min, max).withSigningRequired(signing.equals("required"))
                .withMaxIoSize(io).withEncryption(encryption);
    }

    /** The failed-logon limiter the settings ask for (per address and per account, within the window). */
    static LogonLimiter limiter(Map<String, String> settings) {
        return new LogonLimiter(intSetting(settings, "logon_max_failures", DEFAULT_LOGON_MAX_FAILURES, 1, 1_000_000),
                1000L * intSetting(settings, "logon_window_seconds", DEFAULT_LOGON_WINDOW_SECONDS, 1, 86_400));
    }

    private static int intSetting(Map<String, String> settings, String key, int dflt, int min, int max) {
        String v = settings.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("smb " + key + " must be a number from " + min + " to " + max + ", not '"
                + v + "'");
    }

    public static SmbAdapter start(String bind, AdapterDef def, ShareRegistry shares, SmbUsers users,
                                   LockManager locks, SmbServer.Options options) throws IOException {
        SmbConfig cfg = config(def.settings());
        BufferPool pool = new BufferPool(4096, 1024, 256,
                intSetting(def.settings(), "large_io_buffers", DEFAULT_LARGE_IO_BUFFERS, 1, 4096));
        try {
            SmbServer s = SmbServer.start("smb", new InetSocketAddress(bind, def.port()),
                    new SmbServices(cfg, shares, users, limiter(def.settings()), new SecureRandom(), locks), pool,
                    options);
            LOG.info("SMB adapter listening on {}:{} (dialects {}..{}, signing {}, encryption {}, max I/O {} bytes)", bind,
                    s.port(), Integer.toHexString(cfg.minDialect()), Integer.toHexString(cfg.maxDialect()),
                    cfg.signingRequired() ? "required" : "enabled", cfg.encryptionName(), cfg.maxIoSize());
            return new SmbAdapter(pool, s, Map.copyOf(def.settings()));
        } catch (IOException | RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    public int port() {
        return server.port();
    }

    /** The adapter's failed-logon limiter and counters. */
    public LogonLimiter logons() {
        return server.services().logons();
    }

    public Map<String, String> settings() {
        return settings;
    }

    @Override
    public void close() {
        server.close();
        pool.close();
        LOG.info("SMB adapter stopped");
    }
}
