package io.dittofs.protocols.nfs.v4.state;

/**
 * The NFSv4 client, session, open and lock state of one server, reached from ops through
 * {@link io.dittofs.protocols.nfs.v4.Nfs4Services#state()}. A marker here; the state layer
 * defines its members. Implementations are thread-safe.
 */
public interface Nfs4State {
}
