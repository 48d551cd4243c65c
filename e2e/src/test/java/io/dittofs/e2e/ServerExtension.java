package io.dittofs.e2e;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * JUnit 5 extension that owns one {@link ServerProcess} per test class: started before the
 * first test, stopped after the last, and the server log dumped to stderr for every failed or
 * aborted test (in the manner of aeron's {@code SystemTestWatcher}). Register it as a static
 * field with {@code @RegisterExtension}. Used from the JUnit thread only.
 */
final class ServerExtension implements BeforeAllCallback, AfterAllCallback, TestWatcher {

    private static final int LOG_LINES = 150;
    private ServerProcess server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = ServerProcess.start(context.getRequiredTestClass().getSimpleName());
        System.err.println("[e2e] " + server);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            try {
                if (context.getExecutionException().isPresent()) {
                    server.dumpLog("class " + context.getDisplayName() + " failed", LOG_LINES);
                }
                reportMemory(context);
            } finally {
                ServerProcess stopped = server;
                server = null;
                stopped.close();
                List<String> pinned = stopped.pinnedEvents();
                if (!pinned.isEmpty()) {
                    throw new AssertionError("the server pinned a virtual thread for 20 ms or more "
                            + pinned.size() + " time(s) (JFR jdk.VirtualThreadPinned, STYLE 6):\n"
                            + String.join("\n", pinned));
                }
            }
        }
    }

    /** Prints the server's resident memory (now and peak) after a class, for the closing figures. */
    private void reportMemory(ExtensionContext context) {
        long pid = server.pid();
        if (pid <= 0) {
            return;
        }
        try {
            String rss = "?";
            String hwm = "?";
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = line.substring(6).trim();
                } else if (line.startsWith("VmHWM:")) {
                    hwm = line.substring(6).trim();
                }
            }
            System.err.println("[e2e] server RSS after " + context.getDisplayName() + ": " + rss + " (peak " + hwm + ")");
        } catch (java.io.IOException e) {
            // the process is gone; nothing to report
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        dump(context, "FAILED: " + cause);
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        dump(context, "aborted: " + cause);
    }

    /** The running server; fails when called outside the class's tests. */
    ServerProcess server() {
        if (server == null) {
            throw new IllegalStateException("the server is not running (used outside a test?)");
        }
        return server;
    }

    int port() {
        return server().port();
    }

    private void dump(ExtensionContext context, String what) {
        if (server != null) {
            server.dumpLog(context.getDisplayName() + " " + what, LOG_LINES);
        }
    }
}
