package io.dittofs.e2e;

/**
 * One entry of libnfs' {@code struct nfsdirent} (filled from READDIRPLUS3). {@code type} is the
 * NFSv3 {@code ftype3} ({@code NF3REG}=1, {@code NF3DIR}=2, {@code NF3LNK}=5).
 */
record NfsDirEntry(String name, long inode, int type, int mode, long size) {

    static final int NF3REG = 1;
    static final int NF3DIR = 2;
    static final int NF3LNK = 5;

    boolean isDirectory() {
        return type == NF3DIR;
    }
}
