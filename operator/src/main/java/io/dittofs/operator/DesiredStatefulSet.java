package io.dittofs.operator;

import io.dittofs.operator.api.DittoFS;
import io.dittofs.operator.api.DittoFSSpec;
import io.dittofs.operator.api.StorageSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The StatefulSet of one {@link DittoFS}: {@code spec.replicas} pods of the server image, each with
 * its own data volume from a claim template (mounted at the image's data directory), the
 * ConfigMap as {@code /etc/dittofs/config.yaml}, the {@link ServerEnv} variables, health probes on
 * the API's {@code /health} endpoints, and the config hash as a pod annotation.
 *
 * <p>Stateless; thread-safe.
 */
final class DesiredStatefulSet {
    static final String CONTAINER = "dittofs";
    static final String DATA_VOLUME = "data";
    static final String CONFIG_VOLUME = "config";

    private DesiredStatefulSet() {
    }

    static StatefulSet of(DittoFS d, ConfigFile config) {
        DittoFSSpec spec = d.getSpec();
        return new StatefulSetBuilder()
                .withMetadata(Names.meta(d, Names.statefulSet(d)))
                .withNewSpec()
                    .withReplicas(spec.getReplicas())
                    .withServiceName(Names.headless(d))
                    .withPodManagementPolicy("Parallel")
                    .withNewSelector().withMatchLabels(Names.selector(d)).endSelector()
                    .withNewUpdateStrategy().withType("RollingUpdate").endUpdateStrategy()
                    .withNewTemplate()
                        .withNewMetadata()
                            .withLabels(Names.labels(d))
                            .withAnnotations(Map.of(Names.CONFIG_HASH, config.hash()))
                        .endMetadata()
                        .withNewSpec()
                            .withTerminationGracePeriodSeconds(45L)
                            .withNewSecurityContext()
                                .withRunAsNonRoot(true)
                                .withRunAsUser(Names.IMAGE_UID)
                                .withRunAsGroup(Names.IMAGE_UID)
                                .withFsGroup(Names.IMAGE_UID)
                                .withFsGroupChangePolicy("OnRootMismatch")
                            .endSecurityContext()
                            .withContainers(container(d))
                            .addNewVolume()
                                .withName(CONFIG_VOLUME)
                                .withNewConfigMap().withName(Names.configMap(d)).endConfigMap()
                            .endVolume()
                        .endSpec()
                    .endTemplate()
                    .withVolumeClaimTemplates(claim(d))
                .endSpec()
                .build();
    }

    private static Container container(DittoFS d) {
        DittoFSSpec spec = d.getSpec();
        return new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(spec.getImage())
                .withImagePullPolicy(spec.getImagePullPolicy())
                .withPorts(ports(spec))
                .withEnv(ServerEnv.of(spec))
                .withResources(spec.getResources())
                .addNewVolumeMount().withName(DATA_VOLUME).withMountPath(Names.DATA_DIR).endVolumeMount()
                .addNewVolumeMount().withName(CONFIG_VOLUME).withMountPath(Names.CONFIG_DIR).withReadOnly(true)
                    .endVolumeMount()
                // WAL replay and store conversion at start may take a while: 5 minutes before liveness counts
                .withStartupProbe(probe("/health", 5, 60))
                .withLivenessProbe(probe("/health", 10, 6))
                .withReadinessProbe(probe("/health/ready", 10, 3))
                .withNewSecurityContext()
                    .withAllowPrivilegeEscalation(false)
                    .withNewCapabilities().withDrop("ALL").endCapabilities()
                .endSecurityContext()
                .build();
    }

    private static List<ContainerPort> ports(DittoFSSpec spec) {
        List<ContainerPort> ports = new ArrayList<>();
        ports.add(port("nfs", Names.NFS_PORT));
        if (spec.isSmbEnabled()) {
            ports.add(port("smb", Names.SMB_PORT));
        }
        ports.add(port("api", Names.API_PORT));
        ports.add(port("metrics", Names.METRICS_PORT));
        return ports;
    }

    private static ContainerPort port(String name, int port) {
        return new ContainerPortBuilder().withName(name).withContainerPort(port).withProtocol("TCP").build();
    }

    private static Probe probe(String path, int periodSeconds, int failureThreshold) {
        return new ProbeBuilder()
                .withNewHttpGet().withPath(path).withPort(new IntOrString("api")).endHttpGet()
                .withPeriodSeconds(periodSeconds)
                .withTimeoutSeconds(5)
                .withFailureThreshold(failureThreshold)
                .build();
    }

    private static PersistentVolumeClaim claim(DittoFS d) {
        StorageSpec storage = d.getSpec().getStorage() != null ? d.getSpec().getStorage() : new StorageSpec();
        String size = storage.getSize() != null ? storage.getSize() : StorageSpec.DEFAULT_SIZE;
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName(DATA_VOLUME).withLabels(Names.labels(d)).endMetadata()
                .withNewSpec()
                    .withAccessModes("ReadWriteOnce")
                    .withStorageClassName(storage.getStorageClass())
                    .withNewResources().addToRequests("storage", new Quantity(size)).endResources()
                .endSpec()
                .build();
    }
}
