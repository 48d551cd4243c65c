package io.dittofs.operator;

import io.dittofs.operator.api.DittoFS;
import io.dittofs.operator.api.DittoFSStatus;
import io.dittofs.operator.api.StorageSpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Reconciles a {@link DittoFS} into its ConfigMap, Services and StatefulSet, and reports what it
 * found in the status. The children are watched (through their labels and controller reference),
 * so a deleted or edited child, or a pod becoming ready, brings the resource back here; deleting the
 * resource deletes the children through Kubernetes' garbage collector (owner references), while the
 * pods' data volumes stay (StatefulSet claims are kept by default).
 *
 * <p>When a referenced Secret or key is missing the StatefulSet is neither created nor changed
 * (its pods could not start); the {@code Reconciled} condition says which Secret, and the resource
 * is looked at again every {@link #SECRET_RETRY} until it is there.
 *
 * <p>Thread-safe: it keeps no state between calls (the SDK may reconcile different resources at once).
 */
@ControllerConfiguration(name = "dittofs")
public final class DittoFSReconciler implements Reconciler<DittoFS> {
    static final Duration SECRET_RETRY = Duration.ofSeconds(30);
    private static final String CHILD_SELECTOR = "app.kubernetes.io/managed-by=" + Names.MANAGED_BY;

    private final Clock clock;

    public DittoFSReconciler() {
        this(Clock.systemUTC());
    }

    DittoFSReconciler(Clock clock) {
        this.clock = clock;
    }

    @Override
    public UpdateControl<DittoFS> reconcile(DittoFS d, Context<DittoFS> context) {
        return reconcile(d, context.getClient());
    }

    /** One reconciliation against {@code client}; the returned control carries the new status. */
    UpdateControl<DittoFS> reconcile(DittoFS d, KubernetesClient client) {
        DittoFSStatus status = d.getStatus() != null ? d.getStatus() : new DittoFSStatus();
        d.setStatus(status);
        Long generation = d.getMetadata().getGeneration();
        status.setObservedGeneration(generation);
        ChildWriter writer = new ChildWriter(client, d);
        ConfigFile config;
        try {
            ServerEnv.check(d.getSpec());
            config = ConfigFile.render(d);
        } catch (InvalidSpecException e) {
            Conditions.set(status, Conditions.RECONCILED, false, "InvalidConfig", e.getMessage(), generation, clock);
            observe(d, current(client, d));
            return UpdateControl.patchStatus(d);
        }
        writer.apply(config.toConfigMap(d), (cur, des) -> { });
        for (Service s : DesiredServices.of(d)) {
            writer.apply(s, DittoFSReconciler::keepAllocated);
        }
        for (String name : DesiredServices.unwanted(d)) {
            writer.delete(Service.class, name);
        }
        List<String> missing = SecretCheck.missing(client, d);
        if (!missing.isEmpty()) {
            Conditions.set(status, Conditions.RECONCILED, false, "SecretMissing",
                    String.join("; ", missing) + " (the StatefulSet waits for it)", generation, clock);
            observe(d, current(client, d));
            return UpdateControl.patchStatus(d).rescheduleAfter(SECRET_RETRY);
        }
        StatefulSet sts = writer.apply(DesiredStatefulSet.of(d, config), DittoFSReconciler::keepImmutable);
        status.setConfigHash(config.hash());
        String storageNote = storageNote(d, sts);
        Conditions.set(status, Conditions.RECONCILED, true, "Applied",
                "StatefulSet, Services and ConfigMap match the spec" + storageNote, generation, clock);
        observe(d, sts);
        return UpdateControl.patchStatus(d);
    }

    @Override
    public ErrorStatusUpdateControl<DittoFS> updateErrorStatus(DittoFS d, Context<DittoFS> context, Exception e) {
        DittoFSStatus status = d.getStatus() != null ? d.getStatus() : new DittoFSStatus();
        d.setStatus(status);
        status.setObservedGeneration(d.getMetadata().getGeneration());
        Conditions.set(status, Conditions.RECONCILED, false, "Error", String.valueOf(e.getMessage()),
                d.getMetadata().getGeneration(), clock);
        return ErrorStatusUpdateControl.patchStatus(d);
    }

    @Override
    public List<EventSource<?, DittoFS>> prepareEventSources(EventSourceContext<DittoFS> context) {
        return List.of(
                new InformerEventSource<>(InformerEventSourceConfiguration.from(StatefulSet.class, DittoFS.class)
                        .withLabelSelector(CHILD_SELECTOR).build(), context),
                new InformerEventSource<>(InformerEventSourceConfiguration.from(Service.class, DittoFS.class)
                        .withLabelSelector(CHILD_SELECTOR).build(), context),
                new InformerEventSource<>(InformerEventSourceConfiguration.from(ConfigMap.class, DittoFS.class)
                        .withLabelSelector(CHILD_SELECTOR).build(), context));
    }

    private static StatefulSet current(KubernetesClient client, DittoFS d) {
        return client.apps().statefulSets().inNamespace(d.getMetadata().getNamespace())
                .withName(Names.statefulSet(d)).get();
    }

    /** Replicas and the {@code Ready} condition from the StatefulSet's status. */
    private void observe(DittoFS d, StatefulSet sts) {
        DittoFSStatus status = d.getStatus();
        int want = d.getSpec().getReplicas();
        int replicas = 0;
        int ready = 0;
        if (sts != null && sts.getStatus() != null) {
            replicas = Objects.requireNonNullElse(sts.getStatus().getReplicas(), 0);
            ready = Objects.requireNonNullElse(sts.getStatus().getReadyReplicas(), 0);
        }
        status.setReplicas(replicas);
        status.setReadyReplicas(ready);
        Long generation = d.getMetadata().getGeneration();
        if (sts == null) {
            Conditions.set(status, Conditions.READY, false, "NoStatefulSet", "no StatefulSet yet", generation, clock);
        } else if (ready >= want) {
            Conditions.set(status, Conditions.READY, true, "PodsReady", ready + "/" + want + " pods ready",
                    generation, clock);
        } else {
            Conditions.set(status, Conditions.READY, false, "PodsNotReady", ready + "/" + want + " pods ready",
                    generation, clock);
        }
    }

    /** Service fields the API server allocated: the cluster IPs, and node ports of ports that stay. */
    static void keepAllocated(Service current, Service desired) {
        if (desired.getSpec().getClusterIP() == null) {
            desired.getSpec().setClusterIP(current.getSpec().getClusterIP());
            desired.getSpec().setClusterIPs(current.getSpec().getClusterIPs());
        }
        if ("ClusterIP".equals(desired.getSpec().getType())) {
            return;
        }
        for (ServicePort p : desired.getSpec().getPorts()) {
            current.getSpec().getPorts().stream()
                    .filter(c -> p.getName().equals(c.getName()) && c.getNodePort() != null)
                    .findFirst().ifPresent(c -> p.setNodePort(c.getNodePort()));
        }
    }

    /** StatefulSet fields Kubernetes does not let change after creation. */
    static void keepImmutable(StatefulSet current, StatefulSet desired) {
        desired.getSpec().setSelector(current.getSpec().getSelector());
        desired.getSpec().setServiceName(current.getSpec().getServiceName());
        desired.getSpec().setPodManagementPolicy(current.getSpec().getPodManagementPolicy());
        desired.getSpec().setVolumeClaimTemplates(current.getSpec().getVolumeClaimTemplates());
    }

    /** A note when the spec asks for another data volume than the StatefulSet's (fixed) claim template. */
    private static String storageNote(DittoFS d, StatefulSet sts) {
        List<PersistentVolumeClaim> claims = sts.getSpec().getVolumeClaimTemplates();
        if (claims == null || claims.isEmpty()) {
            return "";
        }
        StorageSpec want = d.getSpec().getStorage() != null ? d.getSpec().getStorage() : new StorageSpec();
        PersistentVolumeClaim claim = claims.getFirst();
        Quantity held = claim.getSpec().getResources().getRequests().get("storage");
        Quantity asked = new Quantity(Objects.requireNonNullElse(want.getSize(), StorageSpec.DEFAULT_SIZE));
        boolean sameClass = want.getStorageClass() == null
                || want.getStorageClass().equals(claim.getSpec().getStorageClassName());
        if (sameClass && Objects.equals(held, asked)) {
            return "";
        }
        return "; the data volumes stay at " + held + " (class " + claim.getSpec().getStorageClassName()
                + "): Kubernetes does not change a StatefulSet's claim templates";
    }
}
