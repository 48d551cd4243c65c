package io.dittofs.storage.metadata.lmdb;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import org.lmdbjava.Env;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Durability of {@link LmdbMetadataStore}: every commit is logged in the {@link RedoLog} (one
 * sequential append; a durable work waits for one {@code fdatasync} of the log, shared by its
 * batch), and LMDB's own file, opened with {@code MDB_NOSYNC}, is made durable only at a
 * checkpoint, in the background.
 *
 * <h2>Why the LMDB file stays recoverable after a power cut</h2>
 * Without syncs of its own, LMDB's file on disk can hold any mix of the pages written since the
 * last sync: a meta page of a later commit whose pages never made it, or a page that a later
 * commit reused and overwrote. So a checkpoint, right after commit C on the writer thread:
 * <ol>
 *   <li>opens a read transaction on C (the <em>pin</em>): LMDB never reuses a page that a live
 *       reader's snapshot can see, so C's pages stay as they are on disk until the pin ends;</li>
 *   <li>copies C's two meta pages out of the file;</li>
 *   <li>switches the log to its other file (records after C go there);</li>
 *   <li>then, in the background: {@code mdb_env_sync} (C's pages are durable), writes the log
 *       header "LMDB is durable with these meta pages; replay from C's next seq" with an
 *       {@code fdatasync}, and ends the previous pin.</li>
 * </ol>
 * Recovery writes the header's meta pages back over the file's (whatever later meta pages
 * reached the disk), which makes LMDB open exactly at C, whose pages the pin kept intact, and
 * replays the log from there. A crash during a checkpoint leaves the previous header in force,
 * whose pin was still held. One checkpoint runs at a time; a log file that fills up while one
 * runs makes the writer wait for it.
 *
 * <p>A checkpoint starts about every {@code intervalNs} when something was logged, or when the
 * current log file is half full; one also runs at open (after replay) and at close.
 *
 * <p>Confinement: the writer thread calls everything except {@link #close}; the background step
 * runs on {@code thread}, one at a time, and hands the pin over when it ends.
 */
final class LmdbCheckpoints {
    private final Env<ByteBuffer> env;
    private final Path dataFile;
    private final RedoLog log;
    private final long intervalNs;
    private final ExecutorService thread;
    /** The read transaction keeping the last durable checkpoint's pages in place. */
    private volatile Txn<ByteBuffer> pin;
    private Future<?> running;
    private long lastBegin = System.nanoTime();
    /** A failed log write or checkpoint: every later flush fails (the log may miss a commit). */
    private volatile FsException broken;
    private volatile long checkpoints;

    LmdbCheckpoints(Env<ByteBuffer> env, Path dataFile, RedoLog log, long intervalNs, ExecutorService thread) {
        this.env = env;
        this.dataFile = dataFile;
        this.log = log;
        this.intervalNs = intervalNs;
        this.thread = thread;
    }

    /**
     * At open, before replay: keeps the pages of the environment as it is (the checkpoint the
     * header describes, after its meta pages were written back) until the first checkpoint.
     */
    void pinOpened() {
        pin = env.txnRead();
    }

    /**
     * Writer thread, right after a commit: logs its mutations (not yet durable) and starts a
     * checkpoint if one is due. A record larger than a whole log file is not logged: a
     * checkpoint, right now and on this thread, makes the commit durable instead.
     */
    void committed(RedoLog.Batch batch) {
        if (broken != null || batch.isEmpty()) {
            return;
        }
        try {
            int bytes = batch.recordBytes();
            if (!log.fits(bytes)) {
                awaitRunning();
                if (bytes > log.fileBytes()) {
                    begin(true);
                    return;
                }
                begin(false); // switches to the other file, whose records are no longer needed
            }
            log.append(batch);
            if (running != null && running.isDone()) {
                awaitRunning();
            }
            if (running == null && (log.position() >= log.fileBytes() / 2
                    || System.nanoTime() - lastBegin >= intervalNs)) {
                begin(false);
            }
        } catch (IOException | LmdbException e) {
            broken = new FsException(FsError.IO, "metadata redo log: " + e.getMessage(), e);
        }
    }

    /** Writer thread (the flush): makes every logged commit durable. */
    void syncLog() {
        FsException b = broken;
        if (b != null) {
            throw b;
        }
        try {
            log.sync();
        } catch (IOException e) {
            throw new FsException(FsError.IO, "metadata redo log sync: " + e.getMessage(), e);
        }
    }

    /** A checkpoint now, on the calling thread, after the running one (writer thread, or at close after it stopped). */
    void now() {
        awaitRunning();
        if (broken != null) {
            throw broken;
        }
        begin(true);
        if (broken != null) {
            throw broken;
        }
    }

    /** Checkpoints completed (for tests). */
    long count() {
        return checkpoints;
    }

    private void begin(boolean inline) {
        Txn<ByteBuffer> next = env.txnRead(); // pins the last commit
        byte[] meta;
        try {
            meta = readMeta();
        } catch (IOException e) {
            next.close();
            broken = new FsException(FsError.IO, "reading LMDB meta pages: " + e.getMessage(), e);
            return;
        }
        long seq = log.switchFiles();
        int file = log.currentFile();
        lastBegin = System.nanoTime();
        Runnable step = () -> finish(next, file, seq, meta);
        if (inline) {
            step.run();
        } else {
            running = thread.submit(step);
        }
    }

    /** The background step: LMDB durable, then the header, then the previous pin ends. */
    private void finish(Txn<ByteBuffer> next, int file, long seq, byte[] meta) {
        try {
            env.sync(true);
            log.writeHeader(file, seq, meta);
        } catch (IOException | RuntimeException e) {
            next.close();
            broken = new FsException(FsError.IO, "metadata checkpoint: " + e.getMessage(), e);
            return;
        }
        Txn<ByteBuffer> old = pin;
        pin = next;
        if (old != null) {
            old.close();
        }
        checkpoints++;
    }

    private byte[] readMeta() throws IOException {
        int pageSize = env.stat().pageSize;
        ByteBuffer b = ByteBuffer.allocate(2 * pageSize);
        try (FileChannel ch = FileChannel.open(dataFile, StandardOpenOption.READ)) {
            while (b.hasRemaining()) {
                if (ch.read(b, b.position()) < 0) {
                    throw new IOException("LMDB file shorter than its meta pages");
                }
            }
        }
        return b.array();
    }

    private void awaitRunning() {
        Future<?> f = running;
        if (f == null) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                f.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                broken = new FsException(FsError.IO, "metadata checkpoint: " + e.getCause(), e.getCause());
                break;
            }
        }
        running = null;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Writes a header's meta pages over the LMDB file's, before the environment opens, so it
     * opens at that checkpoint (see the class comment).
     */
    static void restoreMeta(Path dataFile, byte[] meta) throws IOException {
        try (FileChannel ch = FileChannel.open(dataFile, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(meta);
            while (b.hasRemaining()) {
                ch.write(b, b.position());
            }
            ch.force(true);
        }
    }

    /** After the writer stopped and the last checkpoint: ends the pin (before the environment closes). */
    void close() {
        awaitRunning();
        Txn<ByteBuffer> p = pin;
        pin = null;
        if (p != null) {
            p.close();
        }
    }
}
