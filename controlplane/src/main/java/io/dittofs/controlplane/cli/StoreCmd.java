package io.dittofs.controlplane.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Map;

/** {@code dfsctl store metadata|block}: store definitions. */
@Command(name = "store", mixinStandardHelpOptions = true, description = "Manage metadata and block store definitions.",
        subcommands = {StoreCmd.Metadata.class, StoreCmd.Block.class})
final class StoreCmd extends Dfsctl.Sub implements Runnable {
    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The commands of one store kind. */
    abstract static class Kind extends Dfsctl.Sub {
        abstract String kind();

        private String base() {
            return "/api/v1/stores/" + kind();
        }

        @Command(name = "list", mixinStandardHelpOptions = true,
                description = "List store definitions (block stores behind a write-back cache also show its flush health).")
        int list() throws Exception {
            return print(call("GET", base(), null));
        }

        @Command(name = "get", mixinStandardHelpOptions = true, description = "Show a store definition; for a block store "
                + "behind a write-back cache also its flush health: state ok/failing, failing since, last error, "
                + "dirty bytes, WAL segments.")
        int get(@Parameters(paramLabel = "NAME") String name) throws Exception {
            return print(call("GET", base() + "/" + path(name), null));
        }

        @Command(name = "create", mixinStandardHelpOptions = true, description = "Define a store.")
        int create(@Parameters(paramLabel = "NAME") String name,
                   @Option(names = "--type", required = true, description = "Backend: memory (metadata, block), lmdb (metadata), postgres (metadata), fs (block); lmdb and fs need --set path=DIR; postgres needs --set url=jdbc:postgresql://HOST/DB --set user=U (optional password, prefix, pool).") String type,
                   @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A backend setting, e.g. path=/srv/blocks.") Map<String, String> settings)
                throws Exception {
            return print(call("POST", base(), body("name", name, "type", type, "config", settings == null ? Map.of() : settings)));
        }

        @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a store definition (no share may use it).")
        int delete(@Parameters(paramLabel = "NAME") String name) throws Exception {
            call("DELETE", base() + "/" + path(name), null);
            return done(kind() + " store " + name);
        }
    }

    @Command(name = "metadata", mixinStandardHelpOptions = true, description = "Metadata stores.")
    static final class Metadata extends Kind {
        @Override
        String kind() {
            return "metadata";
        }
    }

    @Command(name = "block", mixinStandardHelpOptions = true, description = "Block stores.")
    static final class Block extends Kind {
        @Override
        String kind() {
            return "block";
        }
    }
}
