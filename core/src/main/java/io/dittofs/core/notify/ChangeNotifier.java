package io.dittofs.core.notify;

import io.dittofs.core.Inode;
import io.dittofs.core.SetAttr;

import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The change-event hook of one {@link io.dittofs.core.FileSystem}: after each successful namespace
 * change (create, mkdir, symlink, mknod, link, remove, rmdir, rename) and each SETATTR or WRITE it
 * tells the registered {@link ChangeListener}s, whichever protocol made the change. Cheap when
 * nobody listens: the file system checks {@link #active()} (one volatile read) before building an
 * event. A listener that throws is logged and the others still run.
 *
 * <p>Thread-safe: listeners live in a copy-on-write list.
 */
public final class ChangeNotifier {
    private static final System.Logger LOG = System.getLogger(ChangeNotifier.class.getName());
    private final CopyOnWriteArrayList<ChangeListener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean active;

    public void add(ChangeListener l) {
        listeners.add(l);
        active = true;
    }

    public void remove(ChangeListener l) {
        listeners.remove(l);
        active = !listeners.isEmpty();
    }

    /** Whether anyone listens (one volatile read; callers skip building events when not). */
    public boolean active() {
        return active;
    }

    public void fire(ChangeEvent e) {
        for (ChangeListener l : listeners) {
            try {
                l.changed(e);
            } catch (RuntimeException x) {
                LOG.log(System.Logger.Level.WARNING, "change listener failed on " + e, x);
            }
        }
    }

    /** An entry appeared in {@code dirId}. */
    public void added(long dirId, String name, Inode child) {
        fire(new ChangeEvent(ChangeEvent.Action.ADDED, dirId, name, child.id(), child.isDirectory(), ChangeEvent.NAME));
    }

    /** An entry left {@code dirId}; {@code id} is the removed object's, or -1 when unknown. */
    public void removed(long dirId, String name, long id, boolean directory) {
        fire(new ChangeEvent(ChangeEvent.Action.REMOVED, dirId, name, id, directory, ChangeEvent.NAME));
    }

    /** An entry moved from one name to another (both events, the old name first). */
    public void renamed(long fromDir, String fromName, long toDir, String toName, long id, boolean directory) {
        fire(new ChangeEvent(ChangeEvent.Action.RENAMED_FROM, fromDir, fromName, id, directory, ChangeEvent.NAME));
        fire(new ChangeEvent(ChangeEvent.Action.RENAMED_TO, toDir, toName, id, directory, ChangeEvent.NAME));
    }

    /** The attributes or data of object {@code id} changed ({@code changes}: {@link ChangeEvent} bits). */
    public void modified(long id, boolean directory, int changes) {
        fire(new ChangeEvent(ChangeEvent.Action.MODIFIED, -1, null, id, directory, changes));
    }

    /** The {@link ChangeEvent} bits a SETATTR of {@code sa} changes. */
    public static int changesOf(SetAttr sa) {
        int c = 0;
        if (sa.mode() >= 0) {
            c |= ChangeEvent.ATTRIBUTES | ChangeEvent.SECURITY;
        }
        if (sa.uid() >= 0 || sa.gid() >= 0) {
            c |= ChangeEvent.SECURITY;
        }
        if (sa.size() >= 0) {
            c |= ChangeEvent.SIZE | ChangeEvent.LAST_WRITE;
        }
        if (sa.mtime().kind() != SetAttr.TimeSet.Kind.DONT_CHANGE) {
            c |= ChangeEvent.LAST_WRITE;
        }
        if (sa.atime().kind() != SetAttr.TimeSet.Kind.DONT_CHANGE) {
            c |= ChangeEvent.LAST_ACCESS;
        }
        return c;
    }
}
