package io.dittofs.controlplane.runtime;

import io.dittofs.controlplane.model.AdapterDef;
import io.dittofs.core.ShareRegistry;
import io.dittofs.core.buffer.BufferPool;
import io.dittofs.core.lock.LockManager;
import io.dittofs.protocols.smb.SmbConfig;
import io.dittofs.protocols.smb.SmbServices;
import io.dittofs.protocols.smb.SmbUsers;
import io.dittofs.protocols.smb.server.SmbServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * The SMB adapter: an {@link SmbServer} over the runtime's shares with its own buffer pool,
 * configured from the {@code smb} adapter definition's settings ({@code signing}:
 * {@code required}|{@code enabled}; {@code min_dialect}, {@code max_dialect}). Thread-safe.
 */
public final class SmbAdapter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SmbAdapter.class);

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
            if (!k.equals("signing") && !k.equals("min_dialect") && !k.equals("max_dialect")) {
                throw new IllegalArgumentException("unknown smb adapter setting '" + k
                        + "' (signing, min_dialect, max_dialect)");
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
        return SmbConfig.defaults().withDialects(min, max).withSigningRequired(signing.equals("required"));
    }

    public static SmbAdapter start(String bind, AdapterDef def, ShareRegistry shares, SmbUsers users,
                                   LockManager locks, SmbServer.Options options) throws IOException {
        SmbConfig cfg = config(def.settings());
        BufferPool pool = new BufferPool();
        try {
            SmbServer s = SmbServer.start("smb", new InetSocketAddress(bind, def.port()),
                    new SmbServices(cfg, shares, users, locks), pool, options);
            LOG.info("SMB adapter listening on {}:{} (dialects {}..{}, signing {})", bind, s.port(),
                    Integer.toHexString(cfg.minDialect()), Integer.toHexString(cfg.maxDialect()),
                    cfg.signingRequired() ? "required" : "enabled");
            return new SmbAdapter(pool, s, Map.copyOf(def.settings()));
        } catch (IOException | RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    public int port() {
        return server.port();
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
