package io.dittofs.controlplane.cli;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Arrays;
import java.util.List;

/** {@code dfsctl share}: shares and {@code share permission grant|revoke|list}. */
@Command(name = "share", mixinStandardHelpOptions = true, description = "Manage shares and their permissions.",
        subcommands = ShareCmd.PermissionCmd.class)
final class ShareCmd extends Dfsctl.Sub {
    static final String SHARES = "/api/v1/shares";

    /** "/data" and "data" both name the share /data. */
    static String shareSeg(String name) {
        return path(name.startsWith("/") ? name.substring(1) : name);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List shares.")
    int list() throws Exception {
        return print(call("GET", SHARES, null));
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show a share.")
    int get(@Parameters(paramLabel = "NAME") String name) throws Exception {
        return print(call("GET", SHARES + "/" + shareSeg(name), null));
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a share; it is served at once.")
    int create(@Parameters(paramLabel = "NAME", description = "Export path, e.g. /data.") String name,
               @Option(names = "--metadata", required = true, description = "Metadata store name.") String meta,
               @Option(names = "--block", required = true, description = "Block store name.") String block,
               @Option(names = "--read-only", description = "Nobody may write.") boolean readOnly,
               @Option(names = "--default-permission", description = "For callers without a grant: none, read, read-write (default: none).") String dflt,
               @Option(names = "--root-squash", negatable = true, defaultValue = "true", fallbackValue = "true",
                       description = "Map uid 0 to the anonymous uid/gid (default: on; --no-root-squash to turn it off).")
               boolean rootSquash,
               @Option(names = "--anon-uid", description = "The uid squashed root gets (default 65534).") Integer anonUid,
               @Option(names = "--anon-gid", description = "The gid squashed root gets (default 65534).") Integer anonGid,
               @Option(names = "--secure", description = "Refuse MOUNT and NFS calls from source ports >= 1024.") boolean secure,
               @Option(names = "--clients", paramLabel = "LIST",
                       description = "Allowed client addresses and CIDRs, comma-separated, e.g. 10.0.0.0/8,192.168.1.5,fd00::/8 "
                               + "(default: every address).") String clients,
               @Option(names = "--disabled", description = "Create it without serving it.") boolean disabled) throws Exception {
        return print(call("POST", SHARES, body("name", name, "metadata_store", meta, "block_store", block,
                "read_only", readOnly, "default_permission", dflt, "root_squash", rootSquash, "anon_uid", anonUid,
                "anon_gid", anonGid, "secure", secure, "clients", clientList(clients), "enabled", !disabled)));
    }

    /** "10.0.0.0/8, 192.168.1.5" as a list; an empty string is the empty list (every address); null stays null. */
    static List<String> clientList(String option) {
        if (option == null) {
            return null;
        }
        return option.isBlank() ? List.of() : Arrays.stream(option.split(",", -1)).map(String::strip).toList();
    }

    @Command(name = "update", mixinStandardHelpOptions = true, description = "Change a share's flags.")
    int update(@Parameters(paramLabel = "NAME") String name,
               @Option(names = "--read-only", arity = "1", description = "true or false.") Boolean readOnly,
               @Option(names = "--default-permission", description = "none, read or read-write.") String dflt,
               @Option(names = "--root-squash", arity = "1", description = "true or false.") Boolean rootSquash,
               @Option(names = "--anon-uid", description = "The uid squashed root gets.") Integer anonUid,
               @Option(names = "--anon-gid", description = "The gid squashed root gets.") Integer anonGid,
               @Option(names = "--secure", arity = "1", description = "true or false: privileged source ports only.") Boolean secure,
               @Option(names = "--clients", paramLabel = "LIST",
                       description = "Allowed client addresses and CIDRs, comma-separated; \"\" allows every address.") String clients,
               @Option(names = "--enabled", arity = "1", description = "true or false.") Boolean enabled) throws Exception {
        return print(call("PUT", SHARES + "/" + shareSeg(name), body("read_only", readOnly, "default_permission", dflt,
                "root_squash", rootSquash, "anon_uid", anonUid, "anon_gid", anonGid, "secure", secure,
                "clients", clientList(clients), "enabled", enabled)));
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Serve a share.")
    int enable(@Parameters(paramLabel = "NAME") String name) throws Exception {
        return print(call("PUT", SHARES + "/" + shareSeg(name), body("enabled", true)));
    }

    @Command(name = "disable", mixinStandardHelpOptions = true, description = "Stop serving a share (kept defined).")
    int disable(@Parameters(paramLabel = "NAME") String name) throws Exception {
        return print(call("PUT", SHARES + "/" + shareSeg(name), body("enabled", false)));
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a share; MOUNT refuses it at once.")
    int delete(@Parameters(paramLabel = "NAME") String name) throws Exception {
        call("DELETE", SHARES + "/" + shareSeg(name), null);
        return done("share " + name);
    }

    /** Exactly one of --user or --group. */
    static final class Principal {
        @Option(names = "--user", required = true, description = "A user.")
        String user;

        @Option(names = "--group", required = true, description = "A group.")
        String group;

        String type() {
            return user != null ? "user" : "group";
        }

        String name() {
            return user != null ? user : group;
        }
    }

    @Command(name = "permission", mixinStandardHelpOptions = true, description = "Per-user and per-group share permissions.")
    static final class PermissionCmd extends Dfsctl.Sub {
        @Command(name = "list", mixinStandardHelpOptions = true, description = "List a share's grants.")
        int list(@Parameters(paramLabel = "SHARE") String share) throws Exception {
            return print(call("GET", SHARES + "/" + shareSeg(share) + "/permissions", null));
        }

        @Command(name = "grant", mixinStandardHelpOptions = true, description = "Grant a permission (takes effect at once).")
        int grant(@Parameters(paramLabel = "SHARE") String share,
                  @ArgGroup(exclusive = true, multiplicity = "1") Principal who,
                  @Option(names = "--permission", required = true, description = "none, read or read-write.") String permission)
                throws Exception {
            return print(call("PUT", SHARES + "/" + shareSeg(share) + "/permissions",
                    body("type", who.type(), "name", who.name(), "permission", permission)));
        }

        @Command(name = "revoke", mixinStandardHelpOptions = true,
                description = "Remove a grant (the share's default permission applies again).")
        int revoke(@Parameters(paramLabel = "SHARE") String share, @ArgGroup(exclusive = true, multiplicity = "1") Principal who)
                throws Exception {
            call("DELETE", SHARES + "/" + shareSeg(share) + "/permissions/" + who.type() + "/" + path(who.name()), null);
            return done("permission of " + who.type() + " " + who.name() + " on " + share);
        }
    }
}
