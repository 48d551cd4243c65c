package io.dittofs.protocols.nfs.v4.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GracePeriodTest {
    private final ManualClock clock = new ManualClock();

    private static StateError error(Runnable r) {
        return assertThrows(StateException.class, r::run).error();
    }

    @Test
    void shouldLetRecordedClientsReclaimAfterARestartAndRefuseNewOpensMeanwhile(@TempDir Path dir) throws Exception {
        FileClientStore store = new FileClientStore(dir);
        StateConfig cfg = StateConfig.withLease(Duration.ofSeconds(30));
        ClientTable before = new ClientTable(cfg, clock, 1, store, new GracePeriod(Set.of(), 0, clock), r -> { });
        var id = before.setClientId(new byte[] {'k'}, 1, "u", null);
        before.confirmSetClientId(id.clientId(), id.confirmVerifier(), "u");
        ClientRecord b = before.exchangeId(new byte[] {'m'}, 1, "u", false, 1).client();
        before.confirmBySession(b, "u");

        // restart: a new table over the same file
        Set<OwnerKey> known = store.load().stream().map(ClientStore.Persisted::owner).collect(Collectors.toSet());
        assertEquals(Set.of(new OwnerKey(new byte[] {'k'}), new OwnerKey(new byte[] {'m'})), known);
        GracePeriod grace = new GracePeriod(known, cfg.graceTime().toNanos(), clock);
        ClientTable after = new ClientTable(cfg, clock, 2, store, grace, r -> { });
        assertTrue(grace.inGrace());
        assertEquals(StateError.GRACE, error(grace::checkNonReclaim));
        var again = after.setClientId(new byte[] {'k'}, 1, "u", null);
        ClientRecord k = after.confirmSetClientId(again.clientId(), again.confirmVerifier(), "u");
        grace.checkReclaim(k);
        ClientRecord stranger = after.exchangeId(new byte[] {'z'}, 1, "u", false, 1).client();
        after.confirmBySession(stranger, "u");
        assertEquals(StateError.NO_GRACE, error(() -> grace.checkReclaim(stranger)));
        // the clients still to reclaim stay recorded for a second restart during the grace
        assertEquals(3, store.load().size());
        clock.advance(Duration.ofSeconds(31));
        assertFalse(grace.inGrace());
        grace.checkNonReclaim();
        assertEquals(StateError.NO_GRACE, error(() -> grace.checkReclaim(k)));
    }

    @Test
    void shouldHoldNewLocksButNotNewOpensBackWhileAnotherProtocolsClientsReclaim() {
        GracePeriod g = new GracePeriod(Set.of(), Duration.ofSeconds(90).toNanos(), clock);
        boolean[] nlmReclaiming = {true};
        g.holdLocksBackWhile(() -> nlmReclaiming[0]);
        assertFalse(g.inGrace(), "no NFSv4 client to reclaim");
        g.checkNonReclaim();
        assertEquals(StateError.GRACE, error(g::checkNonReclaimLock));
        nlmReclaiming[0] = false;
        g.checkNonReclaimLock();
    }

    @Test
    void shouldEndTheGraceEarlyWhenEveryClientCompletedItsReclaim() {
        OwnerKey a = new OwnerKey(new byte[] {1});
        GracePeriod g = new GracePeriod(Set.of(a), Duration.ofSeconds(90).toNanos(), clock);
        assertTrue(g.inGrace());
        g.done(a);
        assertFalse(g.inGrace());
    }

    @Test
    void shouldHaveNoGraceWhenNoClientWasRecorded() {
        assertFalse(new GracePeriod(Set.of(), Duration.ofSeconds(90).toNanos(), clock).inGrace());
    }

    @Test
    void shouldReadACorruptClientFileAsEmpty(@TempDir Path dir) throws Exception {
        FileClientStore store = new FileClientStore(dir);
        store.save(List.of(new ClientStore.Persisted(new OwnerKey(new byte[] {1, 2, 3}), 1)));
        assertEquals(1, store.load().size());
        Path f = dir.resolve("nfs4-clients.bin");
        byte[] b = Files.readAllBytes(f);
        b[14] ^= 1;
        Files.write(f, b);
        assertEquals(List.of(), store.load());
        Files.write(f, new byte[] {1, 2});
        assertEquals(List.of(), store.load());
    }
}
