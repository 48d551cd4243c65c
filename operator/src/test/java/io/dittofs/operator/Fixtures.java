package io.dittofs.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.dittofs.operator.api.DittoFS;
import io.dittofs.operator.api.DittoFSSpec;
import io.dittofs.operator.api.SecretKeyRef;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/** Resources the operator tests start from. Stateless. */
final class Fixtures {
    static final String NS = "storage";
    /** The CRD the build generated from the Java types (target/classes/META-INF/fabric8/). */
    static final Path GENERATED_CRD = Path.of("target/classes/META-INF/fabric8/dittofses.dittofs.io-v1.yml");

    private Fixtures() {
    }

    /** Installs the generated CRD in the mock API server, so the DittoFS status is a subresource there too. */
    static void installCrd(KubernetesClient client) {
        try (InputStream in = Files.newInputStream(GENERATED_CRD)) {
            CustomResourceDefinition crd = client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
            client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        } catch (IOException e) {
            throw new UncheckedIOException("run the build's process-test-classes phase first (it writes " + GENERATED_CRD + ")", e);
        }
    }

    /** A DittoFS with a config, a control-plane secret reference and a storage class. */
    static DittoFS dittofs(String name) {
        DittoFS d = new DittoFS();
        d.getMetadata().setName(name);
        d.getMetadata().setNamespace(NS);
        DittoFSSpec spec = new DittoFSSpec();
        spec.setImage("registry.example/dittofs:0.1.0");
        spec.setReplicas(2);
        spec.getStorage().setStorageClass("fast-ssd");
        spec.getStorage().setSize("50Gi");
        spec.setConfig(yaml("logging:\n  level: DEBUG\nserver:\n  shutdown_timeout: 20s\n"));
        spec.setControlPlaneSecretRef(new SecretKeyRef("dittofs-jwt", "secret"));
        d.setSpec(spec);
        return d;
    }

    static Secret secret(String name, String key, String value) {
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .addToData(key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)))
                .build();
    }

    static JsonNode yaml(String text) {
        try {
            return new YAMLMapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
