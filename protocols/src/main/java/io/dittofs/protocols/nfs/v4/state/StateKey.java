package io.dittofs.protocols.nfs.v4.state;

import io.dittofs.core.lock.FileKey;

/**
 * What one journaled piece of NFSv4 state is about: the client (its {@code co_ownerid}, which
 * survives a restart where the clientid does not), whether it is an open or a lock, the open-owner
 * or lock-owner, and the file. Immutable; thread-safe.
 *
 * @param client the client owner string
 * @param lock   true for a lock-owner's byte ranges, false for an open-owner's share reservation
 * @param owner  the open_owner4 / lock_owner4 owner bytes
 * @param file   the file
 */
public record StateKey(OwnerKey client, boolean lock, OwnerKey owner, FileKey file) {
}
