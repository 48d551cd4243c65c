package io.dittofs.controlplane.profiling;

import io.dittofs.controlplane.config.Config;
import io.dittofs.controlplane.config.ConfigKey;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code telemetry.profiling.*} settings the profiler runs with. Immutable.
 *
 * @param push         push folded stacks to {@code endpoint}
 * @param local        keep rolling JFR files in {@code dir}
 * @param endpoint     base URL of a Pyroscope-compatible server
 * @param appName      the pushed profiles' application name
 * @param interval     the time one push covers
 * @param dir          where local mode keeps its files
 * @param rotate       the time one local file covers
 * @param maxAge       local files older than this are deleted
 * @param maxBytes     the oldest local files are deleted while all of them exceed this
 */
public record ProfilingSettings(boolean push, boolean local, String endpoint, String appName, Duration interval,
                                Path dir, Duration rotate, Duration maxAge, long maxBytes) {

    /** The settings of {@code c}, local files under {@code dataRoot/profiles}; null when profiling is off. */
    public static ProfilingSettings from(Config c, Path dataRoot) {
        if (!c.getBool(ConfigKey.TELEMETRY_PROFILING_ENABLED)) {
            return null;
        }
        String mode = c.get(ConfigKey.TELEMETRY_PROFILING_MODE).toLowerCase(java.util.Locale.ROOT);
        return new ProfilingSettings(!mode.equals("local"), !mode.equals("push"),
                c.get(ConfigKey.TELEMETRY_PROFILING_ENDPOINT), c.get(ConfigKey.TELEMETRY_PROFILING_APP_NAME),
                positive(c.getDuration(ConfigKey.TELEMETRY_PROFILING_INTERVAL)), dataRoot.resolve("profiles"),
                positive(c.getDuration(ConfigKey.TELEMETRY_PROFILING_LOCAL_ROTATE)),
                c.getDuration(ConfigKey.TELEMETRY_PROFILING_LOCAL_MAX_AGE),
                Math.max(1, c.getInt(ConfigKey.TELEMETRY_PROFILING_LOCAL_MAX_SIZE_MB)) * 1024L * 1024L);
    }

    private static Duration positive(Duration d) {
        return d.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : d;
    }
}
