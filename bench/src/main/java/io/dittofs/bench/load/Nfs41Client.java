package io.dittofs.bench.load;

import io.dittofs.protocols.xdr.XdrDecoder;

import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * An NFSv4.1 client session over one {@link Nfs41Transport} (RFC 8881): NULL, EXCHANGE_ID,
 * CREATE_SESSION (fore channel only, one slot per transport slot), RECLAIM_COMPLETE, then
 * SEQUENCE-led COMPOUNDs, one per call, on the caller's slot. Its own client id (one per
 * connection). Thread-safe for calls on distinct slots.
 */
final class Nfs41Client implements AutoCloseable {
    /** An open file: its handle and open stateid. */
    record Open(byte[] fh, Nfs41Reply.Stateid stateid) {
    }

    /** nfs://HOST[:PORT]/PATH?version=4.1&nfsport=N. */
    record Url(String host, int port, String path) {
        static boolean is41(String url) {
            return url.startsWith("nfs://") && url.contains("version=4.1");
        }

        static Url parse(String url) {
            URI u = URI.create(url);
            int port = u.getPort() > 0 ? u.getPort() : 2049;
            String q = u.getQuery() == null ? "" : u.getQuery();
            for (String kv : q.split("&")) {
                if (kv.startsWith("nfsport=")) {
                    port = Integer.parseInt(kv.substring(8));
                }
            }
            String p = u.getPath() == null || u.getPath().isEmpty() ? "/" : u.getPath();
            return new Url(u.getHost(), port, p.endsWith("/") && p.length() > 1 ? p.substring(0, p.length() - 1) : p);
        }
    }

    final Nfs41Transport t;
    private final int[] seqs;
    private final byte[] owner;
    private long clientId;
    private byte[] sessionId;
    long readMax;
    long writeMax;

    private Nfs41Client(Nfs41Transport t, byte[] owner) {
        this.t = t;
        this.owner = owner;
        this.seqs = new int[t.slots()];
    }

    /**
     * Connects and creates the session: {@code slots} session slots, replies of up to
     * {@code maxIo} data bytes; asks the root for maxread/maxwrite.
     */
    static Nfs41Client connect(Url url, String ownerName, int slots, int maxIo, int timeoutMillis) {
        int maxMsg = Math.max(maxIo, 64 * 1024) + 8 * 1024;
        Nfs41Transport t = new Nfs41Transport(url.host(), url.port(), slots, maxMsg, timeoutMillis);
        Nfs41Client c = new Nfs41Client(t, ownerName.getBytes(StandardCharsets.UTF_8));
        try {
            c.establish(slots, maxMsg);
            return c;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    private void establish(int slots, int maxMsg) {
        Nfs41Compound nul = t.nullCall(0);
        Nfs41Reply.rpc(t.call(0, nul, null), nul.xid());
        Nfs41Compound b = t.compound(0).exchangeId(System.nanoTime(), owner);
        long[] ex = reply(0, b, null).expect(Nfs41Compound.OP_EXCHANGE_ID).exchangeIdResult();
        clientId = ex[0];
        b = t.compound(0).createSession(clientId, (int) ex[1], slots, maxMsg, maxMsg);
        int[] fore = new int[3];
        sessionId = reply(0, b, null).expect(Nfs41Compound.OP_CREATE_SESSION).createSessionResult(fore);
        if (fore[2] < slots) {
            throw new IllegalStateException("server granted " + fore[2] + " session slots, need " + slots + " (--depth)");
        }
        Nfs41Reply r = seq(0, t.compound(0).sequence(sessionId, 1, 0, slots - 1).reclaimComplete(), null);
        r.expect(Nfs41Compound.OP_RECLAIM_COMPLETE);
        r = seq(0, begin(0).putrootfh().getattr(Nfs41Compound.FATTR4_MAXREAD, Nfs41Compound.FATTR4_MAXWRITE), null);
        int[][] mask = new int[1][];
        MemorySegment vals = r.expect(Nfs41Compound.OP_PUTROOTFH).expect(Nfs41Compound.OP_GETATTR).fattr(mask);
        long[] v = Nfs41Reply.attrs64(mask[0], vals, Nfs41Compound.FATTR4_MAXREAD, Nfs41Compound.FATTR4_MAXWRITE);
        readMax = Math.min(v[0], fore[1] - 1024L);
        writeMax = Math.min(v[1], fore[0] - 1024L);
    }

    /** A COMPOUND on {@code slot} that starts with SEQUENCE. */
    Nfs41Compound begin(int slot) {
        return t.compound(slot).sequence(sessionId, seqs[slot] + 1, slot, t.slots() - 1);
    }

    /** Sends a SEQUENCE-led COMPOUND and returns its reply after the SEQUENCE result. */
    Nfs41Reply seq(int slot, Nfs41Compound b, MemorySegment data) {
        Nfs41Reply r = reply(slot, b, data);
        r.expect(Nfs41Compound.OP_SEQUENCE).sequenceResult();
        seqs[slot]++;
        return r;
    }

    private Nfs41Reply reply(int slot, Nfs41Compound b, MemorySegment data) {
        return Nfs41Reply.compound(Nfs41Reply.rpc(t.call(slot, b, data), b.xid()));
    }

    /** The handle of {@code path} (absolute, from the pseudo root). */
    byte[] lookup(int slot, String path) {
        Nfs41Reply r = seq(slot, begin(slot).walk(path).getfh(), null);
        expectWalk(r, path);
        return r.expect(Nfs41Compound.OP_GETFH).fh();
    }

    private static void expectWalk(Nfs41Reply r, String path) {
        r.expect(Nfs41Compound.OP_PUTROOTFH);
        for (String c : path.split("/")) {
            if (!c.isEmpty()) {
                r.expect(Nfs41Compound.OP_LOOKUP);
            }
        }
    }

    /** The size of {@code path} (LOOKUPs and GETATTR in one COMPOUND). */
    long size(int slot, String path) {
        Nfs41Reply r = seq(slot, begin(slot).walk(path).getattr(Nfs41Compound.FATTR4_SIZE), null);
        expectWalk(r, path);
        int[][] mask = new int[1][];
        MemorySegment vals = r.expect(Nfs41Compound.OP_GETATTR).fattr(mask);
        return Nfs41Reply.attrs64(mask[0], vals, Nfs41Compound.FATTR4_SIZE)[0];
    }

    /** GETATTR (size) of a file in {@code dir} by name: PUTFH, LOOKUP, GETATTR. */
    long size(int slot, byte[] dir, String name) {
        Nfs41Reply r = seq(slot, begin(slot).putfh(dir).lookup(name).getattr(Nfs41Compound.FATTR4_SIZE), null);
        r.expect(Nfs41Compound.OP_PUTFH).expect(Nfs41Compound.OP_LOOKUP);
        int[][] mask = new int[1][];
        MemorySegment vals = r.expect(Nfs41Compound.OP_GETATTR).fattr(mask);
        return Nfs41Reply.attrs64(mask[0], vals, Nfs41Compound.FATTR4_SIZE)[0];
    }

    /** OPEN by name in {@code dir} (created UNCHECKED with mode 0644 when {@code create}) and GETFH. */
    Open open(int slot, byte[] dir, String name, boolean create) {
        Nfs41Reply r = seq(slot, begin(slot).putfh(dir).open(clientId, owner, name, create, 0644).getfh(), null);
        Nfs41Reply.Stateid s = r.expect(Nfs41Compound.OP_PUTFH).expect(Nfs41Compound.OP_OPEN).openResult();
        return new Open(r.expect(Nfs41Compound.OP_GETFH).fh(), s);
    }

    void close(int slot, Open o) {
        seq(slot, begin(slot).putfh(o.fh()).close(o.stateid()), null)
                .expect(Nfs41Compound.OP_PUTFH).expect(Nfs41Compound.OP_CLOSE);
    }

    /** WRITE of {@code data} at {@code offset}; returns the count written. */
    int write(int slot, Open o, long offset, MemorySegment data, int stable) {
        int len = (int) data.byteSize();
        Nfs41Reply r = seq(slot, begin(slot).putfh(o.fh()).write(o.stateid(), offset, stable, len), data);
        return r.expect(Nfs41Compound.OP_PUTFH).expect(Nfs41Compound.OP_WRITE).writeResult(len);
    }

    /** READ of up to {@code count} bytes; returns the bytes read. */
    int read(int slot, Open o, long offset, int count) {
        Nfs41Reply r = seq(slot, begin(slot).putfh(o.fh()).read(o.stateid(), offset, count), null);
        return (int) r.expect(Nfs41Compound.OP_PUTFH).expect(Nfs41Compound.OP_READ).readResult(count).byteSize();
    }

    void commit(int slot, byte[] fh) {
        seq(slot, begin(slot).putfh(fh).commit(0, 0), null).expect(Nfs41Compound.OP_PUTFH).expect(Nfs41Compound.OP_COMMIT);
    }

    void remove(int slot, byte[] dir, String name) {
        seq(slot, begin(slot).putfh(dir).remove(name), null).expect(Nfs41Compound.OP_PUTFH).expect(Nfs41Compound.OP_REMOVE);
    }

    /** CREATE of directory {@code name} (mode 0755) in {@code dir}. */
    void mkdir(int slot, byte[] dir, String name) {
        seq(slot, begin(slot).putfh(dir).mkdir(name, 0755), null).expect(Nfs41Compound.OP_PUTFH).expect(Nfs41Compound.OP_CREATE);
    }

    /** Lists {@code dir} to its end with READDIRs of up to {@code maxcount} bytes; returns the entries. */
    long readdir(int slot, byte[] dir, int maxcount) {
        long entries = 0;
        long[] cookie = {0};
        byte[] verifier = new byte[8];
        boolean[] eof = {false};
        while (!eof[0]) {
            Nfs41Reply r = seq(slot, begin(slot).putfh(dir).readdir(cookie[0], verifier, maxcount, maxcount), null);
            int n = r.expect(Nfs41Compound.OP_PUTFH).expect(Nfs41Compound.OP_READDIR).readdirResult(verifier, cookie, eof);
            if (n == 0 && !eof[0]) {
                throw new IllegalStateException("READDIR returned no entries before the end");
            }
            entries += n;
        }
        return entries;
    }

    /** DESTROY_SESSION and DESTROY_CLIENTID (best effort), then the connection. */
    @Override
    public void close() {
        try {
            if (sessionId != null) {
                reply(0, t.compound(0).destroySession(sessionId), null).expect(Nfs41Compound.OP_DESTROY_SESSION);
                reply(0, t.compound(0).destroyClientId(clientId), null).expect(Nfs41Compound.OP_DESTROY_CLIENTID);
            }
        } catch (RuntimeException e) {
            // the server frees the state when the lease expires
        } finally {
            t.close();
        }
    }
}
