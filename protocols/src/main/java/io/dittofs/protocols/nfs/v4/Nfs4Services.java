package io.dittofs.protocols.nfs.v4;

import io.dittofs.core.ShareRegistry;
import io.dittofs.protocols.nfs.v3.Nfs3Program;
import io.dittofs.protocols.nfs.v4.state.Nfs4State;

/**
 * What NFSv4 operations reach beyond the COMPOUND: the shares (as the NFSv3 program uses them,
 * with the same export call policy), the pseudo-filesystem, the stateid checker, owner mapping,
 * the write verifier shared with NFSv3, the lease time, and the client/open/lock state (null
 * until the state layer is wired). Immutable; thread-safe as its members are.
 *
 * @param shares        the live shares
 * @param callPolicy    export options checked before a share is used (client addresses, ports)
 * @param pseudoFs      the pseudo-filesystem over {@code shares}
 * @param stateChecker  validates stateids of READ/WRITE/SETATTR(size)
 * @param idMapper      owner strings
 * @param writeVerifier the boot verifier of WRITE/COMMIT (the NFSv3 program's, so both agree)
 * @param leaseSeconds  the lease time reported in {@code lease_time}
 * @param state         client, session, open and lock state; null when not wired
 */
public record Nfs4Services(ShareRegistry shares, Nfs3Program.CallPolicy callPolicy, PseudoFs pseudoFs,
                           StateChecker stateChecker, IdMapper idMapper, long writeVerifier, int leaseSeconds,
                           Nfs4State state) {
    public static final int DEFAULT_LEASE_SECONDS = 90;

    public Nfs4Services {
        if (callPolicy == null) {
            callPolicy = Nfs3Program.CallPolicy.ALLOW_ALL;
        }
        if (stateChecker == null) {
            stateChecker = AnonymousOnlyStateChecker.INSTANCE;
        }
        if (idMapper == null) {
            idMapper = IdMapper.NUMERIC;
        }
        if (pseudoFs == null) {
            pseudoFs = new PseudoFs(shares);
        }
    }

    /** Services with no state layer: anonymous stateids only, numeric owners, 90 s leases. */
    public static Nfs4Services of(ShareRegistry shares, Nfs3Program.CallPolicy callPolicy, long writeVerifier) {
        return new Nfs4Services(shares, callPolicy, null, null, null, writeVerifier, DEFAULT_LEASE_SECONDS, null);
    }

    public Nfs4Services withState(Nfs4State s) {
        return new Nfs4Services(shares, callPolicy, pseudoFs, stateChecker, idMapper, writeVerifier, leaseSeconds, s);
    }

    public Nfs4Services withStateChecker(StateChecker c) {
        return new Nfs4Services(shares, callPolicy, pseudoFs, c, idMapper, writeVerifier, leaseSeconds, state);
    }

    public Nfs4Services withIdMapper(IdMapper m) {
        return new Nfs4Services(shares, callPolicy, pseudoFs, stateChecker, m, writeVerifier, leaseSeconds, state);
    }

    public Nfs4Services withLeaseSeconds(int secs) {
        return new Nfs4Services(shares, callPolicy, pseudoFs, stateChecker, idMapper, writeVerifier, secs, state);
    }
}
