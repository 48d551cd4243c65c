package io.dittofs.controlplane.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Map;

/** {@code dfsctl adapter}: protocol adapters (changes take effect at once). */
@Command(name = "adapter", mixinStandardHelpOptions = true, description = "Manage protocol adapters (nfs, smb).")
final class AdapterCmd extends Dfsctl.Sub {
    private static final String ADAPTERS = "/api/v1/adapters";

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List adapters.")
    int list() throws Exception {
        return print(call("GET", ADAPTERS, null));
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show an adapter.")
    int get(@Parameters(paramLabel = "TYPE") String type) throws Exception {
        return print(call("GET", ADAPTERS + "/" + path(type), null));
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Start an adapter.")
    int enable(@Parameters(paramLabel = "TYPE") String type) throws Exception {
        return print(call("PUT", ADAPTERS + "/" + path(type), body("enabled", true)));
    }

    @Command(name = "disable", mixinStandardHelpOptions = true, description = "Stop an adapter (its port closes).")
    int disable(@Parameters(paramLabel = "TYPE") String type) throws Exception {
        return print(call("PUT", ADAPTERS + "/" + path(type), body("enabled", false)));
    }

    @Command(name = "set", mixinStandardHelpOptions = true, description = "Change an adapter's port or settings.")
    int set(@Parameters(paramLabel = "TYPE") String type,
            @Option(names = "--port", description = "TCP port.") Integer port,
            @Option(names = "--set", paramLabel = "KEY=VALUE", description = "An adapter setting.") Map<String, String> settings)
            throws Exception {
        return print(call("PUT", ADAPTERS + "/" + path(type), body("port", port, "settings", settings)));
    }
}
