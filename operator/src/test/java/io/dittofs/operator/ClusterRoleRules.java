package io.dittofs.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The rules of the operator's ClusterRole in {@code docker/k8s/operator.yaml}, and the RBAC
 * attributes (API group, resource, verb) of an HTTP request to the API server, as Kubernetes'
 * authorizer derives them. Immutable; thread-safe.
 */
final class ClusterRoleRules {
    static final Path OPERATOR_YAML = Path.of("../docker/k8s/operator.yaml");

    /** What RBAC checks for one request. */
    record Attributes(String group, String resource, String verb) { }

    private final List<PolicyRule> rules;

    private ClusterRoleRules(List<PolicyRule> rules) {
        this.rules = rules;
    }

    static List<HasMetadata> manifests(KubernetesClient client, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return client.load(in).items();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ClusterRoleRules of(KubernetesClient client) {
        ClusterRole role = manifests(client, OPERATOR_YAML).stream()
                .filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast).findFirst().orElseThrow();
        return new ClusterRoleRules(role.getRules());
    }

    boolean allows(Attributes a) {
        return rules.stream().anyMatch(r -> r.getApiGroups().contains(a.group())
                && r.getResources().contains(a.resource()) && r.getVerbs().contains(a.verb()));
    }

    /** The attributes of {@code method} on {@code pathAndQuery} (e.g. {@code GET /api/v1/namespaces/n/secrets/s}). */
    static Attributes attributes(String method, String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        String query = q < 0 ? "" : pathAndQuery.substring(q + 1);
        String[] seg = path.replaceFirst("^/", "").split("/");
        String group;
        int rest;
        if (seg[0].equals("api")) {
            group = "";
            rest = 2;
        } else {
            group = seg[1];
            rest = 3;
        }
        if (seg.length > rest + 2 && seg[rest].equals("namespaces")) {
            rest += 2;
        }
        String resource = seg[rest];
        String name = seg.length > rest + 1 ? seg[rest + 1] : null;
        if (seg.length > rest + 2) {
            resource += "/" + seg[rest + 2];
        }
        boolean watch = query.matches("(.*&)?watch=(true|1)(&.*)?");
        String verb = switch (method) {
            case "GET" -> watch ? "watch" : name == null ? "list" : "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name == null ? "deletecollection" : "delete";
            default -> throw new IllegalArgumentException(method);
        };
        return new Attributes(group, resource, verb);
    }
}
