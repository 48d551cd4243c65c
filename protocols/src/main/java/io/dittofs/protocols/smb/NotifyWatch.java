package io.dittofs.protocols.smb;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.FsException;
import io.dittofs.core.Inode;
import io.dittofs.core.Results;
import io.dittofs.core.notify.ChangeEvent;
import io.dittofs.core.notify.ChangeListener;
import io.dittofs.protocols.smb.codec.SmbEncoder;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The change watch of one directory handle (MS-SMB2 3.3.5.19, MS-FSA 2.1.5.10): set up by the first
 * CHANGE_NOTIFY on the handle, it listens to the share's {@link io.dittofs.core.notify.ChangeNotifier}
 * (so changes made over NFS count as much as SMB ones) and keeps the matching changes as
 * FILE_NOTIFY_INFORMATION entries until a CHANGE_NOTIFY takes them. The buffer is bounded by the
 * OutputBufferLength of the first request on the handle (as Windows sizes it once); past it the
 * entries are dropped and the next request gets STATUS_NOTIFY_ENUM_DIR, as does a request whose
 * own OutputBufferLength is too small for what is buffered. Once the watched directory itself is
 * removed, requests end with STATUS_DELETE_PENDING. {@link #close} (the handle closing) ends
 * waiting requests with STATUS_NOTIFY_CLEANUP and unregisters the listener.
 *
 * <p>Names: namespace events carry their directory and name; with WATCH_TREE an event deeper down
 * gets its path relative to the watched directory (directory names found through the parents'
 * entries). SETATTR and WRITE events only know the object, whose name is looked up among the
 * watched directory's entries (at most {@value #SCAN_LIMIT}; cached), so attribute and data changes
 * are reported for the watched directory's own entries and for subdirectories, not for files
 * deeper in a tree.
 *
 * <p>Thread-safe: the buffer and the waiting requests change under this object's monitor; look-ups
 * in the store and completions run outside it.
 */
public final class NotifyWatch implements ChangeListener {
    /** FILE_NOTIFY_CHANGE_* bits (MS-SMB2 2.2.35). */
    public static final int FILE_NAME = 0x1;
    public static final int DIR_NAME = 0x2;
    public static final int ATTRIBUTES = 0x4;
    public static final int SIZE = 0x8;
    public static final int LAST_WRITE = 0x10;
    public static final int LAST_ACCESS = 0x20;
    public static final int SECURITY = 0x100;
    /** NTSTATUS of a request ended by its handle closing (MS-ERREF). */
    public static final int STATUS_NOTIFY_CLEANUP = 0x0000_010B;
    static final int SCAN_LIMIT = 10_000;
    private static final int DEPTH_LIMIT = 64;

    /** One buffered change. */
    private record Entry(int action, String name) {
        int size() {
            return (12 + 2 * name.length() + 3) & ~3;
        }
    }

    /** A CHANGE_NOTIFY waiting for changes. */
    private record Waiting(AsyncOp op, int maxOut) {
    }

    /** What a request gets now: a status and, for SUCCESS, the entries. */
    public record Ready(int status, AsyncOp.Body body) {
    }

    private final FileSystem fs;
    private final long dir;
    private final boolean tree;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private final Map<Long, String> names = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, String> e) {
            return size() > 1024;
        }
    };
    private int filter;
    private int limit;
    private int bytes;
    private boolean overflow;
    private boolean closed;
    private boolean deleted;

    private NotifyWatch(FileSystem fs, long dir, boolean tree, int filter, int limit) {
        this.fs = fs;
        this.dir = dir;
        this.tree = tree;
        this.filter = filter;
        this.limit = limit;
    }

    /** A watch on {@code dir}, listening from now on. */
    public static NotifyWatch start(FileSystem fs, long dir, boolean tree, int filter, int limit) {
        NotifyWatch w = new NotifyWatch(fs, dir, tree, filter, limit);
        fs.changes().add(w);
        return w;
    }

    /** Takes the buffered changes for a request that can carry {@code maxOut} bytes, or null when there are none. */
    public synchronized Ready take(int filter, int maxOut) {
        this.filter = filter;
        return readyLocked(maxOut);
    }

    private Ready readyLocked(int maxOut) {
        if (deleted) {
            return new Ready(NtStatus.DELETE_PENDING, null);
        }
        if (overflow || bytes > maxOut) {
            overflow = false;
            entries.clear();
            bytes = 0;
            return new Ready(NtStatus.NOTIFY_ENUM_DIR, null);
        }
        if (entries.isEmpty()) {
            return null;
        }
        List<Entry> out = new ArrayList<>(entries);
        entries.clear();
        bytes = 0;
        return new Ready(NtStatus.SUCCESS, enc -> encode(enc, out));
    }

    /** Queues a request that found nothing; it completes at the next matching change (or now, if one came). */
    public void await(AsyncOp op, int maxOut) {
        Ready now;
        synchronized (this) {
            if (closed) {
                now = new Ready(STATUS_NOTIFY_CLEANUP, null);
            } else {
                now = readyLocked(maxOut);
                if (now == null) {
                    waiting.add(new Waiting(op, maxOut));
                    return;
                }
            }
        }
        op.complete(now.status(), now.body());
    }

    /** The canceller of a waiting request: CANCEL ends it CANCELLED, anything else NOTIFY_CLEANUP. */
    public void cancel(AsyncOp op, AsyncOp.Reason why) {
        synchronized (this) {
            waiting.removeIf(w -> w.op() == op);
        }
        op.complete(why == AsyncOp.Reason.CANCEL ? NtStatus.CANCELLED : STATUS_NOTIFY_CLEANUP, null);
    }

    /** Ends the watch (its handle closed): waiting requests get NOTIFY_CLEANUP. */
    public void close() {
        List<Waiting> ended;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            ended = new ArrayList<>(waiting);
            waiting.clear();
            entries.clear();
        }
        fs.changes().remove(this);
        for (Waiting w : ended) {
            w.op().complete(STATUS_NOTIFY_CLEANUP, null);
        }
    }

    @Override
    public void changed(ChangeEvent e) {
        if (e.action() == ChangeEvent.Action.REMOVED && e.id() == dir) {
            gone();
            return;
        }
        int action = action(e.action());
        int want = e.action() == ChangeEvent.Action.MODIFIED ? modifiedBits(e.changes())
                : e.directory() ? DIR_NAME : FILE_NAME;
        int f;
        synchronized (this) {
            if (closed) {
                return;
            }
            f = filter;
            remember(e);
        }
        if ((f & want) == 0) {
            return;
        }
        String name = e.name() != null ? relative(e.dirId(), e.name()) : relativeOf(e.id(), e.directory());
        if (name != null) {
            add(new Entry(action, name));
        }
    }

    /** Keeps the id-to-name cache of the watched directory's entries right (caller holds the monitor). */
    private void remember(ChangeEvent e) {
        switch (e.action()) {
            case ADDED, RENAMED_TO -> {
                if (e.dirId() == dir && e.id() >= 0) {
                    names.put(e.id(), e.name()); // a write right after a create needs no scan
                } else if (e.id() >= 0) {
                    names.remove(e.id());
                }
            }
            case REMOVED, RENAMED_FROM -> {
                if (e.dirId() == dir) {
                    names.values().removeIf(n -> n != null && n.equals(e.name()));
                }
            }
            case MODIFIED -> {
                // names do not change
            }
        }
    }

    /** The watched directory was removed: waiting and later requests get STATUS_DELETE_PENDING. */
    private void gone() {
        List<Waiting> ended;
        synchronized (this) {
            deleted = true;
            ended = new ArrayList<>(waiting);
            waiting.clear();
        }
        for (Waiting w : ended) {
            w.op().complete(NtStatus.DELETE_PENDING, null);
        }
    }

    private void add(Entry en) {
        Waiting w;
        Ready r;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (!overflow) {
                entries.add(en);
                bytes += en.size();
                if (bytes > limit) {
                    overflow = true;
                    entries.clear();
                    bytes = 0;
                }
            }
            w = waiting.poll();
            if (w == null) {
                return;
            }
            r = readyLocked(w.maxOut());
        }
        w.op().complete(r.status(), r.body());
    }

    private static int action(ChangeEvent.Action a) {
        return switch (a) {
            case ADDED -> 1;
            case REMOVED -> 2;
            case MODIFIED -> 3;
            case RENAMED_FROM -> 4;
            case RENAMED_TO -> 5;
        };
    }

    private static int modifiedBits(int changes) {
        int f = 0;
        f |= (changes & ChangeEvent.ATTRIBUTES) != 0 ? ATTRIBUTES : 0;
        f |= (changes & ChangeEvent.SIZE) != 0 ? SIZE : 0;
        f |= (changes & ChangeEvent.LAST_WRITE) != 0 ? LAST_WRITE : 0;
        f |= (changes & ChangeEvent.LAST_ACCESS) != 0 ? LAST_ACCESS : 0;
        f |= (changes & ChangeEvent.SECURITY) != 0 ? SECURITY : 0;
        return f;
    }

    /** The name of entry {@code name} of {@code parent} relative to the watched directory, or null when outside. */
    private String relative(long parent, String name) {
        if (parent == dir) {
            return name;
        }
        if (!tree) {
            return null;
        }
        StringBuilder path = new StringBuilder(name);
        long d = parent;
        for (int depth = 0; d != dir; depth++) {
            Inode n;
            try {
                n = fs.getattr(d);
            } catch (FsException x) {
                return null;
            }
            if (depth >= DEPTH_LIMIT || n.parent() == d) {
                return null; // reached the root: not below the watched directory
            }
            String dn = nameOf(n.parent(), d);
            if (dn == null) {
                return null;
            }
            path.insert(0, dn + "\\");
            d = n.parent();
        }
        return path.toString();
    }

    /** The relative name of a changed object known only by id. */
    private String relativeOf(long id, boolean directory) {
        if (directory) {
            Inode n;
            try {
                n = fs.getattr(id);
            } catch (FsException x) {
                return null;
            }
            if (n.parent() == id) {
                return null;
            }
            String name = nameOf(n.parent(), id);
            return name == null ? null : relative(n.parent(), name);
        }
        return nameOf(dir, id);
    }

    /** The name of {@code child} in {@code parent}, found among at most {@value #SCAN_LIMIT} entries. */
    private String nameOf(long parent, long child) {
        Long key = child;
        synchronized (this) {
            if (parent == dir && names.containsKey(key)) {
                return names.get(key);
            }
        }
        String found = null;
        try {
            long cookie = 0;
            int seen = 0;
            while (found == null && seen < SCAN_LIMIT) {
                Results.DirPage p = fs.readdir(AuthContext.ROOT, parent, cookie, 512, false);
                for (Results.Entry en : p.entries()) {
                    cookie = en.cookie();
                    seen++;
                    if (en.id() == child && !en.name().equals(".") && !en.name().equals("..")) {
                        found = en.name();
                        break;
                    }
                }
                if (p.eof() || p.entries().isEmpty()) {
                    break;
                }
            }
        } catch (FsException x) {
            return null;
        }
        if (parent == dir) {
            synchronized (this) {
                names.put(key, found);
            }
        }
        return found;
    }

    /** FILE_NOTIFY_INFORMATION entries (MS-FSCC 2.7.1) in the CHANGE_NOTIFY response (MS-SMB2 2.2.36). */
    private static void encode(SmbEncoder out, List<Entry> list) {
        int start = out.position();
        out.u16(9).u16(0).u32(0);
        int data = out.position();
        int prev = -1;
        for (Entry e : list) {
            out.align(4);
            int at = out.position();
            if (prev >= 0) {
                out.putU32(prev, at - prev);
            }
            byte[] n = e.name().getBytes(StandardCharsets.UTF_16LE);
            out.u32(0).u32(e.action()).u32(n.length).bytes(n);
            prev = at;
        }
        int len = out.position() - data;
        out.putU16(start + 2, len == 0 ? 0 : 64 + 8);
        out.putU32(start + 4, len);
        if (len == 0) {
            out.u8(0);
        }
    }
}
