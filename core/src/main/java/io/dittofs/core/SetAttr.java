package io.dittofs.core;

/**
 * The attributes a SETATTR (or CREATE/MKDIR) asks to change. A negative or null field means
 * "leave as is" (RFC 1813 section 2.5 {@code sattr3}).
 *
 * @param mode     new permission bits, or -1
 * @param uid      new owner, or -1
 * @param gid      new group, or -1
 * @param size     new size, or -1
 * @param atime    {@link TimeSet} for atime
 * @param mtime    {@link TimeSet} for mtime
 */
public record SetAttr(int mode, long uid, long gid, long size, TimeSet atime, TimeSet mtime) {
    public static final SetAttr NONE = new SetAttr(-1, -1, -1, -1, TimeSet.DONT_CHANGE, TimeSet.DONT_CHANGE);

    public static SetAttr mode(int mode) {
        return new SetAttr(mode, -1, -1, -1, TimeSet.DONT_CHANGE, TimeSet.DONT_CHANGE);
    }

    public boolean isEmpty() {
        return mode < 0 && uid < 0 && gid < 0 && size < 0 && atime.kind() == TimeSet.Kind.DONT_CHANGE
                && mtime.kind() == TimeSet.Kind.DONT_CHANGE;
    }

    /** A time to set: leave, set to the server's clock, or set to a client-given value. */
    public record TimeSet(Kind kind, long nanos) {
        public enum Kind { DONT_CHANGE, SERVER_TIME, CLIENT_TIME }

        public static final TimeSet DONT_CHANGE = new TimeSet(Kind.DONT_CHANGE, 0);
        public static final TimeSet SERVER_TIME = new TimeSet(Kind.SERVER_TIME, 0);

        public static TimeSet client(long nanos) {
            return new TimeSet(Kind.CLIENT_TIME, nanos);
        }
    }
}
