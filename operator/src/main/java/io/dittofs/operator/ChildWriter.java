package io.dittofs.operator;

import io.dittofs.operator.api.DittoFS;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Writes the children of one {@link DittoFS} (create, or update with optimistic locking on the
 * current resourceVersion) and deletes the ones it no longer wants. A child carries the hash of
 * what was last written ({@code dittofs.io/applied-hash}), so an unchanged spec causes no write at
 * all, whatever defaults the API server filled in. A child of the same name that the resource does
 * not control is never touched: that is an error for the {@code Reconciled} condition.
 *
 * <p>Not thread-safe: one instance serves one reconciliation.
 */
final class ChildWriter {
    private final KubernetesClient client;
    private final DittoFS owner;

    ChildWriter(KubernetesClient client, DittoFS owner) {
        this.client = client;
        this.owner = owner;
    }

    /**
     * Makes the API server hold {@code desired}.
     *
     * @param keep copies from the current object (first argument) into {@code desired} (second) what
     *     the API server allocated or will not let change (cluster IPs, claim templates)
     * @return the object as the API server holds it afterwards
     */
    <T extends HasMetadata> T apply(T desired, BiConsumer<T, T> keep) {
        String hash = ConfigFile.sha256(client.getKubernetesSerialization().asJson(desired));
        Map<String, String> annotations = new HashMap<>();
        if (desired.getMetadata().getAnnotations() != null) {
            annotations.putAll(desired.getMetadata().getAnnotations());
        }
        annotations.put(Names.APPLIED_HASH, hash);
        desired.getMetadata().setAnnotations(annotations);

        T current = client.resource(desired).get();
        if (current == null) {
            return client.resource(desired).create();
        }
        requireOwned(current);
        Map<String, String> held = current.getMetadata().getAnnotations();
        if (held != null && hash.equals(held.get(Names.APPLIED_HASH))) {
            return current;
        }
        keep.accept(current, desired);
        desired.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
        return client.resource(desired).update();
    }

    /** Deletes the child {@code name} of {@code type} if it exists (and is controlled by the owner). */
    <T extends HasMetadata> void delete(Class<T> type, String name) {
        T current = client.resources(type).inNamespace(owner.getMetadata().getNamespace()).withName(name).get();
        if (current != null) {
            requireOwned(current);
            client.resource(current).delete();
        }
    }

    private void requireOwned(HasMetadata current) {
        if (!Names.ownedBy(current, owner)) {
            throw new IllegalStateException(current.getKind() + " " + current.getMetadata().getName()
                    + " exists and is not controlled by DittoFS " + owner.getMetadata().getName()
                    + ": rename one of them or delete it");
        }
    }
}
