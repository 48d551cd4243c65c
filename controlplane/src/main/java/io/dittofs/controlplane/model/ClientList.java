package io.dittofs.controlplane.model;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The clients a share is exported to: IPv4 and IPv6 addresses and CIDR blocks
 * ({@code 10.0.0.0/8}, {@code 192.168.1.5}, {@code fd00::/8}, {@code ::1}); empty means every
 * address. Parsing is strict: numeric literals only (no host names, no zone ids, no leading zeros
 * in IPv4 parts, no IPv4-mapped IPv6 forms), prefix lengths within the family, and no host bits
 * set below the prefix ({@code 10.1.2.3/8} is refused with a hint, as it is almost always a typo).
 * Immutable; thread-safe.
 */
public final class ClientList {
    /** At most this many entries per share. */
    public static final int MAX_ENTRIES = 256;
    private static final int MAX_ENTRY_CHARS = 64;
    private static final Pattern IPV4 = Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final Pattern PREFIX = Pattern.compile("0|[1-9][0-9]{0,2}");

    /** One address block: the network bytes (4 or 16) and the prefix length in bits. */
    private record Block(byte[] net, int prefix) {
        boolean contains(byte[] a) {
            if (a.length != net.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != net[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xFF << (8 - rest) & 0xFF;
            return (a[full] & mask) == (net[full] & mask);
        }
    }

    /** Every address (the empty list). */
    public static final ClientList ANY = new ClientList(List.of(), new Block[0]);

    private final List<String> entries;
    private final Block[] blocks;

    private ClientList(List<String> entries, Block[] blocks) {
        this.entries = entries;
        this.blocks = blocks;
    }

    /**
     * Parses a list of entries.
     *
     * @throws IllegalArgumentException naming the first bad entry and why
     */
    public static ClientList parse(List<String> raw) {
        if (raw.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("at most " + MAX_ENTRIES + " client entries, got " + raw.size());
        }
        List<String> names = new ArrayList<>(raw.size());
        Block[] blocks = new Block[raw.size()];
        for (int i = 0; i < raw.size(); i++) {
            blocks[i] = block(raw.get(i));
            names.add(text(blocks[i]));
        }
        return new ClientList(List.copyOf(names), blocks);
    }

    /** Parses a comma-separated list ({@code "10.0.0.0/8,192.168.1.5"}); blank: every address. */
    public static ClientList parse(String commaSeparated) {
        if (commaSeparated == null || commaSeparated.isBlank()) {
            return ANY;
        }
        return parse(List.of(commaSeparated.split(",", -1)));
    }

    /** The entries in normal form ({@code 192.168.1.5}, {@code 10.0.0.0/8}, {@code fd00:0:0:0:0:0:0:0/8}). */
    public List<String> entries() {
        return entries;
    }

    /** True if the list is empty: every address is allowed. */
    public boolean isAny() {
        return blocks.length == 0;
    }

    /** True if {@code client} is allowed; a null address (unknown peer) only by the empty list. */
    public boolean allows(InetAddress client) {
        if (blocks.length == 0) {
            return true;
        }
        if (client == null) {
            return false;
        }
        byte[] a = client.getAddress();
        for (Block b : blocks) {
            if (b.contains(a)) {
                return true;
            }
        }
        return false;
    }

    private static Block block(String entry) {
        String e = entry == null ? "" : entry.strip();
        if (e.isEmpty() || e.length() > MAX_ENTRY_CHARS) {
            throw bad(entry, e.isEmpty() ? "empty entry" : "too long");
        }
        int slash = e.indexOf('/');
        String addr = slash < 0 ? e : e.substring(0, slash);
        byte[] net = address(entry, addr);
        int bits = net.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = e.substring(slash + 1);
            if (!PREFIX.matcher(p).matches() || Integer.parseInt(p) > bits) {
                throw bad(entry, "prefix length must be 0 to " + bits);
            }
            prefix = Integer.parseInt(p);
        }
        Block b = new Block(net, prefix);
        byte[] masked = net.clone();
        for (int i = 0; i < bits; i++) {
            if (i >= prefix) {
                masked[i / 8] &= (byte) ~(0x80 >>> (i % 8));
            }
        }
        if (!java.util.Arrays.equals(masked, net)) {
            throw bad(entry, "host bits set below the prefix; did you mean " + text(new Block(masked, prefix)) + "?");
        }
        return b;
    }

    private static byte[] address(String entry, String addr) {
        try {
            if (addr.indexOf(':') < 0) {
                if (!IPV4.matcher(addr).matches()) {
                    throw bad(entry, "not an IPv4 address (a.b.c.d) or IPv6 address");
                }
                InetAddress a = Inet4Address.ofLiteral(addr);
                return a.getAddress();
            }
            if (!IPV6.matcher(addr).matches()) {
                throw bad(entry, "not an IPv6 address");
            }
            InetAddress a = Inet6Address.ofLiteral(addr);
            if (!(a instanceof Inet6Address)) {
                throw bad(entry, "write IPv4-mapped addresses in IPv4 form");
            }
            return a.getAddress();
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("bad client entry")) {
                throw e;
            }
            throw bad(entry, "not an IP address");
        }
    }

    private static String text(Block b) {
        String host;
        try {
            host = InetAddress.getByAddress(b.net()).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // 4 or 16 bytes: cannot happen
        }
        return b.prefix() == b.net().length * 8 ? host : host + "/" + b.prefix();
    }

    private static IllegalArgumentException bad(String entry, String why) {
        String shown = entry == null ? "" : entry.length() > MAX_ENTRY_CHARS ? entry.substring(0, MAX_ENTRY_CHARS) + "..." : entry;
        return new IllegalArgumentException("bad client entry '" + shown.replaceAll("[^\\x20-\\x7e]", "?") + "': " + why);
    }

    @Override
    public String toString() {
        return blocks.length == 0 ? "*" : String.join(",", entries);
    }
}
