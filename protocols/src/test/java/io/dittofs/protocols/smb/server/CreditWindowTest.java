package io.dittofs.protocols.smb.server;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CreditWindowTest {
    @Test
    void shouldStartWithMessageIdZeroOnly() {
        CreditWindow w = new CreditWindow(16);
        assertFalse(w.consume(1, 1));
        assertTrue(w.consume(0, 1));
        assertFalse(w.consume(0, 1), "ids are single use");
        assertEquals(0, w.outstanding());
    }

    @Test
    void shouldChargeConsecutiveIdsForMultiCreditRequests() {
        CreditWindow w = new CreditWindow(256);
        assertTrue(w.consume(0, 1));
        assertEquals(128, w.grant(128));
        assertFalse(w.consume(1, 129), "charge beyond the window");
        assertTrue(w.consume(1, 128), "an 8 MiB request charged 128 credits");
        assertFalse(w.consume(64, 1));
    }

    @Test
    void shouldAcceptIdsOutOfOrderWithinTheWindow() {
        CreditWindow w = new CreditWindow(16);
        w.consume(0, 1);
        w.grant(4);
        assertTrue(w.consume(3, 1));
        assertTrue(w.consume(1, 1));
        assertEquals(2, w.outstanding());
        assertTrue(w.consume(2, 1));
        assertTrue(w.consume(4, 1));
        assertEquals(1, w.grant(0), "a client left without credits gets one");
    }

    @Test
    void shouldCapTheWindowAtMaxCredits() {
        CreditWindow w = new CreditWindow(8);
        w.consume(0, 1);
        assertEquals(8, w.grant(1000));
        assertEquals(0, w.grant(1000));
        assertTrue(w.consume(1, 8));
        assertEquals(8, w.grant(8));
        assertTrue(w.consume(9, 8), "the ring reuses slots once ids are consumed");
    }

    @Test
    void shouldRefuseWrappingIds() {
        CreditWindow w = new CreditWindow(8);
        w.consume(0, 1);
        w.grant(4);
        assertFalse(w.consume(Long.MAX_VALUE, 2));
        assertFalse(w.consume(-1, 1));
    }
}
