package io.dittofs.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/**
 * The data volume of each server pod (a PersistentVolumeClaim template of the StatefulSet).
 *
 * <p>Not thread-safe (a Jackson bean).
 */
public class StorageSpec {
    /** Size of a new claim when the resource names none. */
    public static final String DEFAULT_SIZE = "10Gi";

    @JsonPropertyDescription("StorageClass of the data volumes; unset: the cluster's default class. "
            + "Fixed once the StatefulSet exists (Kubernetes does not change claim templates)")
    private String storageClass;

    @Default(DEFAULT_SIZE)
    @Pattern("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$")
    @JsonPropertyDescription("size of each pod's data volume (/var/lib/dittofs: control-plane database, "
            + "metadata, blocks, WAL); fixed once the StatefulSet exists")
    private String size = DEFAULT_SIZE;

    public String getStorageClass() {
        return storageClass;
    }

    public void setStorageClass(String storageClass) {
        this.storageClass = storageClass;
    }

    public String getSize() {
        return size;
    }

    public void setSize(String size) {
        this.size = size;
    }
}
