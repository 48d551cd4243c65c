package io.dittofs.controlplane.config;

import java.util.Locale;

/**
 * Every configuration key the server knows: its dotted YAML path, its {@code DITTOFS_*}
 * environment variable (the path upper-cased with dots turned into underscores), its type,
 * default and one-line description (used for the commented default file and {@code dfs config show}).
 */
public enum ConfigKey {
    LOGGING_LEVEL("logging.level", Type.ENUM, "INFO", "log level: TRACE, DEBUG, INFO, WARN, ERROR",
            "TRACE", "DEBUG", "INFO", "WARN", "ERROR"),
    LOGGING_FORMAT("logging.format", Type.ENUM, "text", "log format: text or json", "text", "json"),
    LOGGING_OUTPUT("logging.output", Type.STRING, "stdout", "stdout, stderr or a file path"),
    SERVER_SHUTDOWN_TIMEOUT("server.shutdown_timeout", Type.DURATION, "10s",
            "time in-flight calls get on shutdown (e.g. 10s, 1m; a bare number is seconds)"),
    SERVER_RATE_LIMITING_ENABLED("server.rate_limiting.enabled", Type.BOOL, "true",
            "rate-limit login attempts on the control-plane API"),
    ADAPTERS_NFS_PORT("adapters.nfs.port", Type.PORT, "12049", "NFSv3 + MOUNT port (seeds the nfs adapter on first start)"),
    ADAPTERS_NFS_BIND("adapters.nfs.bind", Type.STRING, "0.0.0.0", "listen address of the protocol adapters"),
    ADAPTERS_NFS_PORTMAP_PORT("adapters.nfs.portmap_port", Type.INT, "-1", "embedded portmapper port; -1 disables it"),
    ADAPTERS_NFS_LEASE_TIME("adapters.nfs.lease_time", Type.DURATION, "90s",
            "NFSv4 lease time (1s to 1h); also the grace period after a restart in which clients reclaim"),
    ADAPTERS_NFS_DELEGATIONS("adapters.nfs.delegations", Type.BOOL, "true",
            "NFSv4.1+ read delegations (recalled over the back channel before other clients, NFSv3 or SMB change the file)"),
    ADAPTERS_NFS_GRACE_PERIOD("adapters.nfs.grace_period", Type.DURATION, "90s",
            "lock-reclaim grace period after a start: only reclaims of NLM locks are granted meanwhile (0s: none; none either when no NLM host held a lock before the start)"),
    ADAPTERS_SMB_PORT("adapters.smb.port", Type.PORT, "12445", "SMB2/3 port (seeds the smb adapter on first start)"),
    ADAPTERS_SMB_ENABLED("adapters.smb.enabled", Type.BOOL, "true", "serve SMB (seeds the smb adapter on first start)"),
    ADAPTERS_SMB_SIGNING("adapters.smb.signing", Type.ENUM, "required",
            "SMB signing: required, or enabled (signed only when the client requires it)", "required", "enabled"),
    ADAPTERS_SMB_ENCRYPTION("adapters.smb.encryption", Type.ENUM, "enabled",
            "SMB 3.x encryption: enabled (a client that asks for it gets it), required (every session encrypts; "
                    + "clients below 3.0 and guests are refused), or off", "enabled", "required", "off"),
    ADAPTERS_SMB_MIN_DIALECT("adapters.smb.min_dialect", Type.ENUM, "2.0.2", "lowest SMB dialect offered",
            "2.0.2", "2.1", "3.0", "3.0.2", "3.1.1"),
    ADAPTERS_SMB_MAX_DIALECT("adapters.smb.max_dialect", Type.ENUM, "3.1.1", "highest SMB dialect offered",
            "2.0.2", "2.1", "3.0", "3.0.2", "3.1.1"),
    ADAPTERS_SMB_MAX_IO_SIZE("adapters.smb.max_io_size", Type.COUNT, "8388608",
            "SMB MaxReadSize/MaxWriteSize in bytes, 65536 to 8388608 (2.0.2 clients get 65536)"),
    ADAPTERS_SMB_LARGE_IO_BUFFERS("adapters.smb.large_io_buffers", Type.COUNT, "32",
            "8 MiB SMB I/O buffers the adapter may hold at once across all connections (its memory budget for large I/O)"),
    ADAPTERS_SMB_LOGON_MAX_FAILURES("adapters.smb.logon_max_failures", Type.COUNT, "10",
            "failed SMB logons per client address and per account within the window before further logons are refused"),
    ADAPTERS_SMB_LOGON_WINDOW_SECONDS("adapters.smb.logon_window_seconds", Type.COUNT, "60",
            "the window of adapters.smb.logon_max_failures, in seconds"),
    METRICS_ENABLED("metrics.enabled", Type.BOOL, "false", "Prometheus metrics endpoint /metrics (on the adapters' bind address)"),
    METRICS_PORT("metrics.port", Type.PORT, "9090", "Prometheus metrics port"),
    TELEMETRY_ENABLED("telemetry.enabled", Type.BOOL, "false", "OpenTelemetry tracing: a span per RPC call, exported over OTLP/gRPC"),
    TELEMETRY_ENDPOINT("telemetry.endpoint", Type.STRING, "localhost:4317", "OTLP gRPC endpoint (host:port, or an http(s):// URL)"),
    TELEMETRY_INSECURE("telemetry.insecure", Type.BOOL, "true", "OTLP without TLS"),
    TELEMETRY_SAMPLE_RATE("telemetry.sample_rate", Type.RATIO, "1.0", "trace sample rate 0.0-1.0"),
    TELEMETRY_PROFILING_ENABLED("telemetry.profiling.enabled", Type.BOOL, "false",
            "continuous profiling with JFR: CPU, allocations, lock contention, virtual-thread pinning (off: no recording)"),
    TELEMETRY_PROFILING_ENDPOINT("telemetry.profiling.endpoint", Type.STRING, "http://localhost:4040",
            "Pyroscope-compatible server the folded stacks are pushed to (POST /ingest)"),
    TELEMETRY_PROFILING_MODE("telemetry.profiling.mode", Type.ENUM, "push",
            "push: to the endpoint; local: rolling JFR files under <data dir>/profiles; both", "push", "local", "both"),
    TELEMETRY_PROFILING_APP_NAME("telemetry.profiling.app_name", Type.STRING, "dittofs",
            "application name of the pushed profiles (<name>.cpu, .alloc_space, .lock_time, .pinned_time)"),
    TELEMETRY_PROFILING_INTERVAL("telemetry.profiling.interval", Type.DURATION, "15s",
            "how much profile each push covers"),
    TELEMETRY_PROFILING_LOCAL_ROTATE("telemetry.profiling.local_rotate", Type.DURATION, "5m",
            "local mode: time covered by one JFR file"),
    TELEMETRY_PROFILING_LOCAL_MAX_AGE("telemetry.profiling.local_max_age", Type.DURATION, "24h",
            "local mode: JFR files older than this are deleted"),
    TELEMETRY_PROFILING_LOCAL_MAX_SIZE_MB("telemetry.profiling.local_max_size_mb", Type.INT, "512",
            "local mode: the oldest JFR files are deleted while all of them exceed this many MiB"),
    CONTROLPLANE_PORT("controlplane.port", Type.INT, "8080", "REST API port (0 picks a free port)"),
    CONTROLPLANE_BIND("controlplane.bind", Type.STRING, "127.0.0.1",
            "REST API listen address (administration is local unless this opens it)"),
    CONTROLPLANE_SECRET("controlplane.secret", Type.SECRET, "",
            "JWT signing secret, at least 32 characters; empty: generated once and kept in the config directory"),
    CONTROLPLANE_JWT_ACCESS_TOKEN_DURATION("controlplane.jwt.access_token_duration", Type.DURATION, "15m",
            "lifetime of access tokens"),
    CONTROLPLANE_JWT_REFRESH_TOKEN_DURATION("controlplane.jwt.refresh_token_duration", Type.DURATION, "168h",
            "lifetime of refresh tokens"),
    DATABASE_TYPE("database.type", Type.ENUM, "sqlite", "control-plane database: sqlite or postgres", "sqlite", "postgres"),
    DATABASE_SQLITE_PATH("database.sqlite.path", Type.STRING, "", "SQLite file; empty: db.sqlite in the config directory"),
    DATABASE_POSTGRES_HOST("database.postgres.host", Type.STRING, "localhost", "PostgreSQL host"),
    DATABASE_POSTGRES_PORT("database.postgres.port", Type.PORT, "5432", "PostgreSQL port"),
    DATABASE_POSTGRES_USER("database.postgres.user", Type.STRING, "dittofs", "PostgreSQL user"),
    DATABASE_POSTGRES_PASSWORD("database.postgres.password", Type.SECRET, "", "PostgreSQL password"),
    DATABASE_POSTGRES_DBNAME("database.postgres.dbname", Type.STRING, "dittofs", "PostgreSQL database"),
    DATABASE_AUTO_MIGRATE("database.auto_migrate", Type.BOOL, "true", "apply schema migrations at start"),
    CACHE_PATH("cache.path", Type.STRING, "", "WAL cache directory (used by persistent block stores)"),
    STORAGE_DEFAULT_METADATA("storage.default.metadata", Type.ENUM, "lmdb",
            "first start only: metadata store of the default share (postgres: the database.postgres.* server)",
            "lmdb", "postgres"),
    STORAGE_DEFAULT_BLOCKS("storage.default.blocks", Type.ENUM, "fs",
            "first start only: block store of the default share (fs: files under the data directory; s3: storage.default.s3.*), "
                    + "behind the WAL cache", "fs", "s3"),
    STORAGE_DEFAULT_S3_BUCKET("storage.default.s3.bucket", Type.STRING, "dittofs", "S3 bucket of the default share"),
    STORAGE_DEFAULT_S3_REGION("storage.default.s3.region", Type.STRING, "us-east-1", "S3 region"),
    STORAGE_DEFAULT_S3_ENDPOINT("storage.default.s3.endpoint", Type.STRING, "",
            "S3-compatible server URL (path-style); empty: AWS"),
    STORAGE_DEFAULT_S3_PREFIX("storage.default.s3.prefix", Type.STRING, "", "key prefix in the bucket"),
    STORAGE_DEFAULT_S3_ACCESS_KEY("storage.default.s3.access_key", Type.STRING, "",
            "S3 access key; empty: the AWS default credentials chain"),
    STORAGE_DEFAULT_S3_SECRET_KEY("storage.default.s3.secret_key", Type.SECRET, "", "S3 secret key"),
    STORAGE_ALLOWED_ROOT("storage.allowed_root", Type.STRING, "",
            "directory that fs/lmdb store paths and WAL caches created through the API must lie under; "
                    + "empty: the data directory (and cache.path when set)");

    /** Value types; each has its own validation. */
    /** COUNT: a positive whole number up to 2^31 - 1 (sizes, limits); INT: -1 to 65535. */
    public enum Type { STRING, INT, PORT, BOOL, DURATION, ENUM, SECRET, RATIO, COUNT }

    private final String path;
    private final Type type;
    private final String defaultValue;
    private final String description;
    private final String[] choices;

    ConfigKey(String path, Type type, String defaultValue, String description, String... choices) {
        this.path = path;
        this.type = type;
        this.defaultValue = defaultValue;
        this.description = description;
        this.choices = choices;
    }

    public String path() {
        return path;
    }

    public Type type() {
        return type;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    public String[] choices() {
        return choices.clone();
    }

    /** {@code DITTOFS_} + the path upper-cased, dots as underscores. */
    public String envVar() {
        return "DITTOFS_" + path.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    public boolean secret() {
        return type == Type.SECRET;
    }

    /** The key with this dotted path, or null. */
    public static ConfigKey byPath(String path) {
        for (ConfigKey k : values()) {
            if (k.path.equals(path)) {
                return k;
            }
        }
        return null;
    }
}
