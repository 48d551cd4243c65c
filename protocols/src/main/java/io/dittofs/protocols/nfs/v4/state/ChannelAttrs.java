package io.dittofs.protocols.nfs.v4.state;

/**
 * channel_attrs4 (RFC 8881 section 18.36): what a session's channel may carry.
 *
 * @param headerPadSize         ca_headerpadsize
 * @param maxRequestSize        ca_maxrequestsize
 * @param maxResponseSize       ca_maxresponsesize
 * @param maxResponseSizeCached ca_maxresponsesize_cached
 * @param maxOperations         ca_maxoperations
 * @param maxRequests           ca_maxrequests (slots)
 */
public record ChannelAttrs(int headerPadSize, int maxRequestSize, int maxResponseSize, int maxResponseSizeCached,
        int maxOperations, int maxRequests) {
    /** Largest COMPOUND request and reply the server takes (1 MiB of data plus headers). */
    public static final int MAX_MESSAGE = (1 << 20) + 4096;
    /** The absolute cap on operations per COMPOUND. */
    public static final int MAX_OPS = 256;
    /**
     * The smallest request that can carry a COMPOUND with SEQUENCE alone (RPC call header with AUTH_NONE
     * 40, COMPOUND4args header 12, SEQUENCE4args with its opnum 36): a channel limited below it could never
     * send a request.
     */
    public static final int MIN_REQUEST = 88;
    /** The smallest reply to that request (RPC reply header 24, COMPOUND4res header 12, SEQUENCE4res 44). */
    public static final int MIN_RESPONSE = 80;

    /**
     * Whether a replier on a channel with these (asked) attributes could never answer: NFS4ERR_TOOSMALL
     * (RFC 8881 section 18.36.3). A back channel must also take CB_SEQUENCE plus one callback op.
     */
    public boolean tooSmall(boolean backChannel) {
        return Integer.compareUnsigned(maxRequestSize, MIN_REQUEST) < 0
                || Integer.compareUnsigned(maxResponseSize, MIN_RESPONSE) < 0
                || backChannel && Integer.compareUnsigned(maxOperations, 2) < 0;
    }

    /** The fore channel the server grants for what the client asked: each value at most the server's limit. */
    public ChannelAttrs negotiateFore(StateConfig config) {
        return new ChannelAttrs(0, clamp(maxRequestSize, MAX_MESSAGE), clamp(maxResponseSize, MAX_MESSAGE),
                clamp(maxResponseSizeCached, config.maxCachedReply()), Math.max(2, clamp(maxOperations, MAX_OPS)),
                Math.max(1, clamp(maxRequests, config.maxSlots())));
    }

    /** The back channel: no callbacks are sent (no delegations), so it is kept small. */
    public ChannelAttrs negotiateBack() {
        return new ChannelAttrs(0, clamp(maxRequestSize, 4096), clamp(maxResponseSize, 4096),
                clamp(maxResponseSizeCached, 0), Math.max(2, clamp(maxOperations, 2)), 1);
    }

    private static int clamp(int asked, int cap) {
        return Math.max(0, Math.min(asked, cap));
    }
}
