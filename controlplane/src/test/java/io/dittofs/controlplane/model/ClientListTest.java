package io.dittofs.controlplane.model;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientListTest {
    private static InetAddress ip(String s) {
        return InetAddress.ofLiteral(s);
    }

    @Test
    void shouldMatchAddressesAndCidrBlocksOfBothFamilies() {
        ClientList l = ClientList.parse("10.0.0.0/8, 192.168.1.5,fd00::/8,::1,172.16.0.0/12");
        assertTrue(l.allows(ip("10.200.3.4")));
        assertTrue(l.allows(ip("192.168.1.5")));
        assertFalse(l.allows(ip("192.168.1.6")));
        assertTrue(l.allows(ip("172.31.255.255")));
        assertFalse(l.allows(ip("172.32.0.0")));
        assertTrue(l.allows(ip("fd12:3456::1")));
        assertTrue(l.allows(ip("::1")));
        assertFalse(l.allows(ip("fe80::1")));
        assertFalse(l.allows(ip("127.0.0.1")));
        assertFalse(l.allows(null));
    }

    @Test
    void shouldAllowEveryAddressWhenEmpty() {
        assertTrue(ClientList.parse("").allows(ip("203.0.113.9")));
        assertTrue(ClientList.parse(List.of()).isAny());
        assertTrue(ClientList.parse("0.0.0.0/0").allows(ip("203.0.113.9")));
        assertFalse(ClientList.parse("0.0.0.0/0").allows(ip("::1")), "an IPv4 block never matches IPv6");
    }

    @Test
    void shouldNormalizeEntries() {
        assertEquals(List.of("10.0.0.0/8", "192.168.1.5", "fd00:0:0:0:0:0:0:0/8", "0:0:0:0:0:0:0:1"),
                ClientList.parse(" 10.0.0.0/8 ,192.168.1.5/32,fd00::/8,::1").entries());
    }

    @Test
    void shouldRefuseAnythingButNumericAddressesAndValidPrefixes() {
        for (String bad : List.of("10.0.0.0/33", "fd00::/129", "10.0.0.0/-1", "10.0.0.0/8/8", "10.0.0.0/", "host.example",
                "localhost", "10.0.0", "10.0.0.256", "010.0.0.1", "1.2.3.4.5", "fe80::1%eth0", "[::1]", "::ffff:10.0.0.1",
                "10.1.2.3/8", "*", "", "10.0.0.0/08", "1.2.3.4 /8", "x".repeat(100))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClientList.parse(List.of(bad)), bad);
            assertTrue(e.getMessage().startsWith("bad client entry"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClientList.parse("10.1.2.3/8"))
                .getMessage().contains("did you mean 10.0.0.0/8"));
        assertThrows(IllegalArgumentException.class, () -> ClientList.parse("10.0.0.1,,10.0.0.2"), "empty entry");
    }
}
