package io.dittofs.protocols.nlm;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NlmHostsTest {
    @Test
    void shouldLetOnlyTheHostsOwnAddressOrLoopbackDropItsLocks() throws Exception {
        NlmHosts h = new NlmHosts();
        InetAddress a = InetAddress.getByName("10.0.0.1");
        h.seen("client", a, n -> false);
        assertTrue(h.mayDrop("client", a));
        assertFalse(h.mayDrop("client", InetAddress.getByName("10.0.0.2")), "another machine naming the client");
        assertTrue(h.mayDrop("client", InetAddress.getLoopbackAddress()), "a local statd relays");
        assertTrue(h.mayDrop("unknown", InetAddress.getByName("10.0.0.2")), "nothing to protect");
    }

    @Test
    void shouldMakeRoomFromIdleHostsWhenFull() throws Exception {
        NlmHosts h = new NlmHosts();
        InetAddress a = InetAddress.getByName("10.0.0.1");
        for (int i = 0; i < NlmHosts.MAX_HOSTS; i++) {
            h.seen("h" + i, a, n -> false);
        }
        h.seen("late", a, n -> false);
        assertEquals(NlmHosts.MAX_HOSTS, h.size(), "no room while every host holds locks");
        h.seen("late", a, n -> n.equals("h1"));
        assertEquals(NlmHosts.MAX_HOSTS, h.size());
        assertFalse(h.mayDrop("late", InetAddress.getByName("10.0.0.9")));
    }
}
