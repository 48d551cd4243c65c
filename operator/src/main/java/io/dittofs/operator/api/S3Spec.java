package io.dittofs.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;

/**
 * The default share's blocks in S3 ({@code storage.default.blocks=s3}, behind the WAL cache in the
 * data volume); read by the server on its first start only.
 *
 * <p>Not thread-safe (a Jackson bean).
 */
public class S3Spec {
    @Required
    @JsonPropertyDescription("bucket (DITTOFS_STORAGE_DEFAULT_S3_BUCKET)")
    private String bucket;

    @Default("us-east-1")
    @JsonPropertyDescription("region")
    private String region = "us-east-1";

    @JsonPropertyDescription("URL of an S3-compatible server (path-style); unset: AWS")
    private String endpoint;

    @JsonPropertyDescription("key prefix in the bucket")
    private String prefix;

    @JsonPropertyDescription("Secret key holding the access key id; unset (with secretKeySecretRef): "
            + "the AWS default credentials chain (e.g. a service-account role)")
    private SecretKeyRef accessKeySecretRef;

    @JsonPropertyDescription("Secret key holding the secret access key")
    private SecretKeyRef secretKeySecretRef;

    public String getBucket() {
        return bucket;
    }

    public void setBucket(String bucket) {
        this.bucket = bucket;
    }

    public String getRegion() {
        return region;
    }

    public void setRegion(String region) {
        this.region = region;
    }

    public String getEndpoint() {
        return endpoint;
    }

    public void setEndpoint(String endpoint) {
        this.endpoint = endpoint;
    }

    public String getPrefix() {
        return prefix;
    }

    public void setPrefix(String prefix) {
        this.prefix = prefix;
    }

    public SecretKeyRef getAccessKeySecretRef() {
        return accessKeySecretRef;
    }

    public void setAccessKeySecretRef(SecretKeyRef accessKeySecretRef) {
        this.accessKeySecretRef = accessKeySecretRef;
    }

    public SecretKeyRef getSecretKeySecretRef() {
        return secretKeySecretRef;
    }

    public void setSecretKeySecretRef(SecretKeyRef secretKeySecretRef) {
        this.secretKeySecretRef = secretKeySecretRef;
    }
}
