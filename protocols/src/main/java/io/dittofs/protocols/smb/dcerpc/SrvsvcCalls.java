package io.dittofs.protocols.smb.dcerpc;

import java.util.List;

/**
 * NDR stubs of the two srvsvc calls share listing needs (MS-SRVS 3.1.4.8 NetrShareEnumAll,
 * opnum 15; 3.1.4.10 NetrShareGetInfo, opnum 16) for SHARE_INFO_0, _1 and _2 (2.2.4.22–24).
 * Stateless; thread-safe.
 */
final class SrvsvcCalls {
    static final int OPNUM_SHARE_ENUM_ALL = 15;
    static final int OPNUM_SHARE_GET_INFO = 16;
    static final int WERR_INVALID_LEVEL = 0x7C;
    static final int NERR_NET_NAME_NOT_FOUND = 0x906;

    private SrvsvcCalls() {
    }

    /**
     * NetrShareEnumAll([in, string, unique] ServerName, [in, out] LPSHARE_ENUM_STRUCT InfoStruct,
     * [in] PreferedMaximumLength, [out] TotalEntries, [in, out, unique] ResumeHandle) → WERROR.
     */
    static byte[] shareEnumAll(byte[] stub, List<ShareInfo> shares) throws BadPduException {
        NdrReader in = new NdrReader(stub);
        if (in.u32() != 0) {
            in.string(); // ServerName
        }
        int level = in.u32();
        in.u32(); // union discriminant
        if (in.u32() != 0) { // container pointer: EntriesRead, Buffer (a client sends it empty)
            in.u32();
            if (in.u32() != 0) {
                throw new BadPduException("NetrShareEnumAll with a non-empty input buffer");
            }
        }
        in.u32(); // PreferedMaximumLength: the whole list is returned at once
        boolean resume = in.u32() != 0;
        if (resume) {
            in.u32();
        }
        NdrWriter out = new NdrWriter();
        out.u32(level).u32(level);
        boolean known = level == 0 || level == 1 || level == 2;
        if (known) {
            out.pointer().u32(shares.size());
            if (shares.isEmpty()) {
                out.u32(0);
            } else {
                out.pointer().u32(shares.size());
                for (ShareInfo s : shares) {
                    fixedPart(out, level, s);
                }
                for (ShareInfo s : shares) {
                    strings(out, level, s);
                }
            }
        } else {
            out.u32(0);
        }
        out.u32(known ? shares.size() : 0);
        if (resume) {
            out.pointer().u32(0);
        } else {
            out.u32(0);
        }
        return out.u32(known ? 0 : WERR_INVALID_LEVEL).toByteArray();
    }

    /**
     * NetrShareGetInfo([in, string, unique] ServerName, [in, string] NetName, [in] Level,
     * [out, switch_is(Level)] LPSHARE_INFO InfoStruct) → WERROR.
     */
    static byte[] shareGetInfo(byte[] stub, List<ShareInfo> shares) throws BadPduException {
        NdrReader in = new NdrReader(stub);
        if (in.u32() != 0) {
            in.string();
        }
        String name = in.string();
        int level = in.u32();
        NdrWriter out = new NdrWriter().u32(level);
        if (level != 0 && level != 1 && level != 2) {
            return out.u32(0).u32(WERR_INVALID_LEVEL).toByteArray();
        }
        ShareInfo share = shares.stream().filter(s -> s.name().equalsIgnoreCase(name)).findFirst().orElse(null);
        if (share == null) {
            return out.u32(0).u32(NERR_NET_NAME_NOT_FOUND).toByteArray();
        }
        out.pointer();
        fixedPart(out, level, share);
        strings(out, level, share);
        return out.u32(0).toByteArray();
    }

    private static void fixedPart(NdrWriter out, int level, ShareInfo s) {
        out.pointer();
        if (level >= 1) {
            out.u32(s.type()).pointer();
        }
        if (level == 2) {
            out.u32(0).u32(-1).u32(0).pointer().u32(0); // permissions, max_uses, current_uses, path, no password
        }
    }

    private static void strings(NdrWriter out, int level, ShareInfo s) {
        out.string(s.name());
        if (level >= 1) {
            out.string(s.comment() == null ? "" : s.comment());
        }
        if (level == 2) {
            out.string((s.type() & 0xff) == 0 ? "C:\\" + s.name() : "");
        }
    }
}
