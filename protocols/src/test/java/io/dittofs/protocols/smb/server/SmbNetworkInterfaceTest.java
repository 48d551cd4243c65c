package io.dittofs.protocols.smb.server;

import io.dittofs.protocols.smb.NtStatus;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * FSCTL_QUERY_NETWORK_INTERFACE_INFO (MS-SMB2 3.3.5.15.11): one NETWORK_INTERFACE_INFO for the
 * address the client reached; it names no file, so a FileId other than all ones is
 * STATUS_INVALID_PARAMETER (3.3.5.15, as Samba; smbtorture smb2.ioctl.bug14788.NETWORK_INTERFACE).
 */
class SmbNetworkInterfaceTest {
    private static final int QUERY_NETWORK_INTERFACE_INFO = 0x0014_01FC;

    @Test
    void shouldAnswerOneInterfaceWhenFileIdIsAllOnes() {
        SmbHarness h = new SmbHarness(0x0311);
        ByteBuffer r = h.ioctl(QUERY_NETWORK_INTERFACE_INFO, -1L, new byte[0], 65536);
        assertEquals(NtStatus.SUCCESS, r.getInt(8));
        assertEquals(152, SmbHarness.output(r).length, "one NETWORK_INTERFACE_INFO");
    }

    @Test
    void shouldRefuseAFileId() {
        SmbHarness h = new SmbHarness(0x0311);
        long f = h.open("x", SmbHarness.GENERIC_RW);
        assertEquals(NtStatus.INVALID_PARAMETER, h.ioctl(QUERY_NETWORK_INTERFACE_INFO, f, new byte[0], 65536).getInt(8));
    }
}
