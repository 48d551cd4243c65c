package io.dittofs.protocols.rpc;

import io.dittofs.core.AuthContext;
import io.dittofs.protocols.xdr.BadXdrException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static io.dittofs.protocols.XdrArgs.xdr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AuthSysTest {
    private static MemorySegment body(String machine, int uid, int gid, int... gids) {
        var a = xdr().int32(12345).string(machine).int32(uid).int32(gid).int32(gids.length);
        for (int g : gids) {
            a.int32(g);
        }
        return MemorySegment.ofArray(a.build());
    }

    @Test
    void shouldDecodeIdentityWhenCredentialWellFormed() {
        AuthContext c = AuthSys.decode(body("host1", 1000, 100, 4, 24, 27));
        assertEquals(1000, c.uid());
        assertEquals(100, c.gid());
        assertArrayEquals(new int[] {4, 24, 27}, c.gids());
        assertEquals("host1", c.machine());
    }

    @Test
    void shouldAcceptSixteenGids() {
        assertEquals(16, AuthSys.decode(body("h", 1, 1, new int[16])).gids().length);
    }

    @Test
    void shouldThrowWhenMoreThanSixteenGids() {
        assertThrows(BadXdrException.class, () -> AuthSys.decode(body("h", 1, 1, new int[17])));
    }

    @Test
    void shouldThrowWhenMachineNameOver255Bytes() {
        assertThrows(BadXdrException.class, () -> AuthSys.decode(body("m".repeat(256), 1, 1)));
    }

    @Test
    void shouldThrowWhenTrailingBytes() {
        MemorySegment s = MemorySegment.ofArray(xdr().raw(body("h", 1, 1).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
                .int32(0).build());
        assertThrows(BadXdrException.class, () -> AuthSys.decode(s));
    }

    @Test
    void shouldThrowWhenTruncated() {
        MemorySegment whole = body("host", 1, 1, 5);
        assertThrows(BadXdrException.class, () -> AuthSys.decode(whole.asSlice(0, whole.byteSize() - 4)));
    }
}
