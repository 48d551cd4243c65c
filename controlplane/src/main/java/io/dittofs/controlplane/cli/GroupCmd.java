package io.dittofs.controlplane.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dfsctl group}: groups and their members. */
@Command(name = "group", mixinStandardHelpOptions = true, description = "Manage groups and membership.")
final class GroupCmd extends Dfsctl.Sub {
    private static final String GROUPS = "/api/v1/groups";

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List groups.")
    int list() throws Exception {
        return print(call("GET", GROUPS, null));
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show a group.")
    int get(@Parameters(paramLabel = "NAME") String name) throws Exception {
        return print(call("GET", GROUPS + "/" + path(name), null));
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a group.")
    int create(@Parameters(paramLabel = "NAME") String name,
               @Option(names = "--gid", description = "Host gid: NFS callers carrying it get the group's grants.") Integer gid)
            throws Exception {
        return print(call("POST", GROUPS, body("name", name, "gid", gid)));
    }

    @Command(name = "update", mixinStandardHelpOptions = true, description = "Change a group's gid.")
    int update(@Parameters(paramLabel = "NAME") String name, @Option(names = "--gid", required = true) Integer gid)
            throws Exception {
        return print(call("PUT", GROUPS + "/" + path(name), body("gid", gid)));
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a group.")
    int delete(@Parameters(paramLabel = "NAME") String name) throws Exception {
        call("DELETE", GROUPS + "/" + path(name), null);
        return done("group " + name);
    }

    @Command(name = "add-member", mixinStandardHelpOptions = true, description = "Add a user to a group.")
    int addMember(@Parameters(paramLabel = "GROUP") String group, @Parameters(paramLabel = "USER") String user)
            throws Exception {
        return print(call("POST", GROUPS + "/" + path(group) + "/members", body("username", user)));
    }

    @Command(name = "remove-member", mixinStandardHelpOptions = true, description = "Remove a user from a group.")
    int removeMember(@Parameters(paramLabel = "GROUP") String group, @Parameters(paramLabel = "USER") String user)
            throws Exception {
        return print(call("DELETE", GROUPS + "/" + path(group) + "/members/" + path(user), null));
    }
}
