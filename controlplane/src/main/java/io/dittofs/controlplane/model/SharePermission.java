package io.dittofs.controlplane.model;

/** An explicit grant on a share. {@code principalType} is {@code user} or {@code group}. */
public record SharePermission(String principalType, String principal, Permission permission) {
}
