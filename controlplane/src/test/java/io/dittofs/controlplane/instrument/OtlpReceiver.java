package io.dittofs.controlplane.instrument;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-process OTLP/HTTP trace receiver ({@code POST /v1/traces}, {@code application/x-protobuf}):
 * decodes each {@code ExportTraceServiceRequest} with a small protobuf wire reader (field numbers of
 * opentelemetry-proto {@code trace/v1/trace.proto}) and keeps the spans. For tests; thread-safe.
 */
final class OtlpReceiver implements AutoCloseable {
    /** One received span; ids in hex, attributes as strings. */
    record Received(String traceId, String spanId, String parentSpanId, String name, int kind,
                    Map<String, String> attributes) {
    }

    final List<Received> spans = new CopyOnWriteArrayList<>();
    private final HttpServer http;

    OtlpReceiver() throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/v1/traces", ex -> {
            try (InputStream in = ex.getRequestBody()) {
                request(ByteBuffer.wrap(in.readAllBytes()));
                ex.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                ex.sendResponseHeaders(200, -1);
            } catch (RuntimeException e) {
                ex.sendResponseHeaders(400, -1);
            } finally {
                ex.close();
            }
        });
        http.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/v1/traces";
    }

    private void request(ByteBuffer b) {
        forEach(b, 1, resourceSpans -> forEach(resourceSpans, 2, scopeSpans -> forEach(scopeSpans, 2, this::span)));
    }

    private void span(ByteBuffer b) {
        String trace = "";
        String id = "";
        String parent = "";
        String name = "";
        int kind = 0;
        Map<String, String> attrs = new TreeMap<>();
        while (b.hasRemaining()) {
            long tag = varint(b);
            int field = (int) (tag >>> 3);
            int type = (int) (tag & 7);
            if (type != 2) {
                long v = skip(b, type);
                if (field == 6) {
                    kind = (int) v;
                }
                continue;
            }
            ByteBuffer v = len(b);
            switch (field) {
                case 1 -> trace = hex(v);
                case 2 -> id = hex(v);
                case 4 -> parent = hex(v);
                case 5 -> name = text(v);
                case 9 -> keyValue(v, attrs);
                default -> {
                }
            }
        }
        spans.add(new Received(trace, id, parent, name, kind, attrs));
    }

    private static void keyValue(ByteBuffer b, Map<String, String> out) {
        String key = "";
        String value = "";
        while (b.hasRemaining()) {
            long tag = varint(b);
            ByteBuffer v = len(b); // both fields are length-delimited
            if ((tag >>> 3) == 1) {
                key = text(v);
            } else {
                value = anyValue(v);
            }
        }
        out.put(key, value);
    }

    private static String anyValue(ByteBuffer b) {
        String s = "";
        while (b.hasRemaining()) {
            long tag = varint(b);
            int field = (int) (tag >>> 3);
            int type = (int) (tag & 7);
            if (type == 2) {
                ByteBuffer v = len(b);
                s = field == 1 ? text(v) : "?";
            } else {
                long v = skip(b, type);
                s = field == 2 ? Boolean.toString(v != 0) : field == 4 ? Double.toString(Double.longBitsToDouble(v))
                        : Long.toString(v);
            }
        }
        return s;
    }

    /** Calls {@code each} with every length-delimited field {@code field} of message {@code b}. */
    private static void forEach(ByteBuffer b, int field, java.util.function.Consumer<ByteBuffer> each) {
        while (b.hasRemaining()) {
            long tag = varint(b);
            int type = (int) (tag & 7);
            if (type == 2) {
                ByteBuffer v = len(b);
                if ((tag >>> 3) == field) {
                    each.accept(v);
                }
            } else {
                skip(b, type);
            }
        }
    }

    private static long skip(ByteBuffer b, int type) {
        return switch (type) {
            case 0 -> varint(b);
            case 1 -> b.order(ByteOrder.LITTLE_ENDIAN).getLong();
            case 5 -> b.order(ByteOrder.LITTLE_ENDIAN).getInt();
            default -> throw new IllegalArgumentException("wire type " + type);
        };
    }

    private static ByteBuffer len(ByteBuffer b) {
        int n = Math.toIntExact(varint(b));
        if (n < 0 || n > b.remaining()) {
            throw new IllegalArgumentException("length " + n + " past the message");
        }
        ByteBuffer v = b.slice(b.position(), n);
        b.position(b.position() + n);
        return v;
    }

    private static long varint(ByteBuffer b) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte x = b.get();
            v |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("varint too long");
    }

    private static String hex(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return HexFormat.of().formatHex(a);
    }

    private static String text(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return new String(a, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
