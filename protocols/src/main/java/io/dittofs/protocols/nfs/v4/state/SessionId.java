package io.dittofs.protocols.nfs.v4.state;

import java.nio.ByteBuffer;

/**
 * A sessionid4 (16 opaque bytes, RFC 8881 section 2.10.3): the clientid, then a server-unique
 * number. Immutable; thread-safe.
 */
public record SessionId(long high, long low) {
    public static final int SIZE = 16;

    public static SessionId of(byte[] b) {
        if (b.length != SIZE) {
            throw new IllegalArgumentException("sessionid of " + b.length + " bytes");
        }
        ByteBuffer bb = ByteBuffer.wrap(b);
        return new SessionId(bb.getLong(), bb.getLong());
    }

    public byte[] bytes() {
        return ByteBuffer.allocate(SIZE).putLong(high).putLong(low).array();
    }
}
