package io.dittofs.controlplane.instrument;

import io.dittofs.core.spi.MetadataStore;
import io.opentelemetry.api.trace.Span;

/**
 * A metadata store that times, counts and traces its transactions and syncs
 * ({@link StoreInstruments#metadata}): latency per operation ({@code read}, {@code write},
 * {@code note_write}, {@code sync}), errors by {@code FsError} (a transaction that throws
 * {@code EXISTS} or {@code NOT_FOUND} to its caller counts too: the label tells them apart), and a
 * child span of the current RPC call's span when that call is sampled. Any new
 * {@link MetadataStore} method must be forwarded here.
 *
 * <p>Thread-safe as the wrapped store is.
 */
public final class InstrumentedMetadataStore implements MetadataStore {
    private final MetadataStore delegate;
    private final Probe read;
    private final Probe write;
    private final Probe noteWrite;
    private final Probe sync;

    InstrumentedMetadataStore(MetadataStore delegate, Probe read, Probe write, Probe noteWrite, Probe sync) {
        this.delegate = delegate;
        this.read = read;
        this.write = write;
        this.noteWrite = noteWrite;
        this.sync = sync;
    }

    /** The store this one measures. */
    public MetadataStore delegate() {
        return delegate;
    }

    @Override
    public <T> T read(TxnWork<T> work) {
        return run(read, work, false);
    }

    @Override
    public <T> T write(TxnWork<T> work) {
        return run(write, work, true);
    }

    /** Timed as a {@code write} (its flush is shared with other callers' works). */
    @Override
    public <T> T writeAndSync(TxnWork<T> work) {
        Span s = write.start(-1);
        long t0 = write.clock();
        try {
            return delegate.writeAndSync(work);
        } catch (RuntimeException e) {
            write.failed(s, e);
            throw e;
        } finally {
            write.end(s, t0);
        }
    }

    private <T> T run(Probe p, TxnWork<T> work, boolean rw) {
        Span s = p.start(-1);
        long t0 = p.clock();
        try {
            return rw ? delegate.write(work) : delegate.read(work);
        } catch (RuntimeException e) {
            p.failed(s, e);
            throw e;
        } finally {
            p.end(s, t0);
        }
    }

    @Override
    public void noteWrite(long id, long end, long timeNs) {
        noteWrite.time(delegate, id, end, timeNs, MetadataStore::noteWrite);
    }

    @Override
    public void sync() {
        sync.time(delegate, -1, 0, 0, (d, none, a, b) -> d.sync());
    }

    @Override
    public StoreStats stats() {
        return delegate.stats();
    }

    @Override
    public String kind() {
        return delegate.kind();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
