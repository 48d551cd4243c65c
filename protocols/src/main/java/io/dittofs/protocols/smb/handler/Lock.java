package io.dittofs.protocols.smb.handler;

import io.dittofs.core.lock.Conflict;
import io.dittofs.core.lock.FileKey;
import io.dittofs.core.lock.LockLimitException;
import io.dittofs.core.lock.LockManager;
import io.dittofs.core.lock.LockOwner;
import io.dittofs.core.lock.LockType;
import io.dittofs.protocols.smb.ByteLock;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.Open;
import io.dittofs.protocols.smb.SmbCommand;
import io.dittofs.protocols.smb.SmbRequest;
import io.dittofs.protocols.smb.codec.SmbDecoder;
import io.dittofs.protocols.smb.codec.SmbEncoder;
import io.dittofs.protocols.smb.header.Smb2Header;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * LOCK (MS-SMB2 2.2.26, 2.2.27, 3.3.5.14): byte-range locks and unlocks through the server's one
 * {@link LockManager}, so SMB locks and NFS (NLM, NFSv4) locks on the same range conflict.
 *
 * <p>In SMB a lock belongs to the open, so the manager's owner is
 * {@code LockOwner("smb", <SessionId>, <FileId>)}. Windows semantics that POSIX ranges lack are kept
 * in the open's own list ({@link Open#locks()}): an unlock must name exactly a locked range
 * (else STATUS_RANGE_NOT_LOCKED), an exclusive one first when locks are stacked; locks of one
 * open stack (a shared lock may overlap the open's own exclusive lock, an exclusive lock overlaps
 * nothing, not even its own open's locks). A zero-length lock at X conflicts with a lock, of any
 * open, that holds X strictly inside (start &lt; X &lt; end), unless both are shared; zero-length
 * locks are kept out of the manager, so only opens of the same connection see them. The manager
 * holds, per open, WRITE where one of its exclusive locks lies and READ where only shared ones do;
 * offsets past 2^63 - 1 are clamped there (as for NFS), so distinct locks beyond it may conflict.
 *
 * <p>A conflict answers STATUS_LOCK_NOT_GRANTED, which SMB2 returns for every failed lock
 * (smbtorture smb2.lock.errorcode); a failed request releases the locks it took. A blocking request
 * (one element without SMB2_LOCKFLAG_FAIL_IMMEDIATELY, the last of its message) whose range another
 * owner holds waits instead, in the manager's FIFO queue ({@link LockManager#lockWhenFree}), and
 * goes async (interim STATUS_PENDING); it ends SUCCESS when granted, CANCELLED on CANCEL,
 * RANGE_NOT_LOCKED when its handle closes, and SUCCESS (as Windows and Samba answer, though nothing
 * is locked) when its tree or session goes away. Conflicts the manager does not see (the open's own
 * locks, zero-length locks) never wait. Unlock requests unlock element by element (RANGE_NOT_LOCKED stops them, the
 * earlier ones stay unlocked) and an element that is not a plain UNLOCK fails the request with
 * INVALID_PARAMETER after the valid ones ran, as Samba. Stateless; thread-safe (each open's list
 * changes under the open's monitor).
 */
public final class Lock implements SmbCommand {
    static final int SHARED = 0x1;
    static final int EXCLUSIVE = 0x2;
    static final int UNLOCK = 0x4;
    static final int FAIL_IMMEDIATELY = 0x10;
    static final int ELEMENTS = Smb2Header.SIZE + 24;
    static final int ELEMENT_SIZE = 24;

    @Override
    public int execute(SmbRequest r, SmbEncoder out) {
        r.structureSize(48);
        SmbDecoder in = r.in();
        int count = in.u16(Smb2Header.SIZE + 2);
        Open o = r.open(Smb2Header.SIZE + 8);
        long persistent = in.i64(Smb2Header.SIZE + 8);
        if (persistent != SmbRequest.RELATED && persistent != o.fileId()) {
            return NtStatus.FILE_CLOSED;
        }
        // LockCount is capped by the bytes received before anything is allocated
        if (count == 0 || ELEMENTS + (long) ELEMENT_SIZE * count > in.size()) {
            return NtStatus.INVALID_PARAMETER;
        }
        if (o.pipe() != null || o.directory()) {
            return NtStatus.INVALID_DEVICE_REQUEST;
        }
        ByteLock[] els = new ByteLock[count];
        boolean unlock = (in.i32(ELEMENTS + 16) & UNLOCK) != 0;
        boolean blocking = count == 1 && !unlock && (in.i32(ELEMENTS + 16) & FAIL_IMMEDIATELY) == 0;
        boolean invalid = false;
        for (int i = 0; i < count; i++) {
            int at = ELEMENTS + ELEMENT_SIZE * i;
            long offset = in.i64(at);
            long length = in.i64(at + 8);
            int flags = in.i32(at + 16);
            if (!validFlags(flags, unlock)) {
                if (!unlock) {
                    return NtStatus.INVALID_PARAMETER;
                }
                invalid = true; // reported after the valid unlocks ran, as Samba
                continue;
            }
            if (!unlock && length != 0 && Long.compareUnsigned(length - 1, ~offset) > 0) {
                return NtStatus.INVALID_LOCK_RANGE; // the last byte is past 2^64 - 1
            }
            els[i] = new ByteLock(offset, length, (flags & EXCLUSIVE) != 0);
        }
        LockManager m = r.conn().services().locks();
        int status;
        try {
            if (blocking && els[0] != null && r.mayGoAsync() && els[0].start() != els[0].end()) {
                status = BlockingLock.lock(r, m, o, els[0]);
            } else {
                status = unlock ? unlockAll(m, o, els) : lockAll(r, m, o, els);
            }
            if (status == NtStatus.SUCCESS && invalid) {
                status = NtStatus.INVALID_PARAMETER;
            }
        } catch (LockLimitException e) {
            return NtStatus.INSUFFICIENT_RESOURCES;
        }
        if (status == NtStatus.SUCCESS) {
            body(out);
        }
        return status;
    }

    /** The LOCK response body (MS-SMB2 2.2.27): StructureSize 4, Reserved. */
    static void body(io.dittofs.protocols.smb.codec.SmbEncoder out) {
        out.u16(4).u16(0);
    }

    private static boolean validFlags(int flags, boolean unlock) {
        if (unlock) {
            return flags == UNLOCK;
        }
        int kind = flags & ~FAIL_IMMEDIATELY;
        return kind == SHARED || kind == EXCLUSIVE;
    }

    private static int unlockAll(LockManager m, Open o, ByteLock[] els) {
        synchronized (o) {
            for (ByteLock el : els) {
                if (el == null) {
                    continue;
                }
                int i = find(o.locks(), el);
                if (i < 0) {
                    return NtStatus.RANGE_NOT_LOCKED; // the earlier elements stay unlocked, as Windows
                }
                o.locks().remove(i);
                sync(m, o, el.start(), el.end());
            }
        }
        return NtStatus.SUCCESS;
    }

    /** The held lock an unlock names: exactly its range, an exclusive one before shared ones. */
    private static int find(List<ByteLock> held, ByteLock el) {
        int found = -1;
        for (int i = 0; i < held.size(); i++) {
            ByteLock h = held.get(i);
            if (h.offset() == el.offset() && h.length() == el.length()) {
                if (h.exclusive()) {
                    return i;
                }
                found = found < 0 ? i : found;
            }
        }
        return found;
    }

    private static int lockAll(SmbRequest r, LockManager m, Open o, ByteLock[] els) {
        synchronized (o) {
            List<ByteLock> taken = new ArrayList<>(els.length);
            for (ByteLock el : els) {
                if (take(r, m, o, el) != TAKEN) {
                    for (int i = taken.size() - 1; i >= 0; i--) {
                        ByteLock t = taken.get(i);
                        o.locks().remove(o.locks().lastIndexOf(t));
                        sync(m, o, t.start(), t.end());
                    }
                    return NtStatus.LOCK_NOT_GRANTED;
                }
                taken.add(el);
            }
        }
        return NtStatus.SUCCESS;
    }

    static final int TAKEN = 0;
    /** A conflict the manager does not see: this open's own locks or zero-length locks. */
    static final int LOCAL_CONFLICT = 1;
    /** A conflict with another owner's lock in the manager (worth waiting for). */
    static final int HELD_ELSEWHERE = 2;

    /**
     * Adds one lock to the open (caller holds its monitor); on a conflict nothing changes and
     * {@link #LOCAL_CONFLICT} or {@link #HELD_ELSEWHERE} tells which kind.
     */
    static int take(SmbRequest r, LockManager m, Open o, ByteLock el) {
        long s = el.start();
        long e = el.end();
        for (ByteLock h : o.locks()) {
            boolean zero = h.start() == h.end() || s == e;
            if (zero ? zeroConflict(h, el) : h.overlaps(s, e) && el.exclusive()) {
                return LOCAL_CONFLICT; // an exclusive lock overlaps nothing, not even this open's locks
            }
        }
        FileKey key = key(o);
        for (Open p : r.conn().opens()) {
            if (p != o && !p.directory() && p.pipe() == null && p.inode() == o.inode() && key(p).equals(key)) {
                for (ByteLock h : p.locks()) {
                    if ((h.start() == h.end() || s == e) && zeroConflict(h, el)) {
                        return LOCAL_CONFLICT;
                    }
                }
            }
        }
        if (s == e) {
            LockOwner me = owner(o);
            for (Conflict c : m.held(key)) {
                long cs = c.offset();
                long ce = c.toEof() ? Long.MAX_VALUE : c.offset() + c.length();
                if (!c.owner().equals(me) && (el.exclusive() || c.type() == LockType.WRITE) && cs < s && s < ce) {
                    return LOCAL_CONFLICT;
                }
            }
            o.locks().add(el);
            return TAKEN;
        }
        o.locks().add(el);
        if (sync(m, o, s, e).isPresent()) {
            o.locks().remove(o.locks().size() - 1);
            sync(m, o, s, e);
            return HELD_ELSEWHERE;
        }
        return TAKEN;
    }

    /** Whether two locks, one of them zero-length, conflict: the zero one's offset strictly inside the other. */
    private static boolean zeroConflict(ByteLock a, ByteLock b) {
        if (!a.exclusive() && !b.exclusive()) {
            return false;
        }
        ByteLock zero = a.start() == a.end() ? a : b;
        ByteLock other = zero == a ? b : a;
        return other.start() != other.end() && other.start() < zero.start() && zero.start() < other.end();
    }

    /**
     * Makes the manager's ranges of the open on {@code [s, e)} match its list: WRITE under an
     * exclusive lock, READ under shared ones only, nothing elsewhere. Only a change that adds or
     * upgrades a range can meet a conflict; it stops there (a second sync after the list is put
     * back undoes what the first did).
     */
    static Optional<Conflict> sync(LockManager m, Open o, long s, long e) {
        TreeSet<Long> cuts = new TreeSet<>(List.of(s, e));
        for (ByteLock h : o.locks()) {
            if (h.start() != h.end() && h.overlaps(s, e)) {
                cuts.add(Math.max(s, h.start()));
                cuts.add(Math.min(e, h.end()));
            }
        }
        FileKey key = key(o);
        LockOwner owner = owner(o);
        Long a = cuts.first();
        for (Long b = cuts.higher(a); b != null; a = b, b = cuts.higher(b)) {
            int level = 0;
            for (ByteLock h : o.locks()) {
                if (h.start() != h.end() && h.overlaps(a, b)) {
                    level = Math.max(level, h.exclusive() ? 2 : 1);
                }
            }
            if (level == 0) {
                m.unlock(key, owner, a, b - a);
            } else {
                Optional<Conflict> c = m.lock(key, owner, level == 2 ? LockType.WRITE : LockType.READ, a, b - a);
                if (c.isPresent()) {
                    return c;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * STATUS_FILE_LOCK_CONFLICT when a READ ({@code write} false) or WRITE of the range meets a lock:
     * another open's exclusive lock for a read; any other open's lock, or a shared lock of this
     * open, for a write (MS-FSA 2.1.4.10, 2.1.4.11); else SUCCESS.
     */
    static int checkIo(SmbRequest r, Open o, boolean write, long offset, long length) {
        if (length == 0) {
            return NtStatus.SUCCESS;
        }
        ByteLock io = new ByteLock(offset, length, write);
        if (write) {
            synchronized (o) {
                for (ByteLock h : o.locks()) {
                    if (!h.exclusive() && h.start() != h.end() && h.overlaps(io.start(), io.end())) {
                        return NtStatus.FILE_LOCK_CONFLICT;
                    }
                }
            }
        }
        LockManager m = r.conn().services().locks();
        return m.checkIo(key(o), owner(o), write, io.start(), io.end() - io.start()).isPresent()
                ? NtStatus.FILE_LOCK_CONFLICT : NtStatus.SUCCESS;
    }

    /** Drops every lock of the open (CLOSE, and a tree, session or connection going away). */
    public static void releaseAll(LockManager m, Open o) {
        synchronized (o) {
            if (o.locks().isEmpty()) {
                return;
            }
            o.locks().clear();
            m.releaseAll(owner(o));
        }
    }

    static FileKey key(Open o) {
        return new FileKey(o.tree().share().id(), o.inode());
    }

    /** The lock owner of an open: the open itself (its session and FileId), not a process. */
    static LockOwner owner(Open o) {
        byte[] id = ByteBuffer.allocate(Long.BYTES).putLong(o.fileId()).array();
        return new LockOwner("smb", Long.toHexString(o.tree().session().id()), id);
    }
}
