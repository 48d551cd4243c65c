package io.dittofs.operator;

import io.dittofs.operator.api.DittoFS;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Services of one {@link DittoFS}: NFS (12049, NFSv3 + MOUNT), SMB (12445, only with {@code
 * smbEnabled}) of {@code spec.serviceType} with client-IP affinity (a client keeps talking to the
 * same server); the control-plane API (8080) and Prometheus metrics (9090) as ClusterIP; and the
 * headless Service that governs the StatefulSet's pod names.
 *
 * <p>Stateless; thread-safe.
 */
final class DesiredServices {
    static final String NFS = "nfs";
    static final String SMB = "smb";
    static final String API = "api";
    static final String METRICS = "metrics";

    private DesiredServices() {
    }

    /** The Services {@code d} wants now. */
    static List<Service> of(DittoFS d) {
        String exposed = d.getSpec().getServiceType().name();
        List<Service> services = new ArrayList<>();
        services.add(headless(d));
        services.add(service(d, NFS, Names.NFS_PORT, exposed, true, Map.of()));
        if (d.getSpec().isSmbEnabled()) {
            services.add(service(d, SMB, Names.SMB_PORT, exposed, true, Map.of()));
        }
        services.add(service(d, API, Names.API_PORT, "ClusterIP", false, Map.of()));
        services.add(service(d, METRICS, Names.METRICS_PORT, "ClusterIP", false, Map.of(
                "prometheus.io/scrape", "true",
                "prometheus.io/port", Integer.toString(Names.METRICS_PORT),
                "prometheus.io/path", "/metrics")));
        return services;
    }

    /** Names of the Services {@code d} may own but does not want now (SMB when it is off). */
    static List<String> unwanted(DittoFS d) {
        return d.getSpec().isSmbEnabled() ? List.of() : List.of(Names.service(d, SMB));
    }

    private static Service service(DittoFS d, String what, int port, String type, boolean affinity,
            Map<String, String> annotations) {
        ServiceBuilder b = new ServiceBuilder()
                .withMetadata(Names.meta(d, Names.service(d, what)))
                .editMetadata().withAnnotations(annotations.isEmpty() ? null : annotations).endMetadata()
                .withNewSpec()
                    .withType(type)
                    .withSelector(Names.selector(d))
                    .withPorts(new ServicePortBuilder().withName(what).withPort(port)
                            .withTargetPort(new IntOrString(what)).withProtocol("TCP").build())
                .endSpec();
        if (affinity) {
            b.editSpec().withSessionAffinity("ClientIP").endSpec();
        }
        return b.build();
    }

    private static Service headless(DittoFS d) {
        return new ServiceBuilder()
                .withMetadata(Names.meta(d, Names.headless(d)))
                .withNewSpec()
                    .withClusterIP("None")
                    .withSelector(Names.selector(d))
                    .withPublishNotReadyAddresses(true)
                    .withPorts(new ServicePortBuilder().withName(NFS).withPort(Names.NFS_PORT)
                            .withTargetPort(new IntOrString(NFS)).withProtocol("TCP").build())
                .endSpec()
                .build();
    }
}
