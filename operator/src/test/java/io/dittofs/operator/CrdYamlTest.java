package io.dittofs.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CrdYamlTest {
    /** The copy users apply ({@code kubectl apply -f docker/k8s/}). */
    static final Path CHECKED_IN = Path.of("../docker/k8s/crd.yaml");

    @Test
    void shouldMatchCheckedInCopyWhenGeneratedFromJavaTypes() throws IOException {
        assertTrue(Files.isRegularFile(Fixtures.GENERATED_CRD), "the build generates " + Fixtures.GENERATED_CRD);
        assertEquals(Files.readString(Fixtures.GENERATED_CRD), Files.readString(CHECKED_IN),
                "docker/k8s/crd.yaml is stale; after changing the DittoFS types run "
                        + "`./mvnw -pl operator process-test-classes` and "
                        + "`cp operator/" + Fixtures.GENERATED_CRD + " docker/k8s/crd.yaml`");
    }
}
