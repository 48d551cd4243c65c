package io.dittofs.protocols.smb.dcerpc;

import java.util.List;
import java.util.function.Supplier;

/** The srvsvc named pipe (DCE/RPC over SMB). Not thread-safe: one per open of the pipe. */
public final class SrvsvcPipe {
    public SrvsvcPipe(Supplier<List<ShareInfo>> shares) {
    }

    public void write(byte[] pdu) {
        throw new UnsupportedOperationException("not yet");
    }

    public byte[] read(int max) {
        throw new UnsupportedOperationException("not yet");
    }

    public byte[] transact(byte[] in, int maxOut) {
        throw new UnsupportedOperationException("not yet");
    }
}
