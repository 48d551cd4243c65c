package io.dittofs.protocols.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The file status flags of a TCP socket of this process, found by its ports in
 * {@code /proc/net/tcp} (Linux): which descriptor holds the connection from {@code localPort} to
 * {@code remotePort}, and whether it is in non-blocking mode.
 */
public final class SocketFlags {
    private static final int O_NONBLOCK = 04000;

    private SocketFlags() {
    }

    /** Whether this process's socket from {@code localPort} to {@code remotePort} is non-blocking. */
    public static boolean nonBlocking(int localPort, int remotePort) throws IOException {
        String inode = inode(localPort, remotePort);
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // closed meanwhile
                }
                if (target.equals("socket:[" + inode + "]")) {
                    for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd.getFileName()))) {
                        if (line.startsWith("flags:")) {
                            return (Integer.parseInt(line.substring(6).strip(), 8) & O_NONBLOCK) != 0;
                        }
                    }
                }
            }
        }
        throw new IOException("no descriptor of socket " + inode);
    }

    private static String inode(int localPort, int remotePort) throws IOException {
        String local = String.format(Locale.ROOT, ":%04X", localPort);
        String remote = String.format(Locale.ROOT, ":%04X", remotePort);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.strip().split("\\s+");
                if (f.length > 9 && f[1].endsWith(local) && f[2].endsWith(remote)) {
                    return f[9];
                }
            }
        }
        throw new IOException("no socket from port " + localPort + " to " + remotePort);
    }
}
