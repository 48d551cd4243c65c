package io.dittofs.controlplane.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A JSON request body (an object) with typed, validated field access. Not thread-safe (one per request). */
final class Body {
    private final ObjectNode node;

    Body(ObjectNode node) {
        this.node = node;
    }

    /** Refuses fields outside {@code allowed} (typos must not pass silently). */
    Body allow(String... allowed) {
        Set<String> ok = Set.of(allowed);
        Iterator<String> it = node.fieldNames();
        while (it.hasNext()) {
            String f = it.next();
            if (!ok.contains(f)) {
                throw ApiException.badRequest("unknown field '" + Names.printable(f) + "'");
            }
        }
        return this;
    }

    boolean has(String f) {
        return node.has(f) && !node.get(f).isNull();
    }

    String str(String f) {
        JsonNode v = node.get(f);
        if (v == null || v.isNull()) {
            throw ApiException.badRequest("field '" + f + "' is required");
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest("field '" + f + "' must be a string");
        }
        return v.textValue();
    }

    String str(String f, String dflt) {
        return has(f) ? str(f) : dflt;
    }

    Integer optInt(String f, Integer dflt) {
        if (!has(f)) {
            return dflt;
        }
        JsonNode v = node.get(f);
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw ApiException.badRequest("field '" + f + "' must be a whole number");
        }
        return v.intValue();
    }

    boolean bool(String f, boolean dflt) {
        if (!has(f)) {
            return dflt;
        }
        JsonNode v = node.get(f);
        if (!v.isBoolean()) {
            throw ApiException.badRequest("field '" + f + "' must be true or false");
        }
        return v.booleanValue();
    }

    /** An array of at most {@code max} strings, or {@code dflt} when the field is absent. */
    List<String> stringList(String f, int max, List<String> dflt) {
        if (!has(f)) {
            return dflt;
        }
        JsonNode v = node.get(f);
        if (!v.isArray()) {
            throw ApiException.badRequest("field '" + f + "' must be an array of strings");
        }
        if (v.size() > max) {
            throw ApiException.badRequest("field '" + f + "' has more than " + max + " entries");
        }
        List<String> out = new ArrayList<>(v.size());
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw ApiException.badRequest("field '" + f + "' must be an array of strings");
            }
            out.add(e.textValue());
        }
        return out;
    }

    /** A flat object of strings (store config, adapter settings). */
    Map<String, String> strings(String f) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!has(f)) {
            return out;
        }
        JsonNode v = node.get(f);
        if (!v.isObject()) {
            throw ApiException.badRequest("field '" + f + "' must be an object of strings");
        }
        Iterator<Map.Entry<String, JsonNode>> it = v.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw ApiException.badRequest("field '" + f + "." + Names.printable(e.getKey()) + "' must be a string");
            }
            out.put(Names.check("setting", e.getKey()), Names.value(e.getValue().asText()));
        }
        return out;
    }
}
