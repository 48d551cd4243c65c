package io.dittofs.protocols.smb;

import io.dittofs.protocols.smb.dcerpc.SrvsvcPipe;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An open file, directory or named pipe (MS-SMB2 3.3.1.10 Open). The name and parent follow
 * renames made through this open. Thread-safe: mutable fields are guarded by this object.
 */
public final class Open {
    private final long fileId;
    private final TreeConnect tree;
    private final long inode;
    private final boolean directory;
    private final int access;
    private final SrvsvcPipe pipe;
    private long parent;
    private String name;
    private String path;
    private boolean deleteOnClose;
    private boolean reserved;
    private boolean counted;
    private long position;
    private long dirCookie;
    private String dirPattern;
    private boolean dirDone;
    private volatile boolean closed;
    private NotifyWatch watch;
    private final List<ByteLock> locks = new CopyOnWriteArrayList<>();

    public Open(long fileId, TreeConnect tree, long inode, long parent, String name, String path, boolean directory,
                int access, SrvsvcPipe pipe) {
        this.fileId = fileId;
        this.tree = tree;
        this.inode = inode;
        this.parent = parent;
        this.name = name;
        this.path = path;
        this.directory = directory;
        this.access = access;
        this.pipe = pipe;
    }

    public long fileId() {
        return fileId;
    }

    public TreeConnect tree() {
        return tree;
    }

    public long inode() {
        return inode;
    }

    public boolean directory() {
        return directory;
    }

    /** The granted access mask (MS-SMB2 2.2.13.1). */
    public int access() {
        return access;
    }

    public SrvsvcPipe pipe() {
        return pipe;
    }

    public synchronized long parent() {
        return parent;
    }

    public synchronized String name() {
        return name;
    }

    public synchronized String path() {
        return path;
    }

    public synchronized void renamed(long newParent, String newName, String newPath) {
        parent = newParent;
        name = newName;
        path = newPath;
    }

    public synchronized boolean deleteOnClose() {
        return deleteOnClose;
    }

    public synchronized void deleteOnClose(boolean v) {
        deleteOnClose = v;
    }

    /** Whether the open holds a share reservation in the lock manager (SMB share modes). */
    public synchronized boolean reserved() {
        return reserved;
    }

    public synchronized void reserved(boolean v) {
        reserved = v;
    }

    /** Whether the open is counted in {@link OpenFiles}. */
    public synchronized boolean counted() {
        return counted;
    }

    public synchronized void counted(boolean v) {
        counted = v;
    }

    public synchronized long position() {
        return position;
    }

    public synchronized void position(long p) {
        position = p;
    }

    /** Directory enumeration cursor (QUERY_DIRECTORY): cookie of the next entry, pattern, finished. */
    public synchronized long dirCookie() {
        return dirCookie;
    }

    public synchronized String dirPattern() {
        return dirPattern;
    }

    public synchronized boolean dirDone() {
        return dirDone;
    }

    public synchronized void dirState(long cookie, String pattern, boolean done) {
        dirCookie = cookie;
        dirPattern = pattern;
        dirDone = done;
    }

    /**
     * The byte-range locks this open holds, in the order granted (SMB2 LOCK): changed only while
     * holding this open's monitor; other opens read it without (copy-on-write list).
     */
    public List<ByteLock> locks() {
        return locks;
    }

    public boolean closed() {
        return closed;
    }

    public void markClosed() {
        closed = true;
        NotifyWatch w;
        synchronized (this) {
            w = watch;
            watch = null;
        }
        if (w != null) {
            w.close(); // CHANGE_NOTIFY requests waiting on the handle end with NOTIFY_CLEANUP
        }
    }

    /** The handle's change watch, made by {@code make} on the first CHANGE_NOTIFY; null once closed. */
    public synchronized NotifyWatch watch(java.util.function.Supplier<NotifyWatch> make) {
        if (watch == null && !closed) {
            watch = make.get();
        }
        return watch;
    }
}
