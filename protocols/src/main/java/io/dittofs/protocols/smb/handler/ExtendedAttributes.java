package io.dittofs.protocols.smb.handler;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.XattrOps;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.Open;
import io.dittofs.protocols.smb.SmbStatusException;
import io.dittofs.protocols.smb.codec.SmbDecoder;
import io.dittofs.protocols.smb.codec.SmbEncoder;
import io.dittofs.protocols.smb.header.Smb2Header;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * SMB extended attributes over the share's {@link XattrOps}, the store NFSv4.2 xattrs use:
 * {@code FILE_FULL_EA_INFORMATION} lists (MS-FSCC 2.4.15) in QUERY_INFO and SET_INFO
 * (FileFullEaInformation), the size of FileEaInformation (2.4.12) and the {@code ExtA} create
 * context of CREATE (MS-SMB2 2.2.13.2).
 *
 * <p><b>Names.</b> An NFS xattr {@code user.foo} (sent by Linux NFS and CIFS clients as
 * {@code foo}) is the SMB EA {@code foo}, and the reverse. SMB EA names are ASCII (0x20-0x7E
 * without {@code "*+,/:;<=>?[\]|}) and case-insensitive: a set or a query by name matches a
 * stored name ignoring ASCII case (the first such name in name order), and a new EA is stored
 * with the case the client sent; names are listed as stored, not upper-cased as NTFS does (the
 * Linux CIFS client compares the names it gets back exactly). NFS names SMB cannot spell
 * (non-ASCII, or holding one of those characters) are not listed over SMB. An EA set with an
 * empty value is removed (MS-FSCC 2.4.15); an NFS xattr with an empty value is listed with
 * EaValueLength 0.
 *
 * <p>Every length is checked against its buffer before anything is read. Stateless; thread-safe.
 */
final class ExtendedAttributes {
    /** FILE_READ_EA and FILE_WRITE_EA (MS-SMB2 2.2.13.1.1). */
    static final int READ_EA = 0x8;
    static final int WRITE_EA = 0x10;
    private static final String INVALID = "\"*+,/:;<=>?[\\]|";
    /** Most create contexts walked in one CREATE. */
    private static final int MAX_CONTEXTS = 64;

    /** One EA as the wire carries it. */
    record Ea(String name, byte[] value) {
    }

    private ExtendedAttributes() {
    }

    /** Whether an SMB EA can carry {@code name}. */
    static boolean smbName(String name) {
        if (name.isEmpty() || name.length() > 255) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c > 0x7E || INVALID.indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- codec

    /**
     * Decodes a chained FILE_FULL_EA_INFORMATION list filling {@code buf}.
     *
     * @throws SmbStatusException INVALID_EA_NAME for a name SMB cannot carry, EA_LIST_INCONSISTENT for a
     *                            malformed list
     */
    static List<Ea> decode(MemorySegment buf) {
        SmbDecoder d = new SmbDecoder(buf);
        List<Ea> out = new ArrayList<>();
        long p = 0;
        while (true) {
            if (p + 8 > d.size()) {
                throw inconsistent("entry header past the buffer");
            }
            long next = d.u32(p);
            int nameLen = d.u8(p + 5);
            int valueLen = d.u16(p + 6);
            long end = p + 8 + nameLen + 1 + valueLen;
            if (end > d.size() || next != 0 && (next < end - p || p + next >= d.size())) {
                throw inconsistent("entry lengths do not fit");
            }
            byte[] name = d.bytes(p + 8, nameLen, 255);
            if (d.u8(p + 8 + nameLen) != 0) {
                throw inconsistent("name not NUL-terminated");
            }
            String n = new String(name, StandardCharsets.ISO_8859_1);
            if (!smbName(n)) {
                throw new SmbStatusException(NtStatus.INVALID_EA_NAME, "EA name");
            }
            out.add(new Ea(n, d.bytes(p + 9 + nameLen, valueLen, 0xFFFF)));
            if (next == 0) {
                return out;
            }
            p += next;
        }
    }

    /** Encodes {@code eas} as a chained list (entries 4-aligned); returns its length. */
    static int encode(SmbEncoder e, List<Ea> eas) {
        int start = e.position();
        for (int i = 0; i < eas.size(); i++) {
            Ea ea = eas.get(i);
            int at = e.position();
            int size = entrySize(ea);
            boolean last = i == eas.size() - 1;
            e.u32(last ? 0 : (size + 3) & ~3).u8(0).u8(ea.name().length()).u16(ea.value().length);
            e.bytes(ea.name().getBytes(StandardCharsets.ISO_8859_1)).u8(0).bytes(ea.value());
            if (!last) {
                e.zeros(((size + 3) & ~3) - (e.position() - at));
            }
        }
        return e.position() - start;
    }

    private static int entrySize(Ea ea) {
        return 8 + ea.name().length() + 1 + ea.value().length;
    }

    /** The EAs of an object SMB can show, in name order. */
    private static List<Ea> listed(Map<String, byte[]> all) {
        List<Ea> out = new ArrayList<>(all.size());
        all.forEach((n, v) -> {
            if (smbName(n) && v.length <= 0xFFFF) {
                out.add(new Ea(n, v));
            }
        });
        return out;
    }

    /** The stored name an SMB name stands for: the first stored one equal ignoring ASCII case, else itself. */
    private static String stored(List<String> names, String smb) {
        String upper = smb.toUpperCase(Locale.ROOT);
        for (String n : names) {
            if (n.length() == smb.length() && n.toUpperCase(Locale.ROOT).equals(upper)) {
                return n;
            }
        }
        return smb;
    }

    // ---------------------------------------------------------------- hooks

    /**
     * QUERY_INFO FileFullEaInformation: every EA (or those named in the request's
     * FILE_GET_EA_INFORMATION list, a missing one with an empty value), as many whole entries as
     * fit {@code outLen} (STATUS_BUFFER_OVERFLOW when some do not, BUFFER_TOO_SMALL when none
     * does); STATUS_NO_EAS_ON_FILE when the object has none. SL_RETURN_SINGLE_ENTRY (flag 2)
     * returns the first only. Needs FILE_READ_EA.
     */
    static int query(SmbDecoder in, Open o, long outLen, SmbEncoder out) {
        if ((o.access() & READ_EA) == 0) {
            return NtStatus.ACCESS_DENIED;
        }
        FileSystem fs = o.tree().share().fs();
        Map<String, byte[]> all = fs.xattrs().all(o.tree().authorize(false), o.inode());
        List<Ea> eas = listed(all);
        int inLen = (int) Math.min(in.u32(76), Integer.MAX_VALUE);
        if (inLen > 0) {
            eas = requested(in.slice(in.u16(72), inLen), eas);
        }
        if (eas.isEmpty()) {
            return NtStatus.NO_EAS_ON_FILE;
        }
        if ((in.i32(84) & 0x2) != 0) {
            eas = eas.subList(0, 1);
        }
        long room = Math.min(outLen, out.remaining() - 8L);
        int fit = 0;
        long used = 0;
        for (Ea ea : eas) {
            long need = (used + 3) & ~3L;
            if (need + entrySize(ea) > room) {
                break;
            }
            used = need + entrySize(ea);
            fit++;
        }
        if (fit == 0) {
            out.u16(9).u16(Smb2Header.SIZE + 8).u32(4).u32(eas.isEmpty() ? 0 : entrySize(eas.get(0)));
            return NtStatus.BUFFER_TOO_SMALL;
        }
        int lenAt = out.position() + 4;
        out.u16(9).u16(Smb2Header.SIZE + 8).u32(0);
        int len = encode(out, eas.subList(0, fit));
        out.putU32(lenAt, len);
        return fit == eas.size() ? NtStatus.SUCCESS : NtStatus.BUFFER_OVERFLOW;
    }

    /** The EAs named in a FILE_GET_EA_INFORMATION list (MS-FSCC 2.4.15.1), in its order. */
    private static List<Ea> requested(MemorySegment buf, List<Ea> have) {
        SmbDecoder d = new SmbDecoder(buf);
        List<String> names = have.stream().map(Ea::name).toList();
        List<Ea> out = new ArrayList<>();
        long p = 0;
        while (true) {
            long next = d.u32(p);
            int len = d.u8(p + 4);
            String n = new String(d.bytes(p + 5, len, 255), StandardCharsets.ISO_8859_1);
            if (!smbName(n)) {
                throw new SmbStatusException(NtStatus.INVALID_EA_NAME, "EA name");
            }
            String s = stored(names, n);
            Ea found = have.stream().filter(ea -> ea.name().equals(s)).findFirst().orElse(new Ea(n, new byte[0]));
            out.add(found);
            if (next == 0) {
                return out;
            }
            if (next < 5 + len || p + next >= d.size()) {
                throw inconsistent("FILE_GET_EA_INFORMATION lengths");
            }
            p += next;
        }
    }

    /** SET_INFO FileFullEaInformation: sets (or with an empty value removes) each EA of the list at once. Needs FILE_WRITE_EA. */
    static int set(Open o, SmbDecoder b) {
        if ((o.access() & WRITE_EA) == 0) {
            return NtStatus.ACCESS_DENIED;
        }
        List<Ea> eas = decode(b.segment());
        FileSystem fs = o.tree().share().fs();
        AuthContext ctx = o.tree().authorize(true);
        apply(fs, ctx, o.inode(), eas);
        return NtStatus.SUCCESS;
    }

    private static void apply(FileSystem fs, AuthContext ctx, long id, List<Ea> eas) {
        List<String> names = new ArrayList<>(fs.xattrs().list(ctx, id));
        List<XattrOps.Change> changes = new ArrayList<>(eas.size());
        for (Ea ea : eas) {
            String name = stored(names, ea.name());
            names.add(name);
            changes.add(new XattrOps.Change(name, ea.value().length == 0 ? null : ea.value()));
        }
        fs.xattrs().update(ctx, id, changes);
    }

    /** FileEaInformation's EaSize: the length of the object's FILE_FULL_EA_INFORMATION list, 0 if unreadable. */
    static long eaSize(Open o) {
        try {
            List<Ea> eas = listed(o.tree().share().fs().xattrs().all(o.tree().authorize(false), o.inode()));
            long size = 0;
            for (Ea ea : eas) {
                size = ((size + 3) & ~3L) + entrySize(ea);
            }
            return size;
        } catch (FsException e) {
            if (e.error() == FsError.ACCESS_DENIED || e.error() == FsError.NOT_OWNER) {
                return 0;
            }
            throw e;
        }
    }

    /**
     * The EAs of a CREATE request's {@code ExtA} create context (MS-SMB2 2.2.13.2), empty if it
     * has none; walks the context chain with every offset checked.
     */
    static List<Ea> fromCreate(SmbDecoder in) {
        long off = in.u32(112);
        long len = in.u32(116);
        if (len == 0) {
            return List.of();
        }
        SmbDecoder c = new SmbDecoder(in.slice(off, len));
        long p = 0;
        for (int i = 0; i < MAX_CONTEXTS; i++) {
            long next = c.u32(p);
            int nameOff = c.u16(p + 4);
            int nameLen = c.u16(p + 6);
            int dataOff = c.u16(p + 10);
            long dataLen = c.u32(p + 12);
            if (nameLen == 4 && "ExtA".equals(new String(c.bytes(p + nameOff, 4, 4), StandardCharsets.ISO_8859_1))) {
                return decode(c.slice(p + dataOff, dataLen));
            }
            if (next == 0) {
                return List.of();
            }
            if (next < 16 || p + next >= c.size()) {
                throw new SmbStatusException(NtStatus.INVALID_PARAMETER, "create context chain");
            }
            p += next;
        }
        throw new SmbStatusException(NtStatus.INVALID_PARAMETER, "too many create contexts");
    }

    /** Gives a file CREATE made (or overwrote) the EAs of its {@code ExtA} context. */
    static void applyOnCreate(FileSystem fs, AuthContext ctx, long id, List<Ea> eas) {
        if (!eas.isEmpty()) {
            apply(fs, ctx, id, eas);
        }
    }

    private static SmbStatusException inconsistent(String why) {
        return new SmbStatusException(NtStatus.EA_LIST_INCONSISTENT, why);
    }
}
