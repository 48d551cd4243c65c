package io.dittofs.controlplane.api;

import java.util.regex.Pattern;

/**
 * Validation of names and values that come in through the API: user, group, store and setting
 * names are 1-64 characters of letters, digits, '.', '_' and '-' (no path separators, no
 * quotes, no spaces); share names are one such segment after a '/'. Stateless.
 */
final class Names {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    static final int MAX_VALUE = 1024;

    private Names() {
    }

    static String check(String what, String v) {
        if (v == null || !NAME.matcher(v).matches()) {
            throw ApiException.badRequest(what + " name must be 1-64 letters, digits, '.', '_' or '-' "
                    + "(starting with a letter or digit)");
        }
        return v;
    }

    /** A share name: {@code /x} with x a valid name; also accepts x alone. */
    static String share(String v) {
        if (v == null) {
            throw ApiException.badRequest("share name is required");
        }
        String n = v.startsWith("/") ? v.substring(1) : v;
        if (!NAME.matcher(n).matches()) {
            throw ApiException.badRequest("share name must be '/' followed by 1-64 letters, digits, '.', '_' or '-'");
        }
        return "/" + n;
    }

    static String value(String v) {
        if (v.length() > MAX_VALUE) {
            throw ApiException.badRequest("value longer than " + MAX_VALUE + " characters");
        }
        for (int i = 0; i < v.length(); i++) {
            if (Character.isISOControl(v.charAt(i))) {
                throw ApiException.badRequest("value contains control characters");
            }
        }
        return v;
    }

    /** A bounded, printable form of untrusted text for error messages. */
    static String printable(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }

    static int id(String what, Integer v, boolean allowNull) {
        if (v == null) {
            if (allowNull) {
                return -1;
            }
            throw ApiException.badRequest(what + " is required");
        }
        if (v < 0 || v > 0x7FFF_FFFE) {
            throw ApiException.badRequest(what + " must be between 0 and 2147483646");
        }
        return v;
    }
}
