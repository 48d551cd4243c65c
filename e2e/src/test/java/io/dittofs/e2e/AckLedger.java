package io.dittofs.e2e;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What NFS clients were told is stable, recorded by writer threads while the server runs and
 * checked after a crash: data ranges (acknowledged FILE_SYNC writes and writes covered by a
 * COMMIT), the least size of each file, and the expected state of each name touched by an
 * acknowledged namespace change (a file with known or unknown content, a directory, or absent).
 * Names touched by a call that was in flight at the crash are uncertain and not checked.
 *
 * <p>Thread-safe: writers add concurrently.
 */
final class AckLedger {

    /** Acknowledged bytes: {@code length} bytes at {@code offset} of {@code path} hash to {@code sha}. */
    record Range(String path, long offset, int length, byte[] sha) {
    }

    /** The expected state of a name; {@code sha} (of the whole content) is null when unknown. */
    record Name(Kind kind, byte[] sha, int length) {
        static final Name DIR = new Name(Kind.DIR, null, 0);
        static final Name ABSENT = new Name(Kind.ABSENT, null, 0);
        static final Name FILE = new Name(Kind.FILE, null, 0);
    }

    enum Kind { FILE, DIR, ABSENT }

    final Queue<Range> ranges = new ConcurrentLinkedQueue<>();
    final Map<String, Long> sizes = new ConcurrentHashMap<>();
    final Map<String, Name> names = new ConcurrentHashMap<>();
    final Set<String> uncertain = ConcurrentHashMap.newKeySet();

    void range(String path, long offset, byte[] data, int length) {
        ranges.add(new Range(path, offset, length, sha(data, length)));
        sizes.merge(path, offset + length, Math::max);
    }

    void size(String path, long size) {
        sizes.merge(path, size, Math::max);
    }

    void name(String path, Name state) {
        names.put(path, state);
    }

    void uncertain(String... paths) {
        for (String p : paths) {
            uncertain.add(p);
            names.remove(p);
        }
    }

    static byte[] sha(byte[] b, int length) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(b, 0, length);
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
