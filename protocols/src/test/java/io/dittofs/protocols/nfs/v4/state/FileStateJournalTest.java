package io.dittofs.protocols.nfs.v4.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dittofs.core.lock.FileKey;
import io.dittofs.core.lock.LockType;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The open/lock journal: replay, trust rules across machine restarts, torn tails, compaction, pruning. */
class FileStateJournalTest {
    private static final byte[] BOOT = bytes(1);
    private static final byte[] OTHER_BOOT = bytes(2);
    private static final OwnerKey CLIENT = key("linux-client");
    private static final OwnerKey OWNER = key("open id:1");
    private static final OwnerKey LOCKER = key("lock id:1");
    private static final FileKey FILE = new FileKey(1, 42);
    private static final JournalEntry.Range WHOLE = new JournalEntry.Range(true, 0, Long.MAX_VALUE);

    @Test
    void shouldReplayOpensAndLocksAfterAProcessRestartOnTheSameBoot(@TempDir Path dir) throws IOException {
        FileStateJournal j = new FileStateJournal(dir, BOOT);
        j.open(CLIENT, OWNER, FILE, 1, 0);
        j.open(CLIENT, OWNER, FILE, 3, 0);
        j.locks(CLIENT, LOCKER, FILE, List.of(new JournalEntry.Range(false, 0, 100)));
        j.open(CLIENT, OWNER, new FileKey(1, 43), 1, 0);
        j.close(CLIENT, OWNER, new FileKey(1, 43));
        // no close(): the process dies; what reached the kernel is all there
        PriorState p = new FileStateJournal(dir, BOOT).prior();
        assertTrue(p.known());
        assertEquals(2, p.size());
        assertTrue(p.mayReclaimOpen(CLIENT, OWNER, FILE, 3, 0));
        assertFalse(p.mayReclaimOpen(CLIENT, OWNER, new FileKey(1, 43), 1, 0), "closed before the restart");
        assertTrue(p.mayReclaimLock(CLIENT, LOCKER, FILE, LockType.READ, 10, 20));
        assertFalse(p.mayReclaimLock(CLIENT, LOCKER, FILE, LockType.WRITE, 10, 20), "held shared only");
        assertFalse(p.mayReclaimLock(CLIENT, LOCKER, FILE, LockType.READ, 50, 100), "runs past the held range");
    }

    @Test
    void shouldNotTrustTheJournalAfterTheMachineWentDownUncleanly(@TempDir Path dir) throws IOException {
        FileStateJournal j = new FileStateJournal(dir, BOOT);
        j.open(CLIENT, OWNER, FILE, 3, 0);
        FileStateJournal after = new FileStateJournal(dir, OTHER_BOOT);
        assertFalse(after.prior().known(), "unsynced records may be lost with the page cache");
        assertTrue(after.prior().mayReclaimOpen(CLIENT, key("anything"), new FileKey(9, 9), 3, 0));
        // the next start on the same boot still cannot trust the entries carried over...
        assertFalse(new FileStateJournal(dir, OTHER_BOOT).prior().known());
    }

    @Test
    void shouldTrustTheJournalAgainOnceTheCarriedOverEntriesAreGone(@TempDir Path dir) throws IOException {
        new FileStateJournal(dir, BOOT).open(CLIENT, OWNER, FILE, 3, 0);
        FileStateJournal after = new FileStateJournal(dir, OTHER_BOOT);
        after.retainReclaimable(Set.of()); // grace over: the old entries go
        after.open(CLIENT, OWNER, new FileKey(1, 7), 1, 0);
        PriorState p = new FileStateJournal(dir, OTHER_BOOT).prior();
        assertTrue(p.known());
        assertEquals(1, p.size());
    }

    @Test
    void shouldTrustTheJournalAfterACleanStopAndAMachineRestart(@TempDir Path dir) throws IOException {
        FileStateJournal j = new FileStateJournal(dir, BOOT);
        j.locks(CLIENT, LOCKER, FILE, List.of(WHOLE));
        j.close();
        PriorState p = new FileStateJournal(dir, OTHER_BOOT).prior();
        assertTrue(p.known());
        assertTrue(p.mayReclaimLock(CLIENT, LOCKER, FILE, LockType.WRITE, 0, -1L));
    }

    @Test
    void shouldReplayUpToATornTail(@TempDir Path dir) throws IOException {
        FileStateJournal j = new FileStateJournal(dir, BOOT);
        j.open(CLIENT, OWNER, FILE, 3, 0);
        long intact = j.size();
        j.open(CLIENT, key("second"), FILE, 1, 0);
        try (FileChannel ch = FileChannel.open(dir.resolve(FileStateJournal.FILE), StandardOpenOption.WRITE)) {
            ch.truncate(intact + 7);
        }
        PriorState p = new FileStateJournal(dir, BOOT).prior();
        assertEquals(1, p.size());
        assertTrue(p.mayReclaimOpen(CLIENT, OWNER, FILE, 3, 0));
    }

    @Test
    void shouldReadADamagedHeaderAsNoJournal(@TempDir Path dir) throws IOException {
        new FileStateJournal(dir, BOOT).open(CLIENT, OWNER, FILE, 3, 0);
        Path f = dir.resolve(FileStateJournal.FILE);
        byte[] b = Files.readAllBytes(f);
        b[20] ^= 1;
        Files.write(f, b);
        assertFalse(new FileStateJournal(dir, BOOT).prior().known());
        Files.writeString(f, "garbage", StandardCharsets.UTF_8);
        assertFalse(new FileStateJournal(dir, BOOT).prior().known());
    }

    @Test
    void shouldKeepTheLogBoundedByTheLiveStateWhenOpensComeAndGo(@TempDir Path dir) throws IOException {
        FileStateJournal j = new FileStateJournal(dir, BOOT);
        j.open(CLIENT, OWNER, FILE, 3, 0);
        for (int i = 0; i < 100_000; i++) {
            FileKey f = new FileKey(1, 1000 + i);
            j.open(CLIENT, OWNER, f, 1, 0);
            j.locks(CLIENT, LOCKER, f, List.of(WHOLE));
            j.locks(CLIENT, LOCKER, f, List.of());
            j.close(CLIENT, OWNER, f);
        }
        assertTrue(Files.size(dir.resolve(FileStateJournal.FILE)) < 3 << 20,
                "log of " + Files.size(dir.resolve(FileStateJournal.FILE)) + " bytes for one live open");
        PriorState p = new FileStateJournal(dir, BOOT).prior();
        assertEquals(1, p.size());
        assertTrue(p.mayReclaimOpen(CLIENT, OWNER, FILE, 3, 0));
    }

    @Test
    void shouldForgetDroppedClientsAndClientsThatNoLongerReclaim(@TempDir Path dir) throws IOException {
        OwnerKey gone = key("gone");
        OwnerKey late = key("late");
        FileStateJournal j = new FileStateJournal(dir, BOOT);
        j.open(CLIENT, OWNER, FILE, 3, 0);
        j.open(gone, OWNER, FILE, 1, 0);
        j.open(late, OWNER, FILE, 1, 0);
        j.dropClient(gone);
        FileStateJournal after = new FileStateJournal(dir, BOOT);
        assertFalse(after.prior().mayReclaimOpen(gone, OWNER, FILE, 1, 0));
        after.open(CLIENT, OWNER, FILE, 3, 0); // CLIENT reclaimed; "late" never did
        after.retainReclaimable(Set.of());
        PriorState p = new FileStateJournal(dir, BOOT).prior();
        assertTrue(p.mayReclaimOpen(CLIENT, OWNER, FILE, 3, 0));
        assertFalse(p.mayReclaimOpen(late, OWNER, FILE, 1, 0));
    }

    private static OwnerKey key(String s) {
        return new OwnerKey(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] bytes(int v) {
        byte[] b = new byte[16];
        b[15] = (byte) v;
        return b;
    }
}
