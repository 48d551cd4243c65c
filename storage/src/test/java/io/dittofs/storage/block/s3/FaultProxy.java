package io.dittofs.storage.block.s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of a real S3-compatible server that answers the first request of the next
 * {@link #failNext} connections itself with an S3 error (then closes the connection), and pipes
 * every other connection through untouched. Enough to make a client see throttling or a
 * permission error without touching the server. Test-only; thread-safe.
 */
final class FaultProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final URI upstream;
    private final AtomicInteger failNext = new AtomicInteger();
    private volatile String failure = "503 Slow Down";
    private volatile String errorCode = "SlowDown";
    final AtomicInteger failed = new AtomicInteger();

    FaultProxy(URI upstream) throws IOException {
        this.upstream = upstream;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptLoop);
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    /** The next {@code n} connections get {@code status} (e.g. "503 Slow Down") with S3 error {@code code}. */
    void failNext(int n, String status, String code) {
        failure = status;
        errorCode = code;
        failNext.set(n);
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            byte[] head = readHead(client.getInputStream());
            if (head == null) {
                return;
            }
            if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                failed.incrementAndGet();
                byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + errorCode
                        + "</Code><Message>injected by the test proxy</Message></Error>").getBytes(StandardCharsets.UTF_8);
                OutputStream out = client.getOutputStream();
                out.write(("HTTP/1.1 " + failure + "\r\nContent-Type: application/xml\r\nContent-Length: " + body.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                return;
            }
            try (Socket server = new Socket(upstream.getHost(), upstream.getPort())) {
                server.getOutputStream().write(head);
                Thread up = Thread.ofVirtual().start(() -> pipe(client, server));
                pipe(server, client);
                client.close(); // ends the other direction too
                up.join();
            }
        } catch (IOException | InterruptedException e) {
            // the peer went away: nothing to do
        }
    }

    /** The request line and headers, up to and including the blank line; null at end of stream. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            b.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1
                    : (c == '\r' ? 1 : 0);
        }
        return b.toByteArray();
    }

    private static void pipe(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException e) {
            // either side closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
