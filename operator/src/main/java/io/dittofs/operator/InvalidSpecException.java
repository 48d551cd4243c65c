package io.dittofs.operator;

/**
 * A DittoFS spec the operator cannot turn into a server set-up (reason {@code InvalidConfig} of
 * the {@code Reconciled} condition). Immutable; thread-safe.
 */
final class InvalidSpecException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidSpecException(String message) {
        super(message);
    }
}
