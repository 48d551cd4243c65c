package io.dittofs.core;

/**
 * A directory entry as a store lists it.
 *
 * @param name   the entry name (never "." or "..")
 * @param child  the inode it names
 * @param cookie a position that stays valid while other entries come and go: entries are
 *               listed in cookie order and a new entry always gets a larger cookie than every
 *               existing one in its directory
 */
public record DirEntry(String name, long child, long cookie) {
}
