package io.dittofs.protocols.smb.server;

/**
 * The command sequence window of one connection (MS-SMB2 3.3.1.1, 3.3.5.2.3): the MessageIds a
 * client may use. It starts as {0}; each credit granted adds the next id; a request consumes
 * {@code max(1, CreditCharge)} consecutive ids, each usable once. The window never spans more
 * than {@code maxCredits} ids, so granting is capped and the used-id ring is fixed in size.
 *
 * <p>Thread-safe (all methods synchronized; they are short).
 */
public final class CreditWindow {
    private final int maxCredits;
    private final boolean[] used;
    /** Lowest id not yet known to be used. */
    private long low;
    /** One past the highest id granted. */
    private long high = 1;

    public CreditWindow(int maxCredits) {
        this.maxCredits = maxCredits;
        this.used = new boolean[maxCredits];
    }

    /**
     * Consumes ids {@code [messageId, messageId + charge)}; false when any is outside the window
     * or already used (the caller then drops the connection, MS-SMB2 3.3.5.2.3).
     */
    public synchronized boolean consume(long messageId, int charge) {
        int n = Math.max(1, charge);
        if (messageId < low || messageId + n > high || messageId + n < messageId) {
            return false;
        }
        for (long id = messageId; id < messageId + n; id++) {
            if (used[slot(id)]) {
                return false;
            }
        }
        for (long id = messageId; id < messageId + n; id++) {
            used[slot(id)] = true;
        }
        while (low < high && used[slot(low)]) {
            used[slot(low)] = false;
            low++;
        }
        return true;
    }

    private int slot(long id) {
        return (int) Long.remainderUnsigned(id, maxCredits);
    }

    /**
     * Grants up to {@code requested} credits (at least 1 when the client would otherwise hold
     * none, 0 when the window is at its cap), returning how many were granted.
     */
    public synchronized int grant(int requested) {
        int outstanding = outstanding();
        int room = maxCredits - (int) (high - low);
        int want = Math.max(requested, outstanding == 0 ? 1 : 0);
        int g = Math.max(0, Math.min(want, room));
        high += g;
        return g;
    }

    /** Ids the client may still use. */
    public synchronized int outstanding() {
        int n = 0;
        for (long id = low; id < high; id++) {
            if (!used[slot(id)]) {
                n++;
            }
        }
        return n;
    }
}
