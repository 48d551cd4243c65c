package io.dittofs.controlplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code dfsctl}: the admin client of the control-plane REST API. Exit codes: 0 success, 1 the
 * server refused (message on stderr), 2 usage error, 3 not logged in or server unreachable.
 */
@Command(name = "dfsctl", mixinStandardHelpOptions = true, versionProvider = Dfs.Version.class,
        description = "Administer a DittoFS server through its REST API.",
        subcommands = {Dfsctl.Login.class, Dfsctl.Logout.class, UserCmd.class, GroupCmd.class, StoreCmd.class,
            ShareCmd.class, AdapterCmd.class, SettingsCmd.class})
public final class Dfsctl implements Runnable {
    @Option(names = "--server", scope = ScopeType.INHERIT,
            description = "Server URL, e.g. http://127.0.0.1:8080 (default: the one of the last login).")
    String server;

    @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, defaultValue = "table",
            description = "Output format: table or json (default: ${DEFAULT-VALUE}).")
    String output;

    final ApiClient client = new ApiClient(System.getenv());

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new Dfsctl());
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof ApiClient.Failure f) {
                err.println("dfsctl: " + f.getMessage());
                return f.exitCode;
            }
            if (ex instanceof IllegalArgumentException) {
                err.println("dfsctl: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl.execute(args);
    }

    /** The shared plumbing of every subcommand. */
    abstract static class Sub {
        @Spec
        CommandSpec spec;

        Dfsctl root() {
            return (Dfsctl) spec.root().userObject();
        }

        JsonNode call(String method, String path, Object body) {
            return root().client.call(root().server, method, path, body);
        }

        PrintStream out() {
            return System.out;
        }

        /** Prints a response: pretty JSON with -o json, else a table. */
        int print(JsonNode n) throws Exception {
            if ("json".equals(root().output)) {
                out().println(ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n));
                return 0;
            }
            if (!"table".equals(root().output)) {
                throw new IllegalArgumentException("output must be table or json");
            }
            if (n == null) {
                return 0;
            }
            if (n.isArray()) {
                if (n.isEmpty()) {
                    out().println("(none)");
                    return 0;
                }
                List<String> cols = new ArrayList<>();
                n.get(0).fieldNames().forEachRemaining(cols::add);
                Table t = new Table(cols.stream().map(c -> c.toUpperCase().replace('_', ' ')).toArray(String[]::new));
                for (JsonNode row : n) {
                    t.row(cols.stream().map(c -> cell(row.get(c))).toArray());
                }
                t.print(out());
            } else if (n.isObject()) {
                Table t = new Table("FIELD", "VALUE");
                Iterator<Map.Entry<String, JsonNode>> it = n.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    t.row(e.getKey(), cell(e.getValue()));
                }
                t.print(out());
            } else {
                out().println(n.asText());
            }
            return 0;
        }

        /** For deletions: a line in table mode, {"deleted": what} in JSON mode. */
        int done(String what) throws Exception {
            if ("json".equals(root().output)) {
                return print(ApiClient.JSON.valueToTree(Map.of("deleted", what)));
            }
            out().println("deleted " + what);
            return 0;
        }

        private static String cell(JsonNode v) {
            if (v == null || v.isNull()) {
                return "-";
            }
            if (v.isArray()) {
                List<String> parts = new ArrayList<>();
                v.forEach(x -> parts.add(x.asText()));
                return String.join(",", parts);
            }
            if (v.isObject()) {
                List<String> parts = new ArrayList<>();
                v.fields().forEachRemaining(e -> parts.add(e.getKey() + "=" + e.getValue().asText()));
                return parts.isEmpty() ? "-" : String.join(",", parts);
            }
            return v.asText();
        }

        /** Request bodies: a map without the null entries. */
        static Map<String, Object> body(Object... kv) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < kv.length; i += 2) {
                if (kv[i + 1] != null) {
                    m.put((String) kv[i], kv[i + 1]);
                }
            }
            return m;
        }

        /** A password from an option, stdin (--password-stdin) or the terminal. */
        static String password(String given, boolean stdin, String prompt) throws Exception {
            if (given != null) {
                return given;
            }
            if (stdin) {
                String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                if (line == null) {
                    throw new IllegalArgumentException("no password on standard input");
                }
                return line;
            }
            Console c = System.console();
            if (c == null) {
                throw new IllegalArgumentException("no terminal to ask for the password: use --password or --password-stdin");
            }
            char[] p = c.readPassword(prompt);
            return p == null ? "" : new String(p);
        }

        static String path(String segment) {
            return java.net.URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
        }
    }

    @Command(name = "login", mixinStandardHelpOptions = true,
            description = "Log in and keep the tokens in ~/.config/dfsctl/config.json (mode 0600).")
    static final class Login extends Sub implements java.util.concurrent.Callable<Integer> {
        @Option(names = {"-u", "--username"}, required = true, description = "User name.")
        String username;

        @Option(names = {"-p", "--password"}, description = "Password (prefer --password-stdin or the prompt).")
        String password;

        @Option(names = "--password-stdin", description = "Read the password from standard input.")
        boolean passwordStdin;

        @Override
        public Integer call() throws Exception {
            String pw = password(password, passwordStdin, "Password: ");
            String server = root().client.server(root().server);
            JsonNode t = root().client.call(server, "POST", "/api/v1/auth/login", Map.of("username", username, "password", pw));
            root().client.save(server, t);
            if ("json".equals(root().output)) {
                return print(ApiClient.JSON.valueToTree(Map.of("server", server, "username", t.path("username").asText(),
                        "role", t.path("role").asText(), "must_change_password", t.path("must_change_password").asBoolean())));
            }
            out().println("logged in to " + server + " as " + t.path("username").asText() + " (" + t.path("role").asText() + ")");
            if (t.path("must_change_password").asBoolean()) {
                out().println("you must change your password before anything else: dfsctl user passwd");
            }
            return 0;
        }
    }

    @Command(name = "logout", mixinStandardHelpOptions = true, description = "Forget the stored tokens.")
    static final class Logout extends Sub implements java.util.concurrent.Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            root().client.forget();
            out().println("logged out");
            return 0;
        }
    }
}
