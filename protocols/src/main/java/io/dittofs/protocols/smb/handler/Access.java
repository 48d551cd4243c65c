package io.dittofs.protocols.smb.handler;

/** Access masks (MS-SMB2 2.2.13.1.1, MS-DTYP 2.4.3) and the generic mapping for files. Stateless. */
final class Access {
    static final int READ_DATA = 0x1;
    static final int WRITE_DATA = 0x2;
    static final int APPEND_DATA = 0x4;
    static final int EXECUTE = 0x20;
    static final int DELETE = 0x1_0000;
    static final int MAXIMUM_ALLOWED = 0x0200_0000;
    static final int GENERIC_ALL = 0x1000_0000;
    static final int GENERIC_EXECUTE = 0x2000_0000;
    static final int GENERIC_WRITE = 0x4000_0000;
    static final int GENERIC_READ = 0x8000_0000;
    static final int FILE_ALL = 0x001F_01FF;
    static final int FILE_READ = 0x0012_0089;
    static final int FILE_WRITE = 0x0012_0116;
    static final int FILE_EXEC = 0x0012_00A0;
    /** Everything that changes the file, its attributes, its security or its name. */
    static final int WRITE_BITS = 0x2 | 0x4 | 0x10 | 0x40 | 0x100 | DELETE | 0x4_0000 | 0x8_0000;
    static final int READ_DATA_BITS = READ_DATA;
    static final int WRITE_DATA_BITS = WRITE_DATA | APPEND_DATA;

    private Access() {
    }

    /** Generic rights mapped to specific ones; MAXIMUM_ALLOWED removed (the caller adds the maximum). */
    static int map(int desired) {
        int m = desired & ~(GENERIC_ALL | GENERIC_EXECUTE | GENERIC_WRITE | GENERIC_READ | MAXIMUM_ALLOWED);
        if ((desired & GENERIC_ALL) != 0) {
            m |= FILE_ALL;
        }
        if ((desired & GENERIC_READ) != 0) {
            m |= FILE_READ;
        }
        if ((desired & GENERIC_WRITE) != 0) {
            m |= FILE_WRITE;
        }
        if ((desired & GENERIC_EXECUTE) != 0) {
            m |= FILE_EXEC;
        }
        return m;
    }

    /** The most a caller gets: everything when it may write, else read; data bits per POSIX rwx. */
    static int maximal(boolean canWrite, int rwx) {
        int m = canWrite ? FILE_ALL : 0x0012_00A9;
        if ((rwx & 4) == 0) {
            m &= ~READ_DATA;
        }
        if ((rwx & 2) == 0) {
            m &= ~WRITE_DATA_BITS;
        }
        return m;
    }
}
