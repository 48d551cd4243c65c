package io.dittofs.protocols.smb.dcerpc;

/** A DCE/RPC PDU or NDR stub that does not parse. */
final class BadPduException extends Exception {
    BadPduException(String message) {
        super(message, null, false, false);
    }
}
