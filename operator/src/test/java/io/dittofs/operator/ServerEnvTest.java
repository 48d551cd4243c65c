package io.dittofs.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dittofs.operator.api.DatabaseSpec;
import io.dittofs.operator.api.DittoFS;
import io.dittofs.operator.api.S3Spec;
import io.dittofs.operator.api.SecretKeyRef;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The operator's variables against the keys the server knows. The operator does not depend on the
 * server's modules, so the test reads the server's key table ({@code ConfigKey.java}) as text.
 */
class ServerEnvTest {
    static final Path CONFIG_KEYS = Path.of("../controlplane/src/main/java/io/dittofs/controlplane/config/ConfigKey.java");
    /** {@code NAME("dotted.path", Type.KIND, ...} */
    private static final Pattern KEY = Pattern.compile("[A-Z0-9_]+\\(\"([a-z0-9_.]+)\",\\s*Type\\.([A-Z_]+)");

    /** Dotted path of every key of the server, with its type. */
    private static Map<String, String> serverKeys() throws IOException {
        Matcher m = KEY.matcher(Files.readString(CONFIG_KEYS));
        Map<String, String> keys = new java.util.HashMap<>();
        while (m.find()) {
            keys.put(m.group(1), m.group(2));
        }
        assertTrue(keys.size() > 30, "parsed the server's key table: " + keys.keySet());
        return keys;
    }

    private static DittoFS everything() {
        DittoFS d = Fixtures.dittofs("files");
        DatabaseSpec db = new DatabaseSpec();
        db.setHost("pg");
        db.setPasswordSecretRef(new SecretKeyRef("pg", "password"));
        db.setMetadata(true);
        d.getSpec().setDatabase(db);
        S3Spec s3 = new S3Spec();
        s3.setBucket("b");
        s3.setEndpoint("http://s3:9090");
        s3.setPrefix("p");
        s3.setAccessKeySecretRef(new SecretKeyRef("s3", "access_key"));
        s3.setSecretKeySecretRef(new SecretKeyRef("s3", "secret_key"));
        d.getSpec().setS3(s3);
        return d;
    }

    @Test
    void shouldSetOnlyVariablesTheServerReadsWhenEverySpecFieldIsSet() throws IOException {
        Set<String> known = serverKeys().keySet().stream()
                .map(p -> "DITTOFS_" + p.toUpperCase(Locale.ROOT).replace('.', '_'))
                .collect(Collectors.toCollection(TreeSet::new));
        known.add("DITTOFS_CONFIG"); // the config file's path (ConfigFiles), not a key

        Set<String> unknown = new TreeSet<>();
        for (EnvVar e : ServerEnv.of(everything().getSpec())) {
            if (!known.contains(e.getName())) {
                unknown.add(e.getName());
            }
        }

        assertEquals(Set.of(), unknown, "variables the server does not read");
        Set<String> fromSecrets = ServerEnv.of(everything().getSpec()).stream()
                .filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                .map(EnvVar::getName).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("DITTOFS_CONTROLPLANE_SECRET", "DITTOFS_DATABASE_POSTGRES_PASSWORD",
                "DITTOFS_STORAGE_DEFAULT_S3_ACCESS_KEY", "DITTOFS_STORAGE_DEFAULT_S3_SECRET_KEY"), fromSecrets);
    }

    @Test
    void shouldRefuseInConfigExactlyTheKeysTheServerTreatsAsSecrets() throws IOException {
        Set<String> secrets = serverKeys().entrySet().stream().filter(e -> e.getValue().equals("SECRET"))
                .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));

        assertEquals(secrets, new TreeSet<>(ConfigFile.SECRET_KEYS));
    }
}
