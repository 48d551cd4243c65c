package io.dittofs.operator;

import io.dittofs.operator.api.DittoFS;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Names, labels, ports and owner references of the objects made for one {@link DittoFS}: the
 * StatefulSet is named like the resource, the others add a suffix ({@code -config}, {@code -nfs},
 * {@code -smb}, {@code -api}, {@code -metrics}, {@code -headless}).
 *
 * <p>Stateless; thread-safe.
 */
final class Names {
    static final int NFS_PORT = 12049;
    static final int SMB_PORT = 12445;
    static final int API_PORT = 8080;
    static final int METRICS_PORT = 9090;
    /** Where the ConfigMap is mounted; the config file is {@code CONFIG_DIR/CONFIG_FILE} ({@code DITTOFS_CONFIG}). */
    static final String CONFIG_DIR = "/etc/dittofs";
    static final String CONFIG_FILE = "config.yaml";
    /** The image's data directory ({@code --data-dir} of its command), the mount point of the data volume. */
    static final String DATA_DIR = "/var/lib/dittofs";
    /** Pod-template annotation whose change rolls the pods when the config file changes. */
    static final String CONFIG_HASH = "dittofs.io/config-hash";
    /** Hash of what the operator last wrote into a child; an equal hash means nothing to write. */
    static final String APPLIED_HASH = "dittofs.io/applied-hash";
    static final String MANAGED_BY = "dittofs-operator";
    /** uid and gid of the user {@code dittofs} in the image (docker/Dockerfile). */
    static final long IMAGE_UID = 10001L;

    private Names() {
    }

    static String statefulSet(DittoFS d) {
        return d.getMetadata().getName();
    }

    static String configMap(DittoFS d) {
        return d.getMetadata().getName() + "-config";
    }

    static String headless(DittoFS d) {
        return d.getMetadata().getName() + "-headless";
    }

    static String service(DittoFS d, String what) {
        return d.getMetadata().getName() + "-" + what;
    }

    /** The labels that select the pods of one resource. */
    static Map<String, String> selector(DittoFS d) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("app.kubernetes.io/name", "dittofs");
        m.put("app.kubernetes.io/instance", d.getMetadata().getName());
        return m;
    }

    /** The labels of every object the operator makes. */
    static Map<String, String> labels(DittoFS d) {
        Map<String, String> m = selector(d);
        m.put("app.kubernetes.io/managed-by", MANAGED_BY);
        return m;
    }

    /** Metadata of a child: its name, the resource's namespace, the labels and the controller owner reference. */
    static ObjectMeta meta(DittoFS d, String name) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(d.getMetadata().getNamespace())
                .withLabels(labels(d))
                .withOwnerReferences(owner(d))
                .build();
    }

    /**
     * The controller reference to {@code d}: Kubernetes' garbage collector deletes the child when
     * the DittoFS resource is deleted, and the operator's informers map the child back to it.
     */
    static OwnerReference owner(DittoFS d) {
        return new OwnerReferenceBuilder()
                .withApiVersion(HasMetadata.getApiVersion(DittoFS.class))
                .withKind(HasMetadata.getKind(DittoFS.class))
                .withName(d.getMetadata().getName())
                .withUid(d.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    /** Whether {@code child} is controlled by {@code d} (same uid). */
    static boolean ownedBy(HasMetadata child, DittoFS d) {
        return child.getMetadata().getOwnerReferences().stream()
                .anyMatch(o -> Boolean.TRUE.equals(o.getController()) && d.getMetadata().getUid().equals(o.getUid()));
    }
}
