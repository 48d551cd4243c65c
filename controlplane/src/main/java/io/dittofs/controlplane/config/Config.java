package io.dittofs.controlplane.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The effective server configuration: defaults, then the YAML file, then {@code DITTOFS_*}
 * environment variables, then command-line options, each overriding the one before. Loading
 * never throws on bad values: every problem is collected in {@link #problems()} so
 * {@code dfs config validate} can report them all at once. Immutable; thread-safe.
 */
public final class Config {
    /** Where a value came from. */
    public enum Source { DEFAULT, FILE, ENV, COMMAND_LINE }

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private final Path file;
    private final Map<ConfigKey, String> values;
    private final Map<ConfigKey, Source> sources;
    private final List<String> problems;

    private Config(Path file, Map<ConfigKey, String> values, Map<ConfigKey, Source> sources, List<String> problems) {
        this.file = file;
        this.values = values;
        this.sources = sources;
        this.problems = List.copyOf(problems);
    }

    /**
     * Loads the configuration.
     *
     * @param file        the YAML file (it may be missing: defaults apply)
     * @param env         the environment ({@code System.getenv()} outside tests)
     * @param commandLine values given as command-line options
     */
    public static Config load(Path file, Map<String, String> env, Map<ConfigKey, String> commandLine) {
        Map<ConfigKey, String> values = new EnumMap<>(ConfigKey.class);
        Map<ConfigKey, Source> sources = new EnumMap<>(ConfigKey.class);
        List<String> problems = new ArrayList<>();
        for (ConfigKey k : ConfigKey.values()) {
            values.put(k, k.defaultValue());
            sources.put(k, Source.DEFAULT);
        }
        if (file != null && Files.isRegularFile(file)) {
            readYaml(file, values, sources, problems);
        }
        for (ConfigKey k : ConfigKey.values()) {
            String v = env.get(k.envVar());
            if (v != null) {
                values.put(k, v.strip());
                sources.put(k, Source.ENV);
            }
        }
        commandLine.forEach((k, v) -> {
            values.put(k, v);
            sources.put(k, Source.COMMAND_LINE);
        });
        for (ConfigKey k : ConfigKey.values()) {
            String err = check(k, values.get(k));
            if (err != null) {
                problems.add(k.path() + " (" + k.envVar() + ", from " + describe(sources.get(k)) + "): " + err);
            }
        }
        return new Config(file, values, sources, problems);
    }

    private static String describe(Source s) {
        return switch (s) {
            case DEFAULT -> "default";
            case FILE -> "config file";
            case ENV -> "environment";
            case COMMAND_LINE -> "command line";
        };
    }

    private static void readYaml(Path file, Map<ConfigKey, String> values, Map<ConfigKey, Source> sources,
                                 List<String> problems) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            problems.add(file + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
            return;
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return; // empty file: all defaults
        }
        if (!root.isObject()) {
            problems.add(file + ": the top level must be a mapping of sections");
            return;
        }
        flatten("", root, values, sources, problems);
    }

    private static void flatten(String prefix, JsonNode node, Map<ConfigKey, String> values,
                                Map<ConfigKey, Source> sources, List<String> problems) {
        Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            JsonNode v = e.getValue();
            if (v.isNull() && ConfigKey.byPath(path) == null) {
                continue; // a section whose keys are all commented out
            }
            if (v.isObject()) {
                flatten(path, v, values, sources, problems);
                continue;
            }
            ConfigKey k = ConfigKey.byPath(path);
            if (k == null) {
                problems.add(path + ": unknown key");
            } else if (v.isArray()) {
                problems.add(path + " (config file): must be a single value, not a list");
            } else if (!v.isNull()) {
                values.put(k, v.asText().strip());
                sources.put(k, Source.FILE);
            }
        }
    }

    /** Why {@code v} is not a valid value of {@code k}, or null. */
    static String check(ConfigKey k, String v) {
        switch (k.type()) {
            case INT, PORT, COUNT -> {
                int n;
                try {
                    n = Integer.parseInt(v);
                } catch (NumberFormatException e) {
                    return "'" + v + "' is not a whole number";
                }
                if (k.type() == ConfigKey.Type.PORT && (n < 1 || n > 65535)) {
                    return n + " is not a TCP port (1-65535)";
                }
                if (k.type() == ConfigKey.Type.INT && (n < -1 || n > 65535)) {
                    return n + " is out of range (-1-65535)";
                }
                if (k.type() == ConfigKey.Type.COUNT && n < 1) {
                    return n + " is not a positive number";
                }
            }
            case BOOL -> {
                if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                    return "'" + v + "' is not true or false";
                }
            }
            case DURATION -> {
                if (parseDuration(v) == null) {
                    return "'" + v + "' is not a duration (e.g. 30s, 15m, 168h, 1h30m)";
                }
            }
            case RATIO -> {
                try {
                    double d = Double.parseDouble(v);
                    if (!(d >= 0 && d <= 1)) {
                        return v + " is not between 0.0 and 1.0";
                    }
                } catch (NumberFormatException e) {
                    return "'" + v + "' is not a number";
                }
            }
            case ENUM -> {
                for (String c : k.choices()) {
                    if (c.equalsIgnoreCase(v)) {
                        return null;
                    }
                }
                return "'" + v + "' is not one of " + String.join(", ", k.choices());
            }
            case SECRET -> {
                if (k == ConfigKey.CONTROLPLANE_SECRET && !v.isEmpty() && v.length() < 32) {
                    return "must be at least 32 characters (it has " + v.length() + ")";
                }
            }
            case STRING -> {
                if (v.isEmpty() && k != ConfigKey.DATABASE_SQLITE_PATH && k != ConfigKey.CACHE_PATH
                        && k != ConfigKey.STORAGE_ALLOWED_ROOT && k != ConfigKey.STORAGE_DEFAULT_S3_ENDPOINT
                        && k != ConfigKey.STORAGE_DEFAULT_S3_PREFIX && k != ConfigKey.STORAGE_DEFAULT_S3_ACCESS_KEY) {
                    return "must not be empty";
                }
                if (k == ConfigKey.STORAGE_ALLOWED_ROOT && !v.isEmpty() && !v.startsWith("/") && !v.startsWith("~")) {
                    return "must be an absolute path";
                }
            }
        }
        return null;
    }

    /** Parses {@code 90}, {@code 30s}, {@code 15m}, {@code 168h}, {@code 1h30m}, {@code 500ms}; null if invalid. */
    public static Duration parseDuration(String v) {
        if (v == null || v.isEmpty()) {
            return null;
        }
        if (v.chars().allMatch(Character::isDigit)) {
            return v.length() > 12 ? null : Duration.ofSeconds(Long.parseLong(v));
        }
        Matcher m = DURATION.matcher(v);
        Duration d = Duration.ZERO;
        int at = 0;
        while (m.find() && m.start() == at) {
            if (m.group(1).length() > 12) {
                return null;
            }
            long n = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
            at = m.end();
        }
        return at == v.length() ? d : null;
    }

    public Path file() {
        return file;
    }

    /** Every problem found, one clear message each; empty when the configuration is valid. */
    public List<String> problems() {
        return problems;
    }

    public String get(ConfigKey k) {
        return values.get(k);
    }

    public Source source(ConfigKey k) {
        return sources.get(k);
    }

    public int getInt(ConfigKey k) {
        return Integer.parseInt(values.get(k));
    }

    public boolean getBool(ConfigKey k) {
        return Boolean.parseBoolean(values.get(k));
    }

    public Duration getDuration(ConfigKey k) {
        return parseDuration(values.get(k));
    }

    /** A copy with {@code k} set to {@code v} (as from the command line). */
    public Config with(ConfigKey k, String v) {
        Map<ConfigKey, String> vs = new EnumMap<>(values);
        Map<ConfigKey, Source> ss = new EnumMap<>(sources);
        vs.put(k, v);
        ss.put(k, Source.COMMAND_LINE);
        return new Config(file, vs, ss, problems);
    }

    /** The value as shown to people: secrets masked. */
    public String display(ConfigKey k) {
        String v = values.get(k);
        if (k.secret()) {
            return v.isEmpty() ? "(not set)" : "******** (" + v.length() + " chars)";
        }
        return v;
    }
}
