package io.dittofs.protocols.nfs.v4.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClientTableTest {
    private final ManualClock clock = new ManualClock();
    private final List<ClientRecord> dropped = new ArrayList<>();

    private ClientTable table(StateConfig cfg) {
        return new ClientTable(cfg, clock, 7, ClientStore.none(), new GracePeriod(Set.of(), 0, clock), dropped::add);
    }

    private static byte[] owner(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static StateError error(Runnable r) {
        return assertThrows(StateException.class, r::run).error();
    }

    @Test
    void shouldConfirmSetClientIdAndAcceptARetransmittedConfirm() {
        ClientTable t = table(StateConfig.defaults());
        var r = t.setClientId(owner("a"), 1, "uid0", null);
        assertEquals(7, (int) (r.clientId() >>> 32));
        ClientRecord c = t.confirmSetClientId(r.clientId(), r.confirmVerifier(), "uid0");
        assertTrue(c.confirmed());
        assertSame(c, t.confirmSetClientId(r.clientId(), r.confirmVerifier(), "uid0"));
        assertSame(c, t.renew(r.clientId()));
    }

    @Test
    void shouldAnswerStaleClientIdWhenTheConfirmVerifierIsWrong() {
        ClientTable t = table(StateConfig.defaults());
        var r = t.setClientId(owner("a"), 1, "uid0", null);
        assertEquals(StateError.STALE_CLIENTID, error(() -> t.confirmSetClientId(r.clientId(), ~r.confirmVerifier(), "uid0")));
        assertEquals(StateError.STALE_CLIENTID, error(() -> t.renew(r.clientId())));
    }

    @Test
    void shouldKeepTheClientIdOnACallbackUpdateAndReplaceItOnAReboot() {
        ClientTable t = table(StateConfig.defaults());
        var r = t.setClientId(owner("a"), 1, "uid0", null);
        ClientRecord c = t.confirmSetClientId(r.clientId(), r.confirmVerifier(), "uid0");
        var update = t.setClientId(owner("a"), 1, "uid0", null);
        assertEquals(r.clientId(), update.clientId());
        assertSame(c, t.confirmSetClientId(update.clientId(), update.confirmVerifier(), "uid0"));
        var reboot = t.setClientId(owner("a"), 2, "uid0", null);
        assertNotEquals(r.clientId(), reboot.clientId());
        ClientRecord n = t.confirmSetClientId(reboot.clientId(), reboot.confirmVerifier(), "uid0");
        assertTrue(c.gone());
        assertEquals(List.of(c), dropped);
        assertFalse(n.gone());
        assertEquals(StateError.STALE_CLIENTID, error(() -> t.renew(r.clientId())));
    }

    @Test
    void shouldRefuseAnotherPrincipalWithClidInUseWhileTheLeaseLasts() {
        ClientTable t = table(StateConfig.defaults());
        var r = t.setClientId(owner("a"), 1, "uid0", null);
        t.confirmSetClientId(r.clientId(), r.confirmVerifier(), "uid0");
        assertEquals(StateError.CLID_INUSE, error(() -> t.setClientId(owner("a"), 1, "uid1", null)));
        assertEquals(StateError.CLID_INUSE, error(() -> t.exchangeId(owner("a"), 1, "uid1", false, 1)));
        clock.advance(Duration.ofSeconds(91));
        t.setClientId(owner("a"), 1, "uid1", null);
    }

    @Test
    void shouldReplaceAnotherPrincipalsRecordWhenItHoldsNoState() {
        ClientTable t = table(StateConfig.defaults());
        var first = t.exchangeId(owner("e"), 1, "uid0", false, 1, c -> false);
        t.confirmBySession(first.client(), "uid0");
        assertEquals(StateError.CLID_INUSE,
                error(() -> t.exchangeId(owner("e"), 1, "uid1", false, 1, c -> true)), "state held: in use");
        var other = t.exchangeId(owner("e"), 1, "uid1", false, 1, c -> false); // case 3 without state
        assertFalse(other.confirmed());
        assertNotEquals(first.client().clientId(), other.client().clientId());
        assertTrue(first.client().gone());
        assertEquals(StateError.STALE_CLIENTID, error(() -> t.get(first.client().clientId())));
    }

    @Test
    void shouldFollowTheExchangeIdCases() {
        ClientTable t = table(StateConfig.defaults());
        var first = t.exchangeId(owner("b"), 5, "uid0", false, 1);
        assertFalse(first.confirmed());
        var again = t.exchangeId(owner("b"), 5, "uid0", false, 1); // case 5: unconfirmed replaced
        assertNotEquals(first.client().clientId(), again.client().clientId());
        assertTrue(first.client().gone());
        t.confirmBySession(again.client(), "uid0");
        var same = t.exchangeId(owner("b"), 5, "uid0", false, 1); // case 2
        assertTrue(same.confirmed());
        assertSame(again.client(), same.client());
        var reboot = t.exchangeId(owner("b"), 6, "uid0", false, 1); // case 4
        assertFalse(reboot.confirmed());
        assertFalse(again.client().gone());
        t.confirmBySession(reboot.client(), "uid0");
        assertTrue(again.client().gone());
    }

    @Test
    void shouldCheckTheExchangeIdUpdateFlag() {
        ClientTable t = table(StateConfig.defaults());
        assertEquals(StateError.NOENT, error(() -> t.exchangeId(owner("c"), 1, "uid0", true, 1)));
        var r = t.exchangeId(owner("c"), 1, "uid0", false, 1);
        t.confirmBySession(r.client(), "uid0");
        assertEquals(StateError.NOT_SAME, error(() -> t.exchangeId(owner("c"), 2, "uid0", true, 1)));
        assertEquals(StateError.PERM, error(() -> t.exchangeId(owner("c"), 1, "uid9", true, 1)));
        assertSame(r.client(), t.exchangeId(owner("c"), 1, "uid0", true, 1).client());
    }

    @Test
    void shouldReplayOrRefuseCreateSessionSequenceIds() {
        ClientTable t = table(StateConfig.defaults());
        ClientRecord c = t.exchangeId(owner("d"), 1, "uid0", false, 1).client();
        assertEquals(1, c.createSessionSeq());
        assertTrue(c.checkCreateSessionSeq(1));
        c.createSessionDone(new byte[] {1, 2});
        assertFalse(c.checkCreateSessionSeq(1));
        assertEquals(2, c.createSessionReply()[1]);
        assertTrue(c.checkCreateSessionSeq(2));
        assertEquals(StateError.SEQ_MISORDERED, error(() -> c.checkCreateSessionSeq(5)));
    }

    @Test
    void shouldRefuseNewClientsBeyondTheBoundAndAdmitThemAfterExpiry() {
        StateConfig small = new StateConfig(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(30),
                2, 1, 4, 1024, 4, 4, 4);
        ClientTable t = table(small);
        var a = t.exchangeId(owner("1"), 1, "u", false, 1).client();
        t.confirmBySession(a, "u");
        t.exchangeId(owner("2"), 1, "u", false, 1);
        assertEquals(StateError.DELAY, error(() -> t.exchangeId(owner("3"), 1, "u", false, 1)));
        assertEquals(StateError.RESOURCE, error(() -> t.setClientId(owner("3"), 1, "u", null)));
        clock.advance(Duration.ofSeconds(11)); // the unconfirmed record is dropped; 'a' is a courtesy client
        t.exchangeId(owner("3"), 1, "u", false, 1);
        assertFalse(a.gone());
        assertTrue(t.expireIfCourtesy(a.clientId()));
        assertTrue(a.gone());
    }

    @Test
    void shouldKeepACourtesyClientUntilTheCourtesyTimeEnds() {
        StateConfig cfg = new StateConfig(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(30),
                8, 1, 4, 1024, 4, 4, 4);
        ClientTable t = table(cfg);
        var r = t.setClientId(owner("a"), 1, "u", null);
        ClientRecord c = t.confirmSetClientId(r.clientId(), r.confirmVerifier(), "u");
        clock.advance(Duration.ofSeconds(20));
        assertTrue(c.expired(clock.getAsLong(), Duration.ofSeconds(10).toNanos()));
        assertEquals(0, t.reap());
        t.renew(c.clientId()); // the courtesy client comes back: its state is still there
        clock.advance(Duration.ofSeconds(41));
        assertEquals(1, t.reap());
        assertTrue(c.gone());
        assertEquals(StateError.STALE_CLIENTID, error(() -> t.renew(r.clientId())));
    }
}
