package io.dittofs.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;

/**
 * Entry point of the operator image: connects with the in-cluster service account (or
 * {@code ~/.kube/config} outside a cluster), registers {@link DittoFSReconciler} for all
 * namespaces the service account may see, and runs until the JVM is stopped.
 *
 * <p>Holds no state of its own.
 */
public final class OperatorMain {
    private OperatorMain() {
    }

    /**
     * An operator for {@code client}, not started yet. Status is written with an ordinary patch of
     * the status subresource (not server-side apply): the operator is the status' only writer, and
     * the tests' in-process API server understands exactly this.
     */
    static Operator create(KubernetesClient client) {
        Operator operator = new Operator(o -> o.withKubernetesClient(client)
                .withUseSSAToPatchPrimaryResource(false)
                .withCloseClientOnStop(false));
        operator.register(new DittoFSReconciler());
        return operator;
    }

    public static void main(String[] args) {
        KubernetesClient client = new KubernetesClientBuilder().build();
        Operator operator = create(client);
        operator.installShutdownHook(java.time.Duration.ofSeconds(10));
        operator.start();
    }
}
