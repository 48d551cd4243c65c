package io.dittofs.operator;

import io.dittofs.operator.api.DatabaseSpec;
import io.dittofs.operator.api.DittoFSSpec;
import io.dittofs.operator.api.S3Spec;
import io.dittofs.operator.api.SecretKeyRef;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * The server container's {@code DITTOFS_*} variables (names as the server reads them: {@code
 * DITTOFS_} + the config key path upper-cased, dots as underscores). They win over the config
 * file, so the ports and listen addresses the Services point at are always the ones served.
 * Credentials come from Secrets through {@code secretKeyRef}, never as literal values.
 *
 * <p>Stateless; thread-safe.
 */
final class ServerEnv {
    private ServerEnv() {
    }

    /** The variables for {@code spec}; {@link #check} must have accepted it. */
    static List<EnvVar> of(DittoFSSpec spec) {
        List<EnvVar> env = new ArrayList<>();
        add(env, "DITTOFS_CONFIG", Names.CONFIG_DIR + "/" + Names.CONFIG_FILE);
        add(env, "DITTOFS_ADAPTERS_NFS_PORT", Integer.toString(Names.NFS_PORT));
        add(env, "DITTOFS_ADAPTERS_NFS_BIND", "0.0.0.0");
        add(env, "DITTOFS_ADAPTERS_SMB_ENABLED", Boolean.toString(spec.isSmbEnabled()));
        add(env, "DITTOFS_ADAPTERS_SMB_PORT", Integer.toString(Names.SMB_PORT));
        add(env, "DITTOFS_CONTROLPLANE_PORT", Integer.toString(Names.API_PORT));
        add(env, "DITTOFS_CONTROLPLANE_BIND", "0.0.0.0");
        add(env, "DITTOFS_METRICS_ENABLED", "true");
        add(env, "DITTOFS_METRICS_PORT", Integer.toString(Names.METRICS_PORT));
        if (spec.getControlPlaneSecretRef() != null) {
            fromSecret(env, "DITTOFS_CONTROLPLANE_SECRET", spec.getControlPlaneSecretRef());
        }
        DatabaseSpec db = spec.getDatabase();
        if (db != null) {
            add(env, "DITTOFS_DATABASE_TYPE", "postgres");
            add(env, "DITTOFS_DATABASE_POSTGRES_HOST", db.getHost());
            add(env, "DITTOFS_DATABASE_POSTGRES_PORT", Integer.toString(db.getPort()));
            add(env, "DITTOFS_DATABASE_POSTGRES_USER", db.getUser());
            add(env, "DITTOFS_DATABASE_POSTGRES_DBNAME", db.getDbname());
            if (db.getPasswordSecretRef() != null) {
                fromSecret(env, "DITTOFS_DATABASE_POSTGRES_PASSWORD", db.getPasswordSecretRef());
            }
            if (db.isMetadata()) {
                add(env, "DITTOFS_STORAGE_DEFAULT_METADATA", "postgres");
            }
        }
        S3Spec s3 = spec.getS3();
        if (s3 != null) {
            add(env, "DITTOFS_STORAGE_DEFAULT_BLOCKS", "s3");
            add(env, "DITTOFS_STORAGE_DEFAULT_S3_BUCKET", s3.getBucket());
            add(env, "DITTOFS_STORAGE_DEFAULT_S3_REGION", s3.getRegion());
            if (s3.getEndpoint() != null) {
                add(env, "DITTOFS_STORAGE_DEFAULT_S3_ENDPOINT", s3.getEndpoint());
            }
            if (s3.getPrefix() != null) {
                add(env, "DITTOFS_STORAGE_DEFAULT_S3_PREFIX", s3.getPrefix());
            }
            if (s3.getAccessKeySecretRef() != null) {
                fromSecret(env, "DITTOFS_STORAGE_DEFAULT_S3_ACCESS_KEY", s3.getAccessKeySecretRef());
                fromSecret(env, "DITTOFS_STORAGE_DEFAULT_S3_SECRET_KEY", s3.getSecretKeySecretRef());
            }
        }
        return env;
    }

    /** Every Secret key {@code spec} refers to. */
    static List<SecretKeyRef> secretRefs(DittoFSSpec spec) {
        List<SecretKeyRef> refs = new ArrayList<>();
        addRef(refs, spec.getControlPlaneSecretRef());
        if (spec.getDatabase() != null) {
            addRef(refs, spec.getDatabase().getPasswordSecretRef());
        }
        if (spec.getS3() != null) {
            addRef(refs, spec.getS3().getAccessKeySecretRef());
            addRef(refs, spec.getS3().getSecretKeySecretRef());
        }
        return refs;
    }

    /** Rejects what the CRD schema cannot: a spec the server would refuse or misread. */
    static void check(DittoFSSpec spec) throws InvalidSpecException {
        if (spec.getImage() == null || spec.getImage().isBlank()) {
            throw new InvalidSpecException("spec.image is required");
        }
        S3Spec s3 = spec.getS3();
        if (s3 != null && (s3.getAccessKeySecretRef() == null) != (s3.getSecretKeySecretRef() == null)) {
            throw new InvalidSpecException("spec.s3.accessKeySecretRef and spec.s3.secretKeySecretRef go together");
        }
        if (s3 != null && (s3.getBucket() == null || s3.getBucket().isBlank())) {
            throw new InvalidSpecException("spec.s3.bucket is required");
        }
        if (spec.getDatabase() != null && (spec.getDatabase().getHost() == null || spec.getDatabase().getHost().isBlank())) {
            throw new InvalidSpecException("spec.database.host is required");
        }
        for (SecretKeyRef ref : secretRefs(spec)) {
            if (ref.getName() == null || ref.getName().isBlank() || ref.getKey() == null || ref.getKey().isBlank()) {
                throw new InvalidSpecException("a Secret reference needs a name and a key");
            }
        }
    }

    private static void addRef(List<SecretKeyRef> refs, SecretKeyRef ref) {
        if (ref != null) {
            refs.add(ref);
        }
    }

    private static void add(List<EnvVar> env, String name, String value) {
        env.add(new EnvVarBuilder().withName(name).withValue(value).build());
    }

    private static void fromSecret(List<EnvVar> env, String name, SecretKeyRef ref) {
        env.add(new EnvVarBuilder().withName(name)
                .withNewValueFrom().withNewSecretKeyRef().withName(ref.getName()).withKey(ref.getKey()).endSecretKeyRef()
                .endValueFrom().build());
    }
}
