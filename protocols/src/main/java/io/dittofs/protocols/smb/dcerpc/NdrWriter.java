package io.dittofs.protocols.smb.dcerpc;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Little-endian NDR 2.0 writer; unique pointers get increasing referent ids. Not thread-safe. */
final class NdrWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    private int nextReferent = 0x00020000;

    NdrWriter u32(int v) {
        align(4);
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
        return this;
    }

    /** A non-null unique/embedded pointer's referent id. */
    NdrWriter pointer() {
        int id = nextReferent;
        nextReferent += 4;
        return u32(id);
    }

    /** A conformant varying wide string with its terminating NUL. */
    NdrWriter string(String s) {
        byte[] units = (s + "\0").getBytes(StandardCharsets.UTF_16LE);
        int count = units.length / 2;
        u32(count).u32(0).u32(count);
        out.writeBytes(units);
        return this;
    }

    private void align(int n) {
        while (out.size() % n != 0) {
            out.write(0);
        }
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
