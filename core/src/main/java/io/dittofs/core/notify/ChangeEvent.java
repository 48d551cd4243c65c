package io.dittofs.core.notify;

/**
 * One successful change of a share's namespace or of an object's attributes or data, whatever
 * protocol made it. Protocol-neutral: SMB CHANGE_NOTIFY (MS-SMB2 2.2.35, MS-FSA 2.1.4.17) maps it
 * to FILE_NOTIFY_INFORMATION, and any other watcher may.
 *
 * <p>Namespace events name the entry: {@code dirId} and {@code name}. {@link Action#MODIFIED}
 * events from SETATTR and WRITE know only the object ({@code id}; {@code dirId} is -1 and
 * {@code name} null), because an inode does not know its names. Immutable.
 *
 * @param action    what happened
 * @param dirId     the directory holding the entry, or -1 when unknown
 * @param name      the entry's name, or null when unknown
 * @param id        the object's id, or -1 when unknown (a removed file)
 * @param directory whether the object is a directory (as far as known; false when unknown)
 * @param changes   which properties changed: {@link #NAME}, {@link #ATTRIBUTES}, {@link #SIZE},
 *                  {@link #LAST_WRITE}, {@link #LAST_ACCESS}, {@link #SECURITY}
 */
public record ChangeEvent(Action action, long dirId, String name, long id, boolean directory, int changes) {
    /** What happened to the entry or object. */
    public enum Action { ADDED, REMOVED, MODIFIED, RENAMED_FROM, RENAMED_TO }

    /** The entry appeared, went or changed its name. */
    public static final int NAME = 0x1;
    /** Mode bits (and so DOS attributes) changed. */
    public static final int ATTRIBUTES = 0x2;
    /** The size changed (or may have: a write). */
    public static final int SIZE = 0x4;
    /** The modification time changed. */
    public static final int LAST_WRITE = 0x8;
    /** The access time changed. */
    public static final int LAST_ACCESS = 0x10;
    /** Owner, group or permissions changed. */
    public static final int SECURITY = 0x20;
}
