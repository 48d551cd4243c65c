package io.dittofs.core.lock;

/**
 * The file a lock or share reservation is on: the share and the inode number within it. Inode
 * numbers are never reused by the stores, so a key never aliases a later file. Immutable.
 *
 * @param shareId the share's id
 * @param inode   the inode number
 */
public record FileKey(int shareId, long inode) {
}
