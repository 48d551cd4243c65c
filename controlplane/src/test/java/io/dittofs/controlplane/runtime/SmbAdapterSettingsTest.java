package io.dittofs.controlplane.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dittofs.protocols.smb.SmbConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The smb adapter's {@code encryption} setting: enabled by default, required or off on request, nothing else. */
class SmbAdapterSettingsTest {
    @Test
    void shouldOfferEncryptionByDefaultAndTakeRequiredOrOff() {
        assertEquals(SmbConfig.ENCRYPTION_ENABLED, SmbAdapter.config(Map.of()).encryption());
        assertEquals(SmbConfig.ENCRYPTION_REQUIRED, SmbAdapter.config(Map.of("encryption", "required")).encryption());
        assertEquals(SmbConfig.ENCRYPTION_OFF, SmbAdapter.config(Map.of("encryption", "off")).encryption());
    }

    @Test
    void shouldRefuseAnUnknownEncryptionMode() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SmbAdapter.config(Map.of("encryption", "sometimes")));
        assertTrue(e.getMessage().contains("'sometimes'"), e.getMessage());
    }
}
