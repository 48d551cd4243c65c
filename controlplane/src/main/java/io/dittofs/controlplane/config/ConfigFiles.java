package io.dittofs.controlplane.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.dittofs.storage.PrivateFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/** Where configuration lives on disk, the commented default file, and the generated secret. Stateless. */
public final class ConfigFiles {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigFiles.class);
    /** The file a generated control-plane secret is kept in, inside the state directory. */
    public static final String SECRET_FILE = "controlplane.secret";

    private ConfigFiles() {
    }

    /** {@code $DITTOFS_CONFIG}, else {@code $XDG_CONFIG_HOME/dittofs/config.yaml}, else {@code ~/.config/dittofs/config.yaml}. */
    public static Path defaultConfigFile(Map<String, String> env) {
        String explicit = env.get("DITTOFS_CONFIG");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        return configHome(env).resolve("dittofs").resolve("config.yaml");
    }

    /** {@code $XDG_CONFIG_HOME}, else {@code ~/.config}. */
    public static Path configHome(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg);
        }
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        return Path.of(home).resolve(".config");
    }

    /** Expands a leading {@code ~/}. */
    public static Path expand(String p, Map<String, String> env) {
        if (p.equals("~") || p.startsWith("~/")) {
            String home = env.getOrDefault("HOME", System.getProperty("user.home"));
            return Path.of(home + p.substring(1));
        }
        return Path.of(p);
    }

    /** The commented default configuration file, with a freshly generated secret. */
    public static String defaultYaml(String secret) {
        StringBuilder sb = new StringBuilder();
        sb.append("# DittoFS server configuration (written by `dfs init`).\n")
          .append("# Every key can be overridden by an environment variable: DITTOFS_ + the key path in\n")
          .append("# upper case with dots as underscores, e.g. logging.level -> DITTOFS_LOGGING_LEVEL.\n")
          .append("# Uncomment a key to set it. Check this file with `dfs config validate`; see the effective values with `dfs config show`.\n");
        String[] prev = new String[0];
        for (ConfigKey k : ConfigKey.values()) {
            String[] parts = k.path().split("\\.");
            int common = 0;
            while (common < prev.length - 1 && common < parts.length - 1 && prev[common].equals(parts[common])) {
                common++;
            }
            if (common == 0) {
                sb.append('\n');
            }
            for (int i = common; i < parts.length - 1; i++) {
                sb.append("  ".repeat(i)).append(parts[i]).append(":\n");
            }
            String indent = "  ".repeat(parts.length - 1);
            String value = k == ConfigKey.CONTROLPLANE_SECRET ? secret : k.defaultValue();
            sb.append(indent).append("# ").append(k.description()).append(" (").append(k.envVar()).append(")\n");
            // only the secret is set; every other key shows its default, commented out, so it stays a
            // default (an uncommented key is explicit and, for adapter ports, wins over the API at start)
            sb.append(indent).append(k == ConfigKey.CONTROLPLANE_SECRET ? "" : "# ")
              .append(parts[parts.length - 1]).append(": ").append(quote(value)).append('\n');
            prev = parts;
        }
        return sb.toString();
    }

    private static String quote(String v) {
        return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** A random secret: 48 URL-safe characters (288 bits). */
    public static String randomSecret() {
        byte[] b = new byte[36];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Writes {@code text} to a new file readable by its owner only; fails if it exists. */
    public static void writePrivate(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        PrivateFiles.createDirectories(dir);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    }

    /**
     * The control-plane secret: the configured one, else the one kept in {@code stateDir}, else a
     * new one generated and kept there (mode 0600). Never logs the secret itself.
     *
     * @throws IllegalStateException if the configured secret is too short
     */
    public static String resolveSecret(Config config, Path stateDir) throws IOException {
        String s = config.get(ConfigKey.CONTROLPLANE_SECRET);
        if (!s.isEmpty()) {
            if (s.length() < 32) {
                throw new IllegalStateException("the control-plane secret (" + ConfigKey.CONTROLPLANE_SECRET.envVar()
                        + ") must be at least 32 characters; refusing to start");
            }
            return s;
        }
        Path f = stateDir.resolve(SECRET_FILE);
        if (Files.isRegularFile(f)) {
            String kept = Files.readString(f, StandardCharsets.UTF_8).strip();
            if (kept.length() < 32) {
                throw new IllegalStateException(f + " holds a secret shorter than 32 characters; refusing to start");
            }
            return kept;
        }
        String fresh = randomSecret();
        try {
            writePrivate(f, fresh + "\n");
        } catch (FileAlreadyExistsException race) {
            return Files.readString(f, StandardCharsets.UTF_8).strip();
        }
        LOG.info("no control-plane secret configured ({}); generated one and kept it in {} (mode 0600)",
                ConfigKey.CONTROLPLANE_SECRET.envVar(), f);
        return fresh;
    }
}
