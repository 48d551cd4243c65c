package io.dittofs.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.dittofs.operator.api.DittoFS;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The YAML under docker/k8s/ that users apply. */
@EnableKubernetesMockClient(crud = true, https = false)
class ManifestsTest {
    static final Path EXAMPLE = Path.of("../docker/k8s/examples/dittofs.yaml");

    KubernetesClient client;

    private static <T> T only(List<HasMetadata> items, Class<T> type) {
        List<T> found = items.stream().filter(type::isInstance).map(type::cast).toList();
        assertEquals(1, found.size(), type.getSimpleName());
        return found.getFirst();
    }

    @Test
    void shouldReconcileExampleResourceWhenItsSecretIsApplied() {
        Fixtures.installCrd(client);
        List<HasMetadata> items = ClusterRoleRules.manifests(client, EXAMPLE);
        client.resource(only(items, Secret.class)).inNamespace(Fixtures.NS).create();
        // the YAML loader knows the built-in kinds only; the custom resource comes back generic
        HasMetadata generic = items.stream().filter(i -> i.getKind().equals("DittoFS")).findFirst().orElseThrow();
        DittoFS example = client.getKubernetesSerialization().convertValue(generic, DittoFS.class);
        client.resource(example).inNamespace(Fixtures.NS).create();
        DittoFS stored = client.resources(DittoFS.class).inNamespace(Fixtures.NS).withName("files").get();

        DittoFS after = new DittoFSReconciler().reconcile(stored, client).getResource().orElseThrow();

        assertEquals("True", Conditions.get(after.getStatus(), Conditions.RECONCILED).getStatus(),
                () -> after.getStatus().getConditions().toString());
        StatefulSet sts = client.apps().statefulSets().inNamespace(Fixtures.NS).withName("files").get();
        assertNotNull(sts);
        assertEquals("20Gi", sts.getSpec().getVolumeClaimTemplates().getFirst().getSpec().getResources()
                .getRequests().get("storage").toString());
        String file = client.configMaps().inNamespace(Fixtures.NS).withName("files-config").get().getData()
                .get("config.yaml");
        assertEquals(true, file.contains("format: json"), file);
    }

    @Test
    void shouldRunOperatorUnderServiceAccountItsRoleIsBoundTo() {
        List<HasMetadata> items = ClusterRoleRules.manifests(client, ClusterRoleRules.OPERATOR_YAML);
        ServiceAccount sa = only(items, ServiceAccount.class);
        Deployment deployment = only(items, Deployment.class);
        ClusterRoleBinding binding = only(items, ClusterRoleBinding.class);

        assertEquals(sa.getMetadata().getName(), deployment.getSpec().getTemplate().getSpec().getServiceAccountName());
        assertEquals(sa.getMetadata().getNamespace(), deployment.getMetadata().getNamespace());
        assertEquals(sa.getMetadata().getName(), binding.getSubjects().getFirst().getName());
        assertEquals(sa.getMetadata().getNamespace(), binding.getSubjects().getFirst().getNamespace());
        assertEquals("dittofs-operator", binding.getRoleRef().getName());
    }
}
