package io.dittofs.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.dittofs.operator.api.DittoFS;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.javaoperatorsdk.operator.Operator;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The operator as the image runs it ({@link OperatorMain#create}: the SDK, its informers, status
 * patches) against the mock API server, through a client of its own so that its requests can be
 * told from the test's.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class OperatorTest {
    private static final String OPERATOR_AGENT = "dittofs-operator-under-test";

    KubernetesClient client;
    KubernetesMockServer server;

    private static <T> T await(String what, Supplier<T> read, Predicate<T> done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        T last = null;
        while (System.nanoTime() < deadline) {
            last = read.get();
            if (last != null && done.test(last)) {
                return last;
            }
            Thread.sleep(50);
        }
        fail("timed out waiting for " + what + "; last seen: " + last);
        return null;
    }

    private DittoFS dittofs() {
        return client.resources(DittoFS.class).inNamespace(Fixtures.NS).withName("files").get();
    }

    private StatefulSet sts() {
        return client.apps().statefulSets().inNamespace(Fixtures.NS).withName("files").get();
    }

    private Service service(String name) {
        return client.services().inNamespace(Fixtures.NS).withName(name).get();
    }

    private static boolean reconciledAt(DittoFS d, long generation) {
        if (d.getStatus() == null || d.getStatus().getObservedGeneration() == null) {
            return false;
        }
        Condition c = Conditions.get(d.getStatus(), Conditions.RECONCILED);
        return d.getStatus().getObservedGeneration() == generation && c != null && "True".equals(c.getStatus());
    }

    /** Create, change (replicas, config, SMB off), and a deleted child; returns the StatefulSets seen before and after. */
    private StatefulSet[] runScenario() throws InterruptedException {
        Fixtures.installCrd(client);
        client.resource(Fixtures.secret("dittofs-jwt", "secret", "0123456789abcdef0123456789abcdef")).create();
        KubernetesClient own = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(client.getConfiguration()).withUserAgent(OPERATOR_AGENT).build()).build();
        Operator operator = OperatorMain.create(own);
        operator.start();
        try {
            client.resource(Fixtures.dittofs("files")).create();
            StatefulSet created = await("the StatefulSet", this::sts, s -> true);
            await("status of generation 1", this::dittofs, d -> reconciledAt(d, 1));

            client.resources(DittoFS.class).inNamespace(Fixtures.NS).withName("files").edit(d -> {
                d.getSpec().setReplicas(3);
                d.getSpec().setConfig(Fixtures.yaml("logging:\n  level: WARN\n"));
                d.getSpec().setSmbEnabled(false);
                return d;
            });
            StatefulSet changed = await("3 replicas", this::sts, s -> s.getSpec().getReplicas() == 3);
            await("status of generation 2", this::dittofs, d -> reconciledAt(d, 2));
            await("no SMB Service", () -> service("files-smb") == null ? "gone" : null, s -> true);

            client.services().inNamespace(Fixtures.NS).withName("files-api").delete();
            await("the API Service again", () -> service("files-api"), s -> true);
            return new StatefulSet[] {created, changed};
        } finally {
            operator.stop();
            own.close();
        }
    }

    @Test
    @Timeout(120)
    void shouldCreateUpdateAndRecreateChildrenWhenOperatorRuns() throws InterruptedException {
        StatefulSet[] seen = runScenario();

        assertEquals(2, seen[0].getSpec().getReplicas());
        assertNotEquals(seen[0].getSpec().getTemplate().getMetadata().getAnnotations().get(Names.CONFIG_HASH),
                seen[1].getSpec().getTemplate().getMetadata().getAnnotations().get(Names.CONFIG_HASH),
                "a config change rolls the pods");
        assertEquals(8080, service("files-api").getSpec().getPorts().getFirst().getPort());
        assertEquals("True", Conditions.get(dittofs().getStatus(), Conditions.RECONCILED).getStatus());
    }

    @Test
    @Timeout(120)
    void shouldMakeOnlyCallsItsClusterRoleGrantsWhenOperatorRuns() throws InterruptedException {
        runScenario();

        ClusterRoleRules role = ClusterRoleRules.of(client);
        Set<String> made = new TreeSet<>();
        Set<String> denied = new TreeSet<>();
        for (RecordedRequest r; (r = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null; ) {
            String agent = r.getHeader("User-Agent");
            if (agent == null || !agent.contains(OPERATOR_AGENT)) {
                continue;
            }
            ClusterRoleRules.Attributes a = ClusterRoleRules.attributes(r.getMethod(), r.getPath());
            made.add(a.toString());
            if (!role.allows(a)) {
                denied.add(a + " <- " + r.getMethod() + " " + r.getPath());
            }
        }
        assertTrue(made.size() >= 10, "the operator's requests were recorded: " + made);
        assertTrue(denied.isEmpty(), "docker/k8s/operator.yaml does not grant: " + denied);
    }
}
