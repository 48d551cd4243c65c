package io.dittofs.controlplane.cli;

import io.dittofs.controlplane.runtime.NfsServer;
import io.dittofs.core.FileSystem;
import io.dittofs.core.Share;
import io.dittofs.core.ShareRegistry;
import io.dittofs.protocols.mount.MountProgram;
import io.dittofs.protocols.rpc.RpcServer;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code dfs}: the server command. */
@Command(name = "dfs", mixinStandardHelpOptions = true, versionProvider = Dfs.Version.class,
        description = "DittoFS file server.",
        subcommands = {Dfs.Start.class, Dfs.VersionCmd.class})
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

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Start the server (this process stays in the foreground; ./dfs backgrounds it).")
    static final class Start implements Callable<Integer> {
        private static final Logger LOG = LoggerFactory.getLogger(Start.class);

        @Option(names = "--foreground", description = "Stay attached to the terminal (the default for this command).")
        boolean foreground;

        @Option(names = "--bind", defaultValue = "${env:DITTOFS_ADAPTERS_NFS_BIND:-0.0.0.0}",
                description = "Address to listen on (default: ${DEFAULT-VALUE}).")
        String bind;

        @Option(names = "--nfs-port", defaultValue = "${env:DITTOFS_ADAPTERS_NFS_PORT:-12049}",
                description = "NFSv3 + MOUNT port (default: ${DEFAULT-VALUE}).")
        int nfsPort;

        @Option(names = "--portmap-port", defaultValue = "${env:DITTOFS_ADAPTERS_NFS_PORTMAP_PORT:--1}",
                description = "Embedded portmapper port; -1 disables it (default: ${DEFAULT-VALUE}).")
        int portmapPort;

        @Option(names = "--share", defaultValue = "/export", description = "Export path of the default share (default: ${DEFAULT-VALUE}).")
        String share;

        @Option(names = "--root-squash", description = "Map uid 0 to nobody on the default share.")
        boolean rootSquash;

        @Option(names = "--data-dir", description = "Where persistent stores keep their data (unused by memory stores).")
        Path dataDir;

        @Option(names = "--shutdown-timeout", defaultValue = "${env:DITTOFS_SERVER_SHUTDOWN_TIMEOUT:-10}",
                description = "Seconds to let in-flight calls finish on shutdown (default: ${DEFAULT-VALUE}).")
        int shutdownTimeout;

        @Override
        public Integer call() throws Exception {
            ShareRegistry shares = new ShareRegistry();
            FileSystem fs = new FileSystem(new MemoryMetadataStore(), new MemoryBlockStore(), false);
            shares.add(new Share(1, share, fs, rootSquash, 65534, 65534));
            RpcServer.Options opts = RpcServer.Options.defaults().withDrainTimeoutMillis(shutdownTimeout * 1000L);
            NfsServer server = NfsServer.start(bind, nfsPort, portmapPort, shares, MountProgram.MountPolicy.ALLOW_ALL, opts);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                LOG.info("shutting down");
                server.close();
                fs.metadataStore().close();
                fs.blockStore().close();
                stopped.countDown();
            }, "dfs-shutdown"));
            LOG.info("share {} on memory stores (contents are lost when the server stops)", share);
            String pm = server.portmapPort() >= 0 ? " portmap=" + server.portmapPort() : "";
            System.out.println("dittofs " + VERSION + " READY nfs=" + server.nfsPort() + " mount=" + server.nfsPort()
                    + pm + " bind=" + bind + " share=" + share);
            System.out.flush();
            stopped.await();
            return 0;
        }
    }
}
