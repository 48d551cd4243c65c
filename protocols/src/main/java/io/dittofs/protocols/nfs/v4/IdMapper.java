package io.dittofs.protocols.nfs.v4;

/**
 * Maps uids/gids to the {@code owner}/{@code owner_group} strings of NFSv4 attributes (RFC 8881
 * section 5.9) and back. {@link #NUMERIC} uses numeric strings ("1000"), which the Linux client
 * accepts and sends when idmapping is off. Implementations are thread-safe.
 */
public interface IdMapper {
    String owner(int uid);

    String group(int gid);

    /** The uid for an owner string; -1 if it names no one (the op fails with NFS4ERR_BADOWNER). */
    int uid(String owner);

    /** The gid for a group string; -1 if it names no group. */
    int gid(String group);

    /** Numeric strings; {@code n@domain} with a numeric {@code n} is accepted on input too. */
    IdMapper NUMERIC = new IdMapper() {
        @Override
        public String owner(int uid) {
            return Integer.toUnsignedString(uid);
        }

        @Override
        public String group(int gid) {
            return Integer.toUnsignedString(gid);
        }

        @Override
        public int uid(String owner) {
            return parse(owner);
        }

        @Override
        public int gid(String group) {
            return parse(group);
        }

        private int parse(String s) {
            int at = s.indexOf('@');
            String n = at < 0 ? s : s.substring(0, at);
            if (n.isEmpty() || n.length() > 10) {
                return -1;
            }
            for (int i = 0; i < n.length(); i++) {
                if (n.charAt(i) < '0' || n.charAt(i) > '9') {
                    return -1;
                }
            }
            long v = Long.parseLong(n);
            return v > 0x7FFF_FFFFL ? -1 : (int) v;
        }
    };
}
