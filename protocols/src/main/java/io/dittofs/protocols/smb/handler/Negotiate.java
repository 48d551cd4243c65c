package io.dittofs.protocols.smb.handler;

import io.dittofs.protocols.smb.ConnState;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.SmbCommand;
import io.dittofs.protocols.smb.SmbConfig;
import io.dittofs.protocols.smb.SmbDropException;
import io.dittofs.protocols.smb.SmbRequest;
import io.dittofs.protocols.smb.auth.NtlmServer;
import io.dittofs.protocols.smb.codec.SmbDecoder;
import io.dittofs.protocols.smb.codec.SmbEncoder;
import io.dittofs.protocols.smb.codec.SmbFormatException;
import io.dittofs.protocols.smb.crypto.PreauthHash;
import io.dittofs.protocols.smb.crypto.SmbCipher;
import io.dittofs.protocols.smb.header.Smb2Command;
import io.dittofs.protocols.smb.header.Smb2Header;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.function.IntPredicate;

/**
 * NEGOTIATE (MS-SMB2 2.2.3, 2.2.4, 3.3.5.4): picks the highest dialect both sides support within
 * the configured range, answers SMB 3.1.1 negotiate contexts (pre-auth integrity SHA-512 with a
 * fresh salt, signing algorithm, and unless encryption is off the cipher: the first of the client's
 * list, which it orders by preference), offers SMB2_GLOBAL_CAP_ENCRYPTION (AES-128-CCM) to 3.0 and
 * 3.0.2 clients that ask for it, and starts the 3.1.1 pre-auth hash chain. Also answers an SMB1 multi-protocol negotiate by switching to SMB2 (3.3.5.3.1).
 * Stateless; thread-safe.
 */
public final class Negotiate implements SmbCommand {
    /** 0xFF 'S' 'M' 'B' read little-endian. */
    public static final int SMB1_MAGIC = 0x424D53FF;
    static final int SIGNING_ENABLED = 0x1;
    static final int SIGNING_REQUIRED = 0x2;
    static final int CAP_LARGE_MTU = 0x4;
    static final int CAP_ENCRYPTION = 0x40;
    static final int CTX_PREAUTH = 0x0001;
    static final int CTX_ENCRYPTION = 0x0002;
    static final int CTX_SIGNING = 0x0008;
    static final int SHA512 = 0x0001;
    static final int AES_CMAC = 0x0001;
    private static final int MAX_DIALECTS = 64;
    private static final int MAX_CONTEXTS = 32;

    @Override
    public int execute(SmbRequest r, SmbEncoder out) {
        ConnState conn = r.conn();
        if (conn.dialect() != 0 && conn.dialect() != SmbConfig.SMB_2FF) {
            throw new SmbDropException("second NEGOTIATE on a connection");
        }
        r.structureSize(36);
        SmbDecoder in = r.in();
        int count = in.u16(66);
        if (count == 0 || count > MAX_DIALECTS) {
            return NtStatus.INVALID_PARAMETER;
        }
        int secMode = in.u16(68);
        int caps = in.i32(72);
        byte[] guid = in.bytes(76, 16, 16);
        int[] offered = new int[count];
        for (int i = 0; i < count; i++) {
            offered[i] = in.u16(100 + 2L * i);
        }
        SmbConfig cfg = conn.config();
        int dialect = pick(offered, d -> d >= cfg.minDialect() && d <= cfg.maxDialect());
        if (dialect == 0) {
            r.afterSend(() -> {
                throw new SmbDropException("no common dialect");
            });
            return NtStatus.NOT_SUPPORTED;
        }
        int signingAlg = 0;
        byte[] salt = null;
        boolean encryption = cfg.encryption() != SmbConfig.ENCRYPTION_OFF;
        int cipher = 0;
        boolean cipherContext = false;
        if (dialect == SmbConfig.SMB_311) {
            long ctxOff = in.u32(92);
            int ctxCount = in.u16(96);
            Contexts c = contexts(in, ctxOff, ctxCount);
            if (!c.sha512) {
                return NtStatus.INVALID_PARAMETER;
            }
            signingAlg = c.signingAlg;
            salt = new byte[32];
            conn.random().nextBytes(salt);
            cipherContext = encryption && c.cipherListed;
            cipher = cipherContext ? c.cipher : 0;
        } else if (dialect >= SmbConfig.SMB_300 && encryption && (caps & CAP_ENCRYPTION) != 0) {
            cipher = SmbCipher.AES_128_CCM;
        }
        int serverSec = SIGNING_ENABLED | (cfg.signingRequired() ? SIGNING_REQUIRED : 0);
        int serverCaps = (dialect >= SmbConfig.SMB_210 ? CAP_LARGE_MTU : 0)
                | (dialect < SmbConfig.SMB_311 && cipher != 0 ? CAP_ENCRYPTION : 0);
        byte[] token = NtlmServer.negotiateToken();
        int base = out.position() - Smb2Header.SIZE;
        int contextCount = 1 + (signingAlg >= 0 ? 1 : 0) + (cipherContext ? 1 : 0);
        out.u16(65).u16(serverSec).u16(dialect).u16(dialect == SmbConfig.SMB_311 ? contextCount : 0)
                .bytes(guidBytes(cfg)).u32(serverCaps).u32(cfg.maxIo(dialect)).u32(cfg.maxIo(dialect)).u32(cfg.maxIo(dialect))
                .u64(Times.filetime(System.currentTimeMillis() * 1_000_000L)).u64(0)
                .u16(Smb2Header.SIZE + 64).u16(token.length);
        int ctxOffsetAt = out.position();
        out.u32(0).bytes(token);
        if (dialect == SmbConfig.SMB_311) {
            out.align(8);
            out.putU32(ctxOffsetAt, out.position() - base);
            out.u16(CTX_PREAUTH).u16(38).u32(0).u16(1).u16(32).u16(SHA512).bytes(salt);
            if (signingAlg >= 0) {
                out.align(8);
                out.u16(CTX_SIGNING).u16(4).u32(0).u16(1).u16(signingAlg);
            }
            if (cipherContext) {
                out.align(8); // no common cipher: one cipher, 0 (3.3.5.4)
                out.u16(CTX_ENCRYPTION).u16(4).u32(0).u16(1).u16(cipher);
            }
        }
        PreauthHash hash = null;
        if (dialect == SmbConfig.SMB_311) {
            hash = new PreauthHash();
            MemorySegment req = r.element();
            hash.update(req.asByteBuffer(), 0, (int) req.byteSize());
            PreauthHash h = hash;
            r.onResponse(resp -> h.update(resp.asByteBuffer(), 0, (int) resp.byteSize()));
        }
        conn.cipherId(cipher);
        // a 3.1.1 client that sends no SIGNING_CAPABILITIES (Linux cifs by default) signs with AES-CMAC (3.3.5.4)
        conn.negotiated(dialect, caps, secMode, guid, offered, serverSec, serverCaps,
                signingAlg >= 0 ? signingAlg : AES_CMAC, hash);
        return NtStatus.SUCCESS;
    }

    static byte[] guidBytes(SmbConfig cfg) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(cfg.serverGuid().getMostSignificantBits()).putLong(cfg.serverGuid().getLeastSignificantBits());
        return b.array();
    }

    private static int pick(int[] offered, IntPredicate ok) {
        int best = 0;
        for (int d : offered) {
            if (SmbConfig.isDialect(d) && ok.test(d) && d > best) {
                best = d;
            }
        }
        return best;
    }

    /** What the client's contexts said; {@code cipher} is 0 when it listed ciphers but none known. */
    private record Contexts(boolean sha512, int signingAlg, boolean cipherListed, int cipher) {
    }

    /** Reads the client's negotiate contexts (2.2.3.1), each 8-byte aligned from the header. */
    private static Contexts contexts(SmbDecoder in, long off, int count) {
        if (count > MAX_CONTEXTS) {
            throw new SmbFormatException(count + " negotiate contexts");
        }
        boolean sha = false;
        int signing = -1;
        boolean ciphers = false;
        int cipher = 0;
        long p = off;
        for (int i = 0; i < count; i++) {
            p = (p + 7) & ~7L;
            int type = in.u16(p);
            int len = in.u16(p + 2);
            long data = p + 8;
            in.slice(data, len);
            if (type == CTX_PREAUTH) {
                int n = in.u16(data);
                for (int k = 0; k < n && 4 + 2L * k + 2 <= len; k++) {
                    sha |= in.u16(data + 4 + 2L * k) == SHA512;
                }
            } else if (type == CTX_ENCRYPTION) {
                ciphers = true;
                int n = in.u16(data);
                for (int k = 0; k < n && 2 + 2L * k + 2 <= len && cipher == 0; k++) {
                    int id = in.u16(data + 2 + 2L * k);
                    if (SmbCipher.supported(id)) {
                        cipher = id; // the client lists its preference first
                    }
                }
            } else if (type == CTX_SIGNING) {
                int n = in.u16(data);
                for (int k = 0; k < n && 2 + 2L * k + 2 <= len && signing < 0; k++) {
                    int alg = in.u16(data + 2 + 2L * k);
                    if (alg >= 0 && alg <= 2) {
                        signing = alg; // the client lists its preference first
                    }
                }
            }
            p = data + len;
        }
        return new Contexts(sha, signing, ciphers, cipher);
    }

    /**
     * Answers an SMB1 NEGOTIATE (MS-SMB2 3.3.5.3.1): if the client lists "SMB 2.???" and 2.1 or
     * later is allowed, an SMB2 NEGOTIATE response with dialect 0x02FF (the client then sends an
     * SMB2 NEGOTIATE); if it lists only "SMB 2.002", dialect 2.0.2 directly. Returns the reply length.
     *
     * @throws SmbDropException when the client offers no SMB2 dialect
     */
    public static int smb1(ConnState conn, MemorySegment msg, SmbEncoder out,
                           io.dittofs.protocols.smb.server.CreditWindow credits) {
        SmbDecoder in = new SmbDecoder(msg);
        if (in.size() < 35 || in.u8(4) != 0x72) {
            throw new SmbDropException("SMB1 message other than NEGOTIATE");
        }
        int wc = in.u8(32);
        long bcOff = 33 + 2L * wc;
        int bc = in.u16(bcOff);
        byte[] b = in.bytes(bcOff + 2, bc, 4096);
        boolean wildcard = false;
        boolean smb202 = false;
        int i = 0;
        while (i < b.length) {
            if (b[i] != 0x02) {
                break;
            }
            int end = i + 1;
            while (end < b.length && b[end] != 0) {
                end++;
            }
            String d = new String(b, i + 1, end - i - 1, StandardCharsets.US_ASCII);
            wildcard |= "SMB 2.???".equals(d);
            smb202 |= "SMB 2.002".equals(d);
            i = end + 1;
        }
        SmbConfig cfg = conn.config();
        int dialect;
        if (wildcard && cfg.maxDialect() >= SmbConfig.SMB_210) {
            dialect = SmbConfig.SMB_2FF;
        } else if (smb202 && cfg.minDialect() == SmbConfig.SMB_202) {
            dialect = SmbConfig.SMB_202;
        } else {
            throw new SmbDropException("SMB1 negotiate without a usable SMB2 dialect");
        }
        if (!credits.consume(0, 1)) {
            throw new SmbDropException("SMB1 negotiate out of sequence");
        }
        int granted = credits.grant(1);
        new Smb2Header(0, NtStatus.SUCCESS, Smb2Command.NEGOTIATE, granted, Smb2Header.FLAG_SERVER_TO_REDIR, 0, 0,
                0, 0, 0, 0).encode(out);
        int serverSec = SIGNING_ENABLED | (cfg.signingRequired() ? SIGNING_REQUIRED : 0);
        byte[] token = NtlmServer.negotiateToken();
        out.u16(65).u16(serverSec).u16(dialect).u16(0).bytes(guidBytes(cfg))
                .u32(dialect == SmbConfig.SMB_202 ? 0 : CAP_LARGE_MTU).u32(cfg.maxIo(dialect)).u32(cfg.maxIo(dialect))
                .u32(cfg.maxIo(dialect)).u64(Times.filetime(System.currentTimeMillis() * 1_000_000L)).u64(0)
                .u16(Smb2Header.SIZE + 64).u16(token.length).u32(0).bytes(token);
        conn.negotiated(dialect, 0, 0, new byte[16], new int[] {dialect}, serverSec, 0, 0, null);
        return out.position();
    }
}
