package io.dittofs.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/**
 * What the operator observed: ready pods, the generation it acted on, the config hash the pods
 * run with, and the {@code Reconciled} and {@code Ready} conditions.
 *
 * <p>Not thread-safe (a Jackson bean).
 */
public class DittoFSStatus {
    @JsonPropertyDescription("metadata.generation of the spec this status describes")
    private Long observedGeneration;

    @JsonPropertyDescription("pods of the StatefulSet")
    private int replicas;

    @PrinterColumn(name = "Ready")
    @JsonPropertyDescription("pods that pass their readiness probe")
    private int readyReplicas;

    @JsonPropertyDescription("SHA-256 of the config file the pod template carries (annotation dittofs.io/config-hash)")
    private String configHash;

    @JsonPropertyDescription("Reconciled: the StatefulSet, Services and ConfigMap match the spec (False names why: "
            + "SecretMissing, InvalidConfig, Error); Ready: all replicas ready")
    private List<Condition> conditions = new ArrayList<>();

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public int getReplicas() {
        return replicas;
    }

    public void setReplicas(int replicas) {
        this.replicas = replicas;
    }

    public int getReadyReplicas() {
        return readyReplicas;
    }

    public void setReadyReplicas(int readyReplicas) {
        this.readyReplicas = readyReplicas;
    }

    public String getConfigHash() {
        return configHash;
    }

    public void setConfigHash(String configHash) {
        this.configHash = configHash;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }
}
