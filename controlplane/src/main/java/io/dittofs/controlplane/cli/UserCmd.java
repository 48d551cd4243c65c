package io.dittofs.controlplane.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dfsctl user}: users (admin), and {@code passwd} for oneself. */
@Command(name = "user", mixinStandardHelpOptions = true, description = "Manage users.")
final class UserCmd extends Dfsctl.Sub {
    private static final String USERS = "/api/v1/users";

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List users.")
    int list() throws Exception {
        return print(call("GET", USERS, null));
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show a user ('me' for yourself).")
    int get(@Parameters(paramLabel = "NAME") String name) throws Exception {
        return print(call("GET", USERS + "/" + path(name), null));
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a user.")
    int create(@Parameters(paramLabel = "NAME") String name,
               @Option(names = {"-p", "--password"}, description = "Password (else prompted).") String password,
               @Option(names = "--password-stdin", description = "Read the password from standard input.") boolean stdin,
               @Option(names = "--role", description = "admin, operator or user (default: user).") String role,
               @Option(names = "--uid", description = "Host uid: NFS (AUTH_SYS) callers with this uid are this user.") Integer uid,
               @Option(names = "--gid", description = "Host gid.") Integer gid) throws Exception {
        String pw = password(password, stdin, "Password for " + name + ": ");
        return print(call("POST", USERS, body("username", name, "password", pw, "role", role, "uid", uid, "gid", gid)));
    }

    @Command(name = "update", mixinStandardHelpOptions = true, description = "Change a user (admin).")
    int update(@Parameters(paramLabel = "NAME") String name,
               @Option(names = "--role", description = "admin, operator or user.") String role,
               @Option(names = "--uid", description = "Host uid.") Integer uid,
               @Option(names = "--gid", description = "Host gid.") Integer gid,
               @Option(names = "--enabled", arity = "1", description = "true or false.") Boolean enabled,
               @Option(names = "--password", description = "A new (temporary) password.") String password) throws Exception {
        return print(call("PUT", USERS + "/" + path(name),
                body("role", role, "uid", uid, "gid", gid, "enabled", enabled, "password", password)));
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a user.")
    int delete(@Parameters(paramLabel = "NAME") String name) throws Exception {
        call("DELETE", USERS + "/" + path(name), null);
        return done("user " + name);
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true, description = "Change your own password.")
    int passwd(@Option(names = "--current", description = "Current password (else prompted).") String current,
               @Option(names = "--new", description = "New password (else prompted).") String fresh) throws Exception {
        String c = password(current, false, "Current password: ");
        String n = password(fresh, false, "New password: ");
        com.fasterxml.jackson.databind.JsonNode reply = call("POST", USERS + "/me/password",
                body("current_password", c, "new_password", n));
        if (reply != null && reply.hasNonNull("access_token")) {
            // the change voided every earlier token, including the stored ones: keep the fresh pair
            root().client.save(root().client.server(root().server), reply);
            ((com.fasterxml.jackson.databind.node.ObjectNode) reply).remove(
                    java.util.List.of("access_token", "refresh_token", "token_type", "expires_in"));
        }
        return print(reply);
    }
}
