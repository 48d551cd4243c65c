package io.dittofs.protocols.smb.handler;

import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.SmbCommand;
import io.dittofs.protocols.smb.header.Smb2Command;

/** The command table: one handler per SMB2 command code (MS-SMB2 2.2.1.2). Stateless. */
public final class Handlers {
    private Handlers() {
    }

    public static SmbCommand[] all() {
        SmbCommand[] h = new SmbCommand[Smb2Command.COUNT];
        SmbCommand notSupported = (r, out) -> NtStatus.NOT_SUPPORTED;
        h[Smb2Command.NEGOTIATE] = new Negotiate();
        h[Smb2Command.SESSION_SETUP] = new SessionSetup();
        h[Smb2Command.LOGOFF] = new Logoff();
        h[Smb2Command.TREE_CONNECT] = new TreeConnectCmd();
        h[Smb2Command.TREE_DISCONNECT] = new TreeDisconnect();
        h[Smb2Command.CREATE] = new Create();
        h[Smb2Command.CLOSE] = new Close();
        h[Smb2Command.FLUSH] = new Flush();
        h[Smb2Command.READ] = new Read();
        h[Smb2Command.WRITE] = new Write();
        h[Smb2Command.LOCK] = new Lock();
        h[Smb2Command.IOCTL] = new Ioctl();
        h[Smb2Command.ECHO] = new Echo();
        h[Smb2Command.QUERY_DIRECTORY] = new QueryDirectory();
        h[Smb2Command.CHANGE_NOTIFY] = new ChangeNotify();
        h[Smb2Command.QUERY_INFO] = new QueryInfo();
        h[Smb2Command.SET_INFO] = new SetInfo();
        h[Smb2Command.OPLOCK_BREAK] = notSupported;
        return h;
    }
}
