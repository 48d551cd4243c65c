package io.dittofs.protocols.nfs.v4.state;

/**
 * The fixed slot table of one session's fore channel (RFC 8881 section 2.10.6): as many slots as
 * CREATE_SESSION granted (ca_maxrequests, capped by the server), each with its reply cache entry.
 * Memory is bounded by slots x {@code ca_maxresponsesize_cached}.
 *
 * <p>Thread-safe: the array is fixed; each {@link Slot} guards itself.
 */
public final class SlotTable {
    private final Slot[] slots;

    public SlotTable(int size, int maxCached) {
        slots = new Slot[size];
        for (int i = 0; i < size; i++) {
            slots[i] = new Slot(maxCached);
        }
    }

    public int size() {
        return slots.length;
    }

    /** The highest slot id the server accepts (sr_highest_slotid and sr_target_highest_slotid). */
    public int highestSlotId() {
        return slots.length - 1;
    }

    /**
     * SEQUENCE's slot check: the slot, then its sequence id.
     *
     * @throws StateException BADSLOT when the slot id or the client's highest slot id is out of range,
     *                        else what {@link Slot#begin} throws
     */
    public Slot.Outcome begin(int slotId, int highestSlotId, int sequenceId, boolean cacheThis) {
        if (slotId < 0 || slotId >= slots.length || highestSlotId < slotId) {
            throw new StateException(StateError.BADSLOT);
        }
        return slots[slotId].begin(sequenceId, cacheThis);
    }
}
