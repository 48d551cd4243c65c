package io.dittofs.protocols.smb.handler;

import java.util.Locale;

/**
 * Directory search patterns (MS-FSCC 2.1.4.4): {@code *} and {@code ?}, and the DOS forms
 * {@code <} (DOS_STAR), {@code >} (DOS_QM) and {@code "} (DOS_DOT) treated as their plain
 * equivalents; matching ignores case, as Windows clients expect. Stateless; thread-safe.
 */
final class Wildcard {
    private Wildcard() {
    }

    static boolean matches(String pattern, String name) {
        if (pattern == null || pattern.equals("*")) {
            return true;
        }
        if (pattern.equals("*.*")) {
            return true;
        }
        String p = pattern.replace('<', '*').replace('>', '?').replace('"', '.').toLowerCase(Locale.ROOT);
        return match(p, 0, name.toLowerCase(Locale.ROOT), 0);
    }

    /** Iterative glob match with single-star backtracking (linear in practice, no recursion blow-up). */
    private static boolean match(String p, int pi, String s, int si) {
        int star = -1;
        int mark = 0;
        while (si < s.length()) {
            if (pi < p.length() && (p.charAt(pi) == '?' || p.charAt(pi) == s.charAt(si))) {
                pi++;
                si++;
            } else if (pi < p.length() && p.charAt(pi) == '*') {
                star = pi++;
                mark = si;
            } else if (star >= 0) {
                pi = star + 1;
                si = ++mark;
            } else {
                return false;
            }
        }
        while (pi < p.length() && p.charAt(pi) == '*') {
            pi++;
        }
        return pi == p.length();
    }
}
