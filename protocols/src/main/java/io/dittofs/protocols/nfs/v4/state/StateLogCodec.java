package io.dittofs.protocols.nfs.v4.state;

import io.dittofs.core.lock.FileKey;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The on-disk format of the NFSv4 state journal ({@code nfs4-state.log}), big-endian:
 *
 * <pre>
 * header : magic "D4SJ" (int), version 1 (int), boot id (16 bytes, the kernel's
 *          /proc/sys/kernel/random/boot_id when the file was started; zeros if unknown),
 *          flags (byte; bit 0: "inherited": the entries carried over from the instance before
 *          may be incomplete), CRC-32C of the 25 bytes before it (int)
 * record : body length (int, 1..{@value #MAX_BODY}), body, CRC-32C of the body (int)
 * body   : 'O' client owner, owner, file, access (int), deny (int)    an open now has these bits
 *          'C' client owner, owner, file                              the open is closed
 *          'L' client owner, owner, file, n (int), n x (write (byte), start (long), end (long))
 *                                                                     a lock-owner's ranges now
 *          'D' client owner                                           the client's state is gone
 *          'K'                                                        inherited entries are gone
 *          'S'                                                        clean shutdown (log forced)
 * owner  : length (int, at most 1024), bytes;   file : share id (int), inode (long)
 * </pre>
 *
 * Replay stops at the first record that is truncated or fails its CRC (a torn tail); every length
 * is checked against what is left and capped before anything is allocated. Stateless; thread-safe.
 */
final class StateLogCodec {
    static final int MAGIC = 0x4434534A;
    static final int VERSION = 1;
    static final int HEADER = 29;
    static final int MAX_BODY = 1 << 20;
    static final byte OPEN = 'O';
    static final byte CLOSE = 'C';
    static final byte LOCKS = 'L';
    static final byte DROP = 'D';
    static final byte TRUSTED = 'K';
    static final byte SHUTDOWN = 'S';
    private static final int RANGE_BYTES = 17;

    /** What a journal file said: its header and the state left after applying every intact record. */
    record Replay(byte[] bootId, boolean inherited, boolean cleanShutdown, Map<StateKey, JournalEntry> live) {
    }

    private StateLogCodec() {
    }

    static void header(ByteBuffer b, byte[] bootId, boolean inherited) {
        int start = b.position();
        b.putInt(MAGIC).putInt(VERSION).put(bootId, 0, 16).put((byte) (inherited ? 1 : 0));
        b.putInt(crc(b, start, b.position() - start));
    }

    /** Appends one framed record whose body is {@code type} then what {@code body} writes. */
    static void record(ByteBuffer b, byte type, java.util.function.Consumer<ByteBuffer> body) {
        int lenAt = b.position();
        b.putInt(0);
        int start = b.position();
        b.put(type);
        body.accept(b);
        int len = b.position() - start;
        b.putInt(lenAt, len);
        b.putInt(crc(b, start, len));
    }

    static void key(ByteBuffer b, OwnerKey client, OwnerKey owner, FileKey file) {
        owner(b, client);
        owner(b, owner);
        b.putInt(file.shareId()).putLong(file.inode());
    }

    static void owner(ByteBuffer b, OwnerKey o) {
        b.putInt(o.length()).put(o.bytesUnsafe());
    }

    static void ranges(ByteBuffer b, List<JournalEntry.Range> ranges) {
        b.putInt(ranges.size());
        for (JournalEntry.Range r : ranges) {
            b.put((byte) (r.write() ? 1 : 0)).putLong(r.start()).putLong(r.end());
        }
    }

    /** Bytes one record of {@code key} with {@code ranges} ranges needs at most. */
    static int size(StateKey key, int ranges) {
        return 4 + 1 + 8 + key.client().length() + key.owner().length() + 12 + 8 + 4 + ranges * RANGE_BYTES + 4;
    }

    /** Reads a journal; null when the header is missing or damaged (nothing can be trusted). */
    static Replay read(ByteBuffer b) {
        if (b.remaining() < HEADER) {
            return null;
        }
        int start = b.position();
        if (b.getInt() != MAGIC || b.getInt() != VERSION) {
            return null;
        }
        byte[] boot = new byte[16];
        b.get(boot);
        boolean inherited = (b.get() & 1) != 0;
        if (b.getInt() != crc(b, start, HEADER - 4)) {
            return null;
        }
        Map<StateKey, JournalEntry> live = new HashMap<>();
        boolean clean = false;
        while (b.remaining() >= 8) {
            int len = b.getInt();
            if (len < 1 || len > MAX_BODY || len > b.remaining() - 4) {
                break;
            }
            int bodyAt = b.position();
            if (crc(b, bodyAt, len) != b.getInt(bodyAt + len)) {
                break;
            }
            ByteBuffer body = b.slice(bodyAt, len);
            b.position(bodyAt + len + 4);
            byte type = body.get();
            try {
                if (type == TRUSTED) {
                    inherited = false;
                } else if (!apply(type, body, live)) {
                    break;
                }
            } catch (BufferUnderflowException | IllegalArgumentException e) {
                break;
            }
            clean = type == SHUTDOWN;
        }
        return new Replay(boot, inherited, clean, live);
    }

    private static boolean apply(byte type, ByteBuffer body, Map<StateKey, JournalEntry> live) {
        switch (type) {
            case OPEN -> {
                StateKey k = readKey(body, false);
                live.put(k, new JournalEntry.Open(body.getInt(), body.getInt()));
            }
            case CLOSE -> live.remove(readKey(body, false));
            case LOCKS -> {
                StateKey k = readKey(body, true);
                int n = body.getInt();
                if (n < 0 || n > body.remaining() / RANGE_BYTES) {
                    return false;
                }
                List<JournalEntry.Range> rs = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    rs.add(new JournalEntry.Range(body.get() != 0, body.getLong(), body.getLong()));
                }
                if (rs.isEmpty()) {
                    live.remove(k);
                } else {
                    live.put(k, new JournalEntry.Locks(rs));
                }
            }
            case DROP -> {
                OwnerKey c = readOwner(body);
                live.keySet().removeIf(k -> k.client().equals(c));
            }
            case SHUTDOWN -> {
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private static StateKey readKey(ByteBuffer b, boolean lock) {
        OwnerKey client = readOwner(b);
        OwnerKey owner = readOwner(b);
        return new StateKey(client, lock, owner, new FileKey(b.getInt(), b.getLong()));
    }

    private static OwnerKey readOwner(ByteBuffer b) {
        int len = b.getInt();
        if (len < 0 || len > OwnerKey.MAX_LEN || len > b.remaining()) {
            throw new IllegalArgumentException("owner length " + len);
        }
        byte[] o = new byte[len];
        b.get(o);
        return new OwnerKey(o);
    }

    private static int crc(ByteBuffer b, int offset, int length) {
        CRC32C c = new CRC32C();
        c.update(b.slice(offset, length));
        return (int) c.getValue();
    }
}
