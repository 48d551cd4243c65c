package io.dittofs.core;

/** Object types (RFC 1813 section 2.5 {@code ftype3}); the ordinal is persisted by stores. */
public enum FileType {
    REGULAR, DIRECTORY, BLOCK_DEVICE, CHAR_DEVICE, SYMLINK, SOCKET, FIFO;

    private static final FileType[] VALUES = values();

    public static FileType fromOrdinal(int ordinal) {
        if (ordinal < 0 || ordinal >= VALUES.length) {
            throw new FsException(FsError.SERVER_FAULT, "corrupt file type " + ordinal);
        }
        return VALUES[ordinal];
    }
}
