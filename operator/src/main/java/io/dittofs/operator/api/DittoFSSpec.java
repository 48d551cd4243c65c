package io.dittofs.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/**
 * What the user asks for: the servers' image and count, their data volumes, the server's config
 * file, the Secrets holding credentials, SMB on or off and how the Services are exposed.
 *
 * <p>Not thread-safe (a Jackson bean).
 */
public class DittoFSSpec {
    /** Exposure of the NFS and SMB Services (the API and metrics Services are always ClusterIP). */
    public enum ServiceType { ClusterIP, NodePort, LoadBalancer }

    @Required
    @PrinterColumn(name = "Image", priority = 1)
    @JsonPropertyDescription("the DittoFS server image (built from docker/Dockerfile)")
    private String image;

    @JsonPropertyDescription("image pull policy (Always, IfNotPresent, Never); unset: Kubernetes' default")
    private String imagePullPolicy;

    @Default("1")
    @Min(0)
    @PrinterColumn(name = "Replicas")
    @JsonPropertyDescription("number of server pods; each has its own data volume and, without `database`, "
            + "its own control plane")
    private int replicas = 1;

    @JsonPropertyDescription("each pod's data volume")
    private StorageSpec storage = new StorageSpec();

    @PreserveUnknownFields
    @JsonPropertyDescription("the server's config.yaml as a YAML mapping (logging, server, adapters, telemetry, "
            + "cache, ...); ports, listen addresses and metrics are set by the operator, and secrets "
            + "(controlplane.secret, database.postgres.password, storage.default.s3.secret_key) belong in "
            + "the *SecretRef fields")
    private JsonNode config;

    @JsonPropertyDescription("Secret key holding the control-plane JWT secret (at least 32 characters, "
            + "DITTOFS_CONTROLPLANE_SECRET); unset: each server generates one in its data volume")
    private SecretKeyRef controlPlaneSecretRef;

    @JsonPropertyDescription("control-plane database in PostgreSQL; unset: SQLite in each pod's data volume")
    private DatabaseSpec database;

    @JsonPropertyDescription("the default share's blocks in S3; unset: files in each pod's data volume")
    private S3Spec s3;

    @Default("true")
    @JsonPropertyDescription("serve SMB2/3 on port 12445 (and create its Service)")
    private boolean smbEnabled = true;

    @Default("ClusterIP")
    @JsonPropertyDescription("type of the NFS and SMB Services")
    private ServiceType serviceType = ServiceType.ClusterIP;

    @JsonPropertyDescription("CPU and memory of the server container")
    private ResourceRequirements resources;

    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }

    public String getImagePullPolicy() {
        return imagePullPolicy;
    }

    public void setImagePullPolicy(String imagePullPolicy) {
        this.imagePullPolicy = imagePullPolicy;
    }

    public int getReplicas() {
        return replicas;
    }

    public void setReplicas(int replicas) {
        this.replicas = replicas;
    }

    public StorageSpec getStorage() {
        return storage;
    }

    public void setStorage(StorageSpec storage) {
        this.storage = storage;
    }

    public JsonNode getConfig() {
        return config;
    }

    public void setConfig(JsonNode config) {
        this.config = config;
    }

    public SecretKeyRef getControlPlaneSecretRef() {
        return controlPlaneSecretRef;
    }

    public void setControlPlaneSecretRef(SecretKeyRef controlPlaneSecretRef) {
        this.controlPlaneSecretRef = controlPlaneSecretRef;
    }

    public DatabaseSpec getDatabase() {
        return database;
    }

    public void setDatabase(DatabaseSpec database) {
        this.database = database;
    }

    public S3Spec getS3() {
        return s3;
    }

    public void setS3(S3Spec s3) {
        this.s3 = s3;
    }

    public boolean isSmbEnabled() {
        return smbEnabled;
    }

    public void setSmbEnabled(boolean smbEnabled) {
        this.smbEnabled = smbEnabled;
    }

    public ServiceType getServiceType() {
        return serviceType;
    }

    public void setServiceType(ServiceType serviceType) {
        this.serviceType = serviceType;
    }

    public ResourceRequirements getResources() {
        return resources;
    }

    public void setResources(ResourceRequirements resources) {
        this.resources = resources;
    }
}
