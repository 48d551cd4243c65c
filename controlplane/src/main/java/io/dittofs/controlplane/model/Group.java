package io.dittofs.controlplane.model;

import java.util.List;

/** A group of users; {@code gid} (may be null) maps AUTH_SYS group ids to it. */
public record Group(String name, Integer gid, List<String> members) {
    public Group {
        members = List.copyOf(members);
    }
}
