package io.dittofs.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/**
 * A key of a Secret in the DittoFS resource's namespace.
 *
 * <p>Not thread-safe (a Jackson bean).
 */
public class SecretKeyRef {
    @Required
    @JsonPropertyDescription("name of the Secret (in the DittoFS resource's namespace)")
    private String name;

    @Required
    @JsonPropertyDescription("key in the Secret's data")
    private String key;

    public SecretKeyRef() {
    }

    public SecretKeyRef(String name, String key) {
        this.name = name;
        this.key = key;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
    }
}
