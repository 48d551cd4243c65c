package io.dittofs.operator;

import io.dittofs.operator.api.DittoFSStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Sets the conditions of a {@link DittoFSStatus} the Kubernetes way: one entry per type, and
 * {@code lastTransitionTime} changes only when the condition's status does.
 *
 * <p>Stateless; thread-safe.
 */
final class Conditions {
    /** The StatefulSet, Services and ConfigMap match the spec. */
    static final String RECONCILED = "Reconciled";
    /** All requested pods are ready. */
    static final String READY = "Ready";

    private Conditions() {
    }

    static void set(DittoFSStatus status, String type, boolean ok, String reason, String message,
            Long generation, Clock clock) {
        List<Condition> all = status.getConditions();
        String value = ok ? "True" : "False";
        Condition old = all.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
        String since = old != null && value.equals(old.getStatus())
                ? old.getLastTransitionTime()
                : clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        Condition c = new ConditionBuilder().withType(type).withStatus(value).withReason(reason)
                .withMessage(message).withObservedGeneration(generation).withLastTransitionTime(since).build();
        if (old != null) {
            all.set(all.indexOf(old), c);
        } else {
            all.add(c);
        }
    }

    /** The condition of {@code type}, or null. */
    static Condition get(DittoFSStatus status, String type) {
        return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }
}
