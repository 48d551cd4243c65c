package io.dittofs.controlplane.cli;

import io.dittofs.controlplane.config.Config;
import io.dittofs.controlplane.config.ConfigFiles;
import io.dittofs.controlplane.config.ConfigKey;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code dfs}: the server command ({@code ./dfs} adds {@code stop}, {@code status} and backgrounding). */
@Command(name = "dfs", mixinStandardHelpOptions = true, versionProvider = Dfs.Version.class,
        description = "DittoFS file server.",
        subcommands = {ServerStart.class, Dfs.Init.class, Dfs.ConfigCmd.class, Dfs.VersionCmd.class})
public final class Dfs implements Runnable {
    static final String VERSION = "0.1.0-SNAPSHOT";

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Dfs()).execute(args));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"dfs " + VERSION + " (Java " + Runtime.version() + ")"};
        }
    }

    @Command(name = "version", description = "Print the version.")
    static final class VersionCmd implements Runnable {
        @Override
        public void run() {
            System.out.println(new Version().getVersion()[0]);
        }
    }

    /** The config file: {@code --config}, else the default location. */
    static Path configFile(Path option) {
        return option != null ? option : ConfigFiles.defaultConfigFile(System.getenv());
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Write a commented default configuration file (with a fresh control-plane secret).")
    static final class Init implements Callable<Integer> {
        @Option(names = "--config", description = "File to write (default: $DITTOFS_CONFIG or ~/.config/dittofs/config.yaml).")
        Path config;

        @Option(names = "--force", description = "Overwrite an existing file.")
        boolean force;

        @Override
        public Integer call() throws Exception {
            Path f = configFile(config);
            if (Files.exists(f)) {
                if (!force) {
                    System.err.println("dfs: " + f + " already exists (use --force to overwrite)");
                    return 1;
                }
                Files.delete(f);
            }
            ConfigFiles.writePrivate(f, ConfigFiles.defaultYaml(ConfigFiles.randomSecret()));
            System.out.println("dfs: wrote " + f + " (mode 0600; it holds the control-plane secret)");
            return 0;
        }
    }

    @Command(name = "config", mixinStandardHelpOptions = true, description = "Show or check the configuration.",
            subcommands = {ConfigShow.class, ConfigValidate.class})
    static final class ConfigCmd implements Runnable {
        @Override
        public void run() {
            new CommandLine(this).usage(System.out);
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print every key's effective value and where it came from (secrets masked).")
    static final class ConfigShow implements Callable<Integer> {
        @Option(names = "--config", description = "Config file (default: $DITTOFS_CONFIG or ~/.config/dittofs/config.yaml).")
        Path config;

        @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json")
        String output;

        @Override
        public Integer call() throws Exception {
            Config c = Config.load(configFile(config), System.getenv(), Map.of());
            if ("json".equals(output)) {
                Map<String, Object> m = new LinkedHashMap<>();
                for (ConfigKey k : ConfigKey.values()) {
                    m.put(k.path(), Map.of("value", c.display(k), "source", c.source(k).name().toLowerCase(),
                            "env", k.envVar()));
                }
                System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                        .writeValueAsString(Map.of("file", String.valueOf(c.file()), "keys", m, "problems", c.problems())));
            } else {
                System.out.println("# file: " + c.file() + (Files.isRegularFile(c.file()) ? "" : " (missing: defaults apply)"));
                Table t = new Table("KEY", "VALUE", "SOURCE", "ENVIRONMENT");
                for (ConfigKey k : ConfigKey.values()) {
                    t.row(k.path(), c.display(k), c.source(k).name().toLowerCase(), k.envVar());
                }
                t.print(System.out);
                for (String p : c.problems()) {
                    System.err.println("invalid: " + p);
                }
            }
            return c.problems().isEmpty() ? 0 : 1;
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Check the configuration file and DITTOFS_* variables; report every invalid key.")
    static final class ConfigValidate implements Callable<Integer> {
        @Option(names = "--config", description = "Config file (default: $DITTOFS_CONFIG or ~/.config/dittofs/config.yaml).")
        Path config;

        @Override
        public Integer call() {
            Config c = Config.load(configFile(config), System.getenv(), Map.of());
            List<String> problems = c.problems();
            if (problems.isEmpty()) {
                System.out.println("dfs: configuration is valid (" + c.file()
                        + (Files.isRegularFile(c.file()) ? "" : ", missing: defaults apply") + ")");
                return 0;
            }
            System.err.println("dfs: " + problems.size() + " invalid setting(s):");
            for (String p : problems) {
                System.err.println("  " + p);
            }
            return 1;
        }
    }

    /** Command-line values as configuration overrides (only the options actually given). */
    static Map<ConfigKey, String> overrides(Object... kv) {
        Map<ConfigKey, String> m = new EnumMap<>(ConfigKey.class);
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] != null) {
                m.put((ConfigKey) kv[i], kv[i + 1].toString());
            }
        }
        return m;
    }
}
