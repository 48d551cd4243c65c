package io.dittofs.operator;

import io.dittofs.operator.api.DittoFS;
import io.dittofs.operator.api.SecretKeyRef;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the Secret keys a {@link DittoFS} refers to that do not exist: pods started without them
 * would never run ({@code CreateContainerConfigError}), so the operator reports them on the
 * resource instead and waits.
 *
 * <p>Stateless; thread-safe.
 */
final class SecretCheck {
    private SecretCheck() {
    }

    /** One line per missing Secret or key; empty when all are there. */
    static List<String> missing(KubernetesClient client, DittoFS d) {
        String ns = d.getMetadata().getNamespace();
        Map<String, Optional<Secret>> secrets = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (SecretKeyRef ref : ServerEnv.secretRefs(d.getSpec())) {
            Optional<Secret> secret = secrets.computeIfAbsent(ref.getName(),
                    n -> Optional.ofNullable(client.secrets().inNamespace(ns).withName(n).get()));
            String problem;
            if (secret.isEmpty()) {
                problem = "Secret " + ref.getName() + " not found";
            } else if (!hasKey(secret.get(), ref.getKey())) {
                problem = "Secret " + ref.getName() + " has no key " + ref.getKey();
            } else {
                continue;
            }
            if (!problems.contains(problem)) {
                problems.add(problem);
            }
        }
        return problems;
    }

    private static boolean hasKey(Secret s, String key) {
        return (s.getData() != null && s.getData().containsKey(key))
                || (s.getStringData() != null && s.getStringData().containsKey(key));
    }
}
