package io.dittofs.protocols.smb.handler;

import io.dittofs.core.Inode;
import io.dittofs.protocols.smb.Open;
import io.dittofs.protocols.smb.codec.SmbEncoder;

/**
 * Encoders of the file information classes (MS-FSCC 2.4) QUERY_INFO serves. Each returns the
 * size of its fixed part (the least a client buffer must hold), -1 for a class not served.
 * Stateless; thread-safe.
 */
final class FileInfo {
    static final int BASIC = 4;
    static final int STANDARD = 5;
    static final int INTERNAL = 6;
    static final int EA = 7;
    static final int ACCESS = 8;
    static final int NAME = 9;
    static final int RENAME = 10;
    static final int DISPOSITION = 13;
    static final int POSITION = 14;
    static final int FULL_EA = 15;
    static final int MODE = 16;
    static final int ALIGNMENT = 17;
    static final int ALL = 18;
    static final int ALLOCATION = 19;
    static final int END_OF_FILE = 20;
    static final int ALTERNATE_NAME = 21;
    static final int STREAM = 22;
    static final int COMPRESSION = 28;
    static final int NETWORK_OPEN = 34;
    static final int ATTRIBUTE_TAG = 35;
    static final int NORMALIZED_NAME = 48;
    static final int DISPOSITION_EX = 64;

    private FileInfo() {
    }

    /** @param deletePending whether the file's delete is pending (FileStandardInformation.DeletePending) */
    static int write(SmbEncoder e, int cls, Open o, Inode n, boolean deletePending) {
        switch (cls) {
            case BASIC -> {
                basic(e, n);
                return 40;
            }
            case STANDARD -> {
                standard(e, o, n, deletePending);
                return 24;
            }
            case INTERNAL -> {
                e.u64(n.id());
                return 8;
            }
            case EA -> {
                e.u32(ExtendedAttributes.eaSize(o));
                return 4;
            }
            case ACCESS -> {
                e.u32(o.access());
                return 4;
            }
            case NAME -> {
                name(e, o);
                return 4;
            }
            case NORMALIZED_NAME -> {
                // the share-relative path without a leading backslash, "" for the root (MS-FSCC 2.4.28)
                e.u32(2L * o.path().length());
                e.utf16(o.path());
                return 4;
            }
            case POSITION -> {
                e.u64(o.position());
                return 8;
            }
            case MODE -> {
                e.u32(0);
                return 4;
            }
            case ALIGNMENT -> {
                e.u32(0);
                return 4;
            }
            case ALL -> {
                basic(e, n);
                standard(e, o, n, deletePending);
                e.u64(n.id()).u32(ExtendedAttributes.eaSize(o)).u32(o.access()).u64(o.position()).u32(0).u32(0);
                name(e, o);
                return 104; // the minimum buffer Windows accepts (smbtorture getinfo.qfile_buffercheck)
            }
            case ALTERNATE_NAME -> {
                // no separate 8.3 names are kept: the short name is the name (Samba with mangling off)
                e.u32(2L * o.name().length());
                e.utf16(o.name());
                return 8;
            }
            case NETWORK_OPEN -> {
                Attrs.networkOpen(e, o.tree().share().fs(), n);
                e.u32(0);
                return 56;
            }
            case ATTRIBUTE_TAG -> {
                e.u32(Attrs.attributes(n)).u32(0);
                return 8;
            }
            case STREAM -> {
                if (!n.isDirectory()) {
                    e.u32(0).u32(2L * "::$DATA".length()).u64(n.size()).u64(Attrs.allocation(o.tree().share().fs(), n));
                    e.utf16("::$DATA");
                }
                return 32;
            }
            case COMPRESSION -> {
                e.u64(n.size()).u16(0).u8(0).u8(0).u8(0).zeros(3);
                return 16;
            }
            default -> {
                return -1;
            }
        }
    }

    private static void basic(SmbEncoder e, Inode n) {
        Attrs.times(e, n);
        e.u32(Attrs.attributes(n)).u32(0);
    }

    private static void standard(SmbEncoder e, Open o, Inode n, boolean deletePending) {
        e.u64(Attrs.allocation(o.tree().share().fs(), n)).u64(Attrs.endOfFile(n)).u32(Math.max(1, n.nlink())).u8(deletePending || o.deleteOnClose() ? 1 : 0)
                .u8(n.isDirectory() ? 1 : 0).u16(0);
    }

    /** FILE_NAME_INFORMATION: the path from the share root with a leading backslash. */
    private static void name(SmbEncoder e, Open o) {
        String p = "\\" + o.path();
        e.u32(2L * p.length());
        e.utf16(p);
    }
}
