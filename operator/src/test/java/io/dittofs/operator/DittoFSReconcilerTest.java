package io.dittofs.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dittofs.operator.api.DittoFS;
import io.dittofs.operator.api.DittoFSSpec;
import io.dittofs.operator.api.DittoFSStatus;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true, https = false)
class DittoFSReconcilerTest {
    KubernetesClient client;
    KubernetesMockServer server;

    private final DittoFSReconciler reconciler =
            new DittoFSReconciler(Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC));

    @BeforeEach
    void setUp() {
        Fixtures.installCrd(client);
        client.resource(Fixtures.secret("dittofs-jwt", "secret", "0123456789abcdef0123456789abcdef")).create();
    }

    private DittoFS create(DittoFS d) {
        return client.resource(d).create();
    }

    /** Reconciles the resource as the API server holds it and writes the status back, as the SDK does. */
    private DittoFSStatus reconcile(String name) {
        DittoFS d = client.resources(DittoFS.class).inNamespace(Fixtures.NS).withName(name).get();
        UpdateControl<DittoFS> control = reconciler.reconcile(d, client);
        assertTrue(control.isPatchStatus());
        client.resource(control.getResource().orElseThrow()).updateStatus();
        return control.getResource().orElseThrow().getStatus();
    }

    private DittoFS edit(String name, java.util.function.Consumer<DittoFSSpec> change) {
        return client.resources(DittoFS.class).inNamespace(Fixtures.NS).withName(name).edit(d -> {
            change.accept(d.getSpec());
            return d;
        });
    }

    private StatefulSet sts(String name) {
        return client.apps().statefulSets().inNamespace(Fixtures.NS).withName(name).get();
    }

    private Service service(String name) {
        return client.services().inNamespace(Fixtures.NS).withName(name).get();
    }

    private ConfigMap configMap(String name) {
        return client.configMaps().inNamespace(Fixtures.NS).withName(name).get();
    }

    private static Container container(StatefulSet sts) {
        return sts.getSpec().getTemplate().getSpec().getContainers().getFirst();
    }

    private static EnvVar env(StatefulSet sts, String name) {
        return container(sts).getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElse(null);
    }

    private static String configHash(StatefulSet sts) {
        return sts.getSpec().getTemplate().getMetadata().getAnnotations().get(Names.CONFIG_HASH);
    }

    private static void assertControlledBy(DittoFS owner, HasMetadata child) {
        List<OwnerReference> refs = child.getMetadata().getOwnerReferences();
        assertEquals(1, refs.size(), child.getKind() + " " + child.getMetadata().getName());
        OwnerReference ref = refs.getFirst();
        assertEquals("dittofs.io/v1alpha1", ref.getApiVersion());
        assertEquals("DittoFS", ref.getKind());
        assertEquals(owner.getMetadata().getName(), ref.getName());
        assertEquals(owner.getMetadata().getUid(), ref.getUid());
        assertEquals(Boolean.TRUE, ref.getController());
        assertEquals(Boolean.TRUE, ref.getBlockOwnerDeletion());
        assertEquals(Names.MANAGED_BY, child.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
    }

    @Test
    void shouldCreateStatefulSetServicesAndConfigMapWhenResourceIsNew() {
        DittoFS d = create(Fixtures.dittofs("files"));
        DittoFSStatus status = reconcile("files");

        ConfigMap cm = configMap("files-config");
        assertNotNull(cm);
        String file = cm.getData().get("config.yaml");
        assertTrue(file.contains("logging:\n  level: DEBUG\n"), file);
        assertTrue(file.contains("server:\n  shutdown_timeout: 20s\n"), file);
        assertControlledBy(d, cm);

        StatefulSet sts = sts("files");
        assertNotNull(sts);
        assertControlledBy(d, sts);
        assertEquals(2, sts.getSpec().getReplicas());
        assertEquals("files-headless", sts.getSpec().getServiceName());
        assertEquals("registry.example/dittofs:0.1.0", container(sts).getImage());
        assertEquals(ConfigFile.sha256(file), configHash(sts));
        assertEquals(ConfigFile.sha256(file), status.getConfigHash());
        PersistentVolumeClaim claim = sts.getSpec().getVolumeClaimTemplates().getFirst();
        assertEquals("fast-ssd", claim.getSpec().getStorageClassName());
        assertEquals("50Gi", claim.getSpec().getResources().getRequests().get("storage").toString());
        assertTrue(container(sts).getVolumeMounts().stream()
                .anyMatch(m -> m.getName().equals("data") && m.getMountPath().equals("/var/lib/dittofs")));
        assertEquals("files-config", sts.getSpec().getTemplate().getSpec().getVolumes().getFirst().getConfigMap().getName());

        assertEquals("/etc/dittofs/config.yaml", env(sts, "DITTOFS_CONFIG").getValue());
        assertEquals("0.0.0.0", env(sts, "DITTOFS_CONTROLPLANE_BIND").getValue());
        assertEquals("true", env(sts, "DITTOFS_METRICS_ENABLED").getValue());
        assertEquals("true", env(sts, "DITTOFS_ADAPTERS_SMB_ENABLED").getValue());
        EnvVar jwt = env(sts, "DITTOFS_CONTROLPLANE_SECRET");
        assertNull(jwt.getValue(), "secrets never as literal values");
        assertEquals("dittofs-jwt", jwt.getValueFrom().getSecretKeyRef().getName());
        assertEquals("secret", jwt.getValueFrom().getSecretKeyRef().getKey());
        assertNull(env(sts, "DITTOFS_DATABASE_TYPE"), "SQLite in the volume without spec.database");

        Map<String, Integer> ports = Map.of("files-nfs", 12049, "files-smb", 12445, "files-api", 8080,
                "files-metrics", 9090, "files-headless", 12049);
        ports.forEach((name, port) -> {
            Service s = service(name);
            assertNotNull(s, name);
            assertControlledBy(d, s);
            assertEquals(port, s.getSpec().getPorts().getFirst().getPort(), name);
            assertEquals(Names.selector(d), s.getSpec().getSelector(), name);
        });
        assertEquals("None", service("files-headless").getSpec().getClusterIP());
        assertEquals("ClusterIP", service("files-nfs").getSpec().getType());
        assertEquals("ClientIP", service("files-nfs").getSpec().getSessionAffinity());

        Condition reconciled = Conditions.get(status, Conditions.RECONCILED);
        assertEquals("True", reconciled.getStatus());
        assertEquals(1L, status.getObservedGeneration());
        assertEquals("False", Conditions.get(status, Conditions.READY).getStatus(), "no pod is ready yet");
        DittoFS stored = client.resources(DittoFS.class).inNamespace(Fixtures.NS).withName("files").get();
        assertEquals("True", Conditions.get(stored.getStatus(), Conditions.RECONCILED).getStatus());
    }

    @Test
    void shouldRollPodsThroughConfigHashWhenConfigChanges() {
        create(Fixtures.dittofs("files"));
        reconcile("files");
        String before = configHash(sts("files"));

        edit("files", s -> s.setConfig(Fixtures.yaml("logging:\n  level: WARN\n")));
        DittoFSStatus status = reconcile("files");

        String file = configMap("files-config").getData().get("config.yaml");
        assertTrue(file.contains("level: WARN"), file);
        assertFalse(file.contains("shutdown_timeout"), file);
        String after = configHash(sts("files"));
        assertNotEquals(before, after);
        assertEquals(ConfigFile.sha256(file), after);
        assertEquals(after, status.getConfigHash());
        assertEquals(2L, status.getObservedGeneration());
    }

    @Test
    void shouldUpdateStatefulSetWhenReplicasOrImageChange() {
        create(Fixtures.dittofs("files"));
        reconcile("files");

        edit("files", s -> {
            s.setReplicas(3);
            s.setImage("registry.example/dittofs:0.2.0");
        });
        reconcile("files");

        StatefulSet sts = sts("files");
        assertEquals(3, sts.getSpec().getReplicas());
        assertEquals("registry.example/dittofs:0.2.0", container(sts).getImage());
    }

    @Test
    void shouldNotWriteChildrenWhenSpecIsUnchanged() throws InterruptedException {
        create(Fixtures.dittofs("files"));
        reconcile("files");
        while (server.takeRequest(1, TimeUnit.MILLISECONDS) != null) {
            // drop what the first reconciliation sent
        }

        DittoFS d = client.resources(DittoFS.class).inNamespace(Fixtures.NS).withName("files").get();
        reconciler.reconcile(d, client);

        List<String> writes = new ArrayList<>();
        for (RecordedRequest r; (r = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null; ) {
            if (!r.getMethod().equals("GET")) {
                writes.add(r.getMethod() + " " + r.getPath());
            }
        }
        assertEquals(List.of(), writes, "an unchanged spec writes nothing (only reads)");
    }

    @Test
    void shouldDeleteSmbServiceAndPortWhenSmbIsDisabled() {
        create(Fixtures.dittofs("files"));
        reconcile("files");
        assertNotNull(service("files-smb"));

        edit("files", s -> s.setSmbEnabled(false));
        reconcile("files");

        assertNull(service("files-smb"));
        assertNotNull(service("files-nfs"));
        StatefulSet sts = sts("files");
        assertEquals("false", env(sts, "DITTOFS_ADAPTERS_SMB_ENABLED").getValue());
        assertTrue(container(sts).getPorts().stream().noneMatch(p -> p.getName().equals("smb")));
    }

    @Test
    void shouldExposeNfsAndSmbWithServiceTypeAndKeepApiInternal() {
        DittoFS d = Fixtures.dittofs("files");
        d.getSpec().setServiceType(DittoFSSpec.ServiceType.LoadBalancer);
        create(d);
        reconcile("files");

        assertEquals("LoadBalancer", service("files-nfs").getSpec().getType());
        assertEquals("LoadBalancer", service("files-smb").getSpec().getType());
        assertEquals("ClusterIP", service("files-api").getSpec().getType());
        assertEquals("ClusterIP", service("files-metrics").getSpec().getType());
    }

    @Test
    void shouldReportSecretMissingAndWaitWhenSecretIsAbsent() {
        DittoFS d = Fixtures.dittofs("files");
        d.getSpec().setDatabase(new io.dittofs.operator.api.DatabaseSpec());
        d.getSpec().getDatabase().setHost("postgres.db");
        d.getSpec().getDatabase().setPasswordSecretRef(new io.dittofs.operator.api.SecretKeyRef("pg", "password"));
        create(d);
        DittoFS stored = client.resources(DittoFS.class).inNamespace(Fixtures.NS).withName("files").get();

        UpdateControl<DittoFS> control = reconciler.reconcile(stored, client);

        DittoFSStatus status = control.getResource().orElseThrow().getStatus();
        Condition reconciled = Conditions.get(status, Conditions.RECONCILED);
        assertEquals("False", reconciled.getStatus());
        assertEquals("SecretMissing", reconciled.getReason());
        assertTrue(reconciled.getMessage().contains("Secret pg not found"), reconciled.getMessage());
        assertEquals("2026-11-30T12:00:00Z", reconciled.getLastTransitionTime());
        assertEquals(DittoFSReconciler.SECRET_RETRY, control.getScheduleDelay().map(Duration::ofMillis).orElseThrow());
        assertNull(sts("files"), "pods without their Secret could not start");
        assertNotNull(configMap("files-config"));

        client.resource(Fixtures.secret("pg", "user", "dittofs")).create();
        status = reconcile("files");
        reconciled = Conditions.get(status, Conditions.RECONCILED);
        assertEquals("SecretMissing", reconciled.getReason());
        assertTrue(reconciled.getMessage().contains("Secret pg has no key password"), reconciled.getMessage());

        client.secrets().inNamespace(Fixtures.NS).withName("pg").delete();
        client.resource(Fixtures.secret("pg", "password", "pw")).create();
        status = reconcile("files");
        assertEquals("True", Conditions.get(status, Conditions.RECONCILED).getStatus());
        StatefulSet sts = sts("files");
        assertNotNull(sts);
        assertEquals("postgres", env(sts, "DITTOFS_DATABASE_TYPE").getValue());
        assertEquals("postgres.db", env(sts, "DITTOFS_DATABASE_POSTGRES_HOST").getValue());
        assertEquals("pg", env(sts, "DITTOFS_DATABASE_POSTGRES_PASSWORD").getValueFrom().getSecretKeyRef().getName());
    }

    @Test
    void shouldReportInvalidConfigWhenConfigHoldsSecretInClearText() {
        DittoFS d = Fixtures.dittofs("files");
        d.getSpec().setConfig(Fixtures.yaml("controlplane:\n  secret: 0123456789abcdef0123456789abcdef\n"));
        create(d);

        DittoFSStatus status = reconcile("files");

        Condition reconciled = Conditions.get(status, Conditions.RECONCILED);
        assertEquals("InvalidConfig", reconciled.getReason());
        assertTrue(reconciled.getMessage().contains("controlplane.secret"), reconciled.getMessage());
        assertNull(configMap("files-config"), "the secret never reaches a ConfigMap");
        assertNull(sts("files"));
    }

    @Test
    void shouldReportReadyWhenAllPodsOfStatefulSetAreReady() {
        create(Fixtures.dittofs("files"));
        reconcile("files");
        StatefulSet sts = sts("files");
        sts.setStatus(new StatefulSetStatusBuilder().withReplicas(2).withReadyReplicas(2).build());
        client.resource(sts).updateStatus();

        DittoFSStatus status = reconcile("files");

        assertEquals(2, status.getReadyReplicas());
        assertEquals(2, status.getReplicas());
        Condition ready = Conditions.get(status, Conditions.READY);
        assertEquals("True", ready.getStatus());
        assertEquals("PodsReady", ready.getReason());
    }

    @Test
    void shouldKeepClaimTemplateAndSaySoWhenStorageSizeChanges() {
        create(Fixtures.dittofs("files"));
        reconcile("files");

        edit("files", s -> s.getStorage().setSize("100Gi"));
        DittoFSStatus status = reconcile("files");

        PersistentVolumeClaim claim = sts("files").getSpec().getVolumeClaimTemplates().getFirst();
        assertEquals("50Gi", claim.getSpec().getResources().getRequests().get("storage").toString());
        Condition reconciled = Conditions.get(status, Conditions.RECONCILED);
        assertTrue(reconciled.getMessage().contains("stay at 50Gi"), reconciled.getMessage());
    }

    @Test
    void shouldRefuseToTouchObjectItDoesNotControl() {
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("files-config").withNamespace(Fixtures.NS)
                .endMetadata().addToData("config.yaml", "mine").build()).create();
        create(Fixtures.dittofs("files"));
        DittoFS stored = client.resources(DittoFS.class).inNamespace(Fixtures.NS).withName("files").get();

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> reconciler.reconcile(stored, client));

        assertTrue(e.getMessage().contains("ConfigMap files-config exists and is not controlled"), e.getMessage());
        assertEquals("mine", configMap("files-config").getData().get("config.yaml"));
    }
}
