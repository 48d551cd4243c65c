package io.dittofs.controlplane.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code dfsctl settings}: server settings (admin). */
@Command(name = "settings", mixinStandardHelpOptions = true, description = "Manage server settings.")
final class SettingsCmd extends Dfsctl.Sub {
    private static final String SETTINGS = "/api/v1/settings";

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List settings.")
    int list() throws Exception {
        return print(call("GET", SETTINGS, null));
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show a setting.")
    int get(@Parameters(paramLabel = "NAME") String name) throws Exception {
        return print(call("GET", SETTINGS + "/" + path(name), null));
    }

    @Command(name = "set", mixinStandardHelpOptions = true, description = "Set a setting.")
    int set(@Parameters(paramLabel = "NAME") String name, @Parameters(paramLabel = "VALUE") String value) throws Exception {
        return print(call("PUT", SETTINGS + "/" + path(name), body("value", value)));
    }

    @Command(name = "unset", mixinStandardHelpOptions = true, description = "Remove a setting.")
    int unset(@Parameters(paramLabel = "NAME") String name) throws Exception {
        call("DELETE", SETTINGS + "/" + path(name), null);
        return done("setting " + name);
    }
}
