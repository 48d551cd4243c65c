package io.dittofs.protocols.smb.handler;

import io.dittofs.core.Share;
import io.dittofs.core.ShareRegistry;
import io.dittofs.protocols.smb.dcerpc.ShareInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How control-plane shares appear over SMB: the share {@code /export} is {@code export} (the
 * leading slash dropped, inner slashes become underscores), matched case-insensitively; plus
 * {@code IPC$}. Stateless; thread-safe.
 */
public final class SmbShares {
    public static final String IPC = "IPC$";

    private SmbShares() {
    }

    public static String smbName(Share s) {
        String n = s.name();
        while (n.startsWith("/")) {
            n = n.substring(1);
        }
        return n.replace('/', '_');
    }

    /** The share named {@code name} (case-insensitive), or null. */
    public static Share find(ShareRegistry reg, String name) {
        for (Share s : reg.all()) {
            if (smbName(s).toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        return null;
    }

    /** What NetrShareEnumAll lists: every share, then IPC$. */
    public static List<ShareInfo> list(ShareRegistry reg) {
        List<ShareInfo> out = new ArrayList<>();
        for (Share s : reg.all()) {
            out.add(new ShareInfo(smbName(s), 0, "DittoFS share " + s.name()));
        }
        out.add(new ShareInfo(IPC, 0x80000003, "IPC Service"));
        return out;
    }
}
