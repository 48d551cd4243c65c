package io.dittofs.protocols.smb;

/** The NTSTATUS values this server returns (MS-ERREF 2.3.1). Constants only. */
public final class NtStatus {
    public static final int SUCCESS = 0x0000_0000;
    public static final int PENDING = 0x0000_0103;
    public static final int NOTIFY_ENUM_DIR = 0x0000_010C;
    public static final int BUFFER_OVERFLOW = 0x8000_0005;
    public static final int NO_MORE_FILES = 0x8000_0006;
    public static final int NOT_IMPLEMENTED = 0xC000_0002;
    public static final int INVALID_INFO_CLASS = 0xC000_0003;
    public static final int INFO_LENGTH_MISMATCH = 0xC000_0004;
    public static final int INVALID_HANDLE = 0xC000_0008;
    public static final int INVALID_PARAMETER = 0xC000_000D;
    public static final int NO_SUCH_FILE = 0xC000_000F;
    public static final int INVALID_DEVICE_REQUEST = 0xC000_0010;
    public static final int END_OF_FILE = 0xC000_0011;
    public static final int MORE_PROCESSING_REQUIRED = 0xC000_0016;
    public static final int ACCESS_DENIED = 0xC000_0022;
    public static final int BUFFER_TOO_SMALL = 0xC000_0023;
    public static final int OBJECT_NAME_INVALID = 0xC000_0033;
    public static final int OBJECT_NAME_NOT_FOUND = 0xC000_0034;
    public static final int OBJECT_NAME_COLLISION = 0xC000_0035;
    public static final int OBJECT_PATH_NOT_FOUND = 0xC000_003A;
    public static final int OBJECT_PATH_SYNTAX_BAD = 0xC000_003B;
    public static final int SHARING_VIOLATION = 0xC000_0043;
    public static final int DELETE_PENDING = 0xC000_0056;
    /** Extended attributes (MS-FSCC 2.4.15, MS-ERREF 2.3.1). */
    public static final int INVALID_EA_NAME = 0x8000_0013;
    public static final int EA_LIST_INCONSISTENT = 0x8000_0014;
    public static final int EA_TOO_LARGE = 0xC000_0050;
    public static final int NONEXISTENT_EA_ENTRY = 0xC000_0051;
    public static final int NO_EAS_ON_FILE = 0xC000_0052;
    public static final int PRIVILEGE_NOT_HELD = 0xC000_0061;
    public static final int LOGON_FAILURE = 0xC000_006D;
    public static final int ACCOUNT_DISABLED = 0xC000_0072;
    public static final int DISK_FULL = 0xC000_007F;
    public static final int INSUFFICIENT_RESOURCES = 0xC000_009A;
    public static final int FILE_LOCK_CONFLICT = 0xC000_0054;
    public static final int LOCK_NOT_GRANTED = 0xC000_0055;
    public static final int RANGE_NOT_LOCKED = 0xC000_007E;
    public static final int INVALID_LOCK_RANGE = 0xC000_01A1;
    public static final int MEDIA_WRITE_PROTECTED = 0xC000_00A2;
    public static final int BAD_IMPERSONATION_LEVEL = 0xC000_00A5;
    public static final int FILE_IS_A_DIRECTORY = 0xC000_00BA;
    public static final int NOT_SUPPORTED = 0xC000_00BB;
    public static final int NETWORK_NAME_DELETED = 0xC000_00C9;
    public static final int BAD_NETWORK_NAME = 0xC000_00CC;
    public static final int REQUEST_NOT_ACCEPTED = 0xC000_00D0;
    public static final int INTERNAL_ERROR = 0xC000_00E5;
    public static final int DIRECTORY_NOT_EMPTY = 0xC000_0101;
    public static final int NOT_A_DIRECTORY = 0xC000_0103;
    public static final int NAME_TOO_LONG = 0xC000_0106;
    public static final int CANCELLED = 0xC000_0120;
    public static final int FILE_CLOSED = 0xC000_0128;
    public static final int NOT_SAME_DEVICE = 0xC000_00D4;
    public static final int FILE_INVALID = 0xC000_0098;
    public static final int USER_SESSION_DELETED = 0xC000_0203;
    public static final int NETWORK_SESSION_EXPIRED = 0xC000_035C;
    public static final int NOT_A_REPARSE_POINT = 0xC000_0275;
    public static final int TOO_MANY_LINKS = 0xC000_0265;
    public static final int FILE_TOO_LARGE = 0xC000_0904;
    public static final int QUOTA_EXCEEDED = 0xC000_0044;
    public static final int STOPPED_ON_SYMLINK = 0x8000_002D;
    public static final int IO_DEVICE_ERROR = 0xC000_0185;
    public static final int FS_DRIVER_REQUIRED = 0xC000_019C;
    public static final int DEVICE_NOT_READY = 0xC000_00A3;
    public static final int WRONG_PASSWORD = 0xC000_006A;
    public static final int CANNOT_DELETE = 0xC000_0121;
    public static final int UNEXPECTED_IO_ERROR = 0xC000_00E9;
    public static final int INVALID_VIEW_SIZE = 0xC000_001F;

    private NtStatus() {
    }

    /** True for error statuses (severity bits 11); warnings (0x8...) still carry a body. */
    public static boolean isError(int status) {
        return (status >>> 30) == 3;
    }

    public static String hex(int status) {
        return String.format("0x%08X", status);
    }
}
