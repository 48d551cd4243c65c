package io.dittofs.protocols.smb.handler;

import io.dittofs.protocols.smb.AsyncOp;
import io.dittofs.protocols.smb.NotifyWatch;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.Open;
import io.dittofs.protocols.smb.SmbCommand;
import io.dittofs.protocols.smb.SmbRequest;
import io.dittofs.protocols.smb.codec.SmbEncoder;
import io.dittofs.protocols.smb.header.Smb2Header;

/**
 * CHANGE_NOTIFY (MS-SMB2 2.2.35, 2.2.36, 3.3.5.19): watches a directory handle for changes
 * (CompletionFilter; SMB2_WATCH_TREE for the whole subtree) through the handle's
 * {@link NotifyWatch}. Changes already buffered answer at once; otherwise the request goes async
 * and completes at the next matching change, made over SMB or NFS. STATUS_NOTIFY_ENUM_DIR when more
 * changed than fits OutputBufferLength, STATUS_NOTIFY_CLEANUP when the handle closes (also on
 * TREE_DISCONNECT and LOGOFF), STATUS_CANCELLED on CANCEL; inside a compound only the last element
 * may wait (an earlier one is answered STATUS_INTERNAL_ERROR, as Samba). Stateless; thread-safe.
 */
public final class ChangeNotify implements SmbCommand {
    static final int WATCH_TREE = 0x1;
    /** The most change bytes buffered or answered (the biggest reply buffer is a little over 1 MiB). */
    static final int MAX_OUTPUT = 1 << 20;

    @Override
    public int execute(SmbRequest r, SmbEncoder out) {
        r.structureSize(32);
        int flags = r.in().u16(Smb2Header.SIZE + 2);
        long maxOut = r.in().u32(Smb2Header.SIZE + 4);
        Open o = r.open(Smb2Header.SIZE + 8);
        int filter = r.in().i32(Smb2Header.SIZE + 24);
        if (o.pipe() != null || o.tree().isIpc() || !o.directory() || maxOut > r.conn().config().maxIoSize()) {
            return NtStatus.INVALID_PARAMETER; // past MaxTransactSize (smbtorture smb2.notify.valid-req)
        }
        int cap = (int) Math.min(maxOut, MAX_OUTPUT);
        NotifyWatch w = o.watch(() -> NotifyWatch.start(o.tree().share().fs(), o.inode(),
                (flags & WATCH_TREE) != 0, filter, cap));
        if (w == null) {
            return NtStatus.FILE_CLOSED;
        }
        NotifyWatch.Ready now = w.take(filter, cap);
        if (now != null) {
            if (now.body() != null) {
                now.body().write(out); // the reply buffer was sized for OutputBufferLength
            }
            return now.status();
        }
        if (!r.mayGoAsync()) {
            return NtStatus.INTERNAL_ERROR; // as Samba (smbtorture smb2.compound.interim2)
        }
        AsyncOp op = r.goAsync(o, cap + 8, w::cancel);
        w.await(op, cap);
        return NtStatus.PENDING;
    }
}
