package com.msgupgrade.security;

/** The Camunda groups that carry the service's roles. */
public final class Groups {

    private Groups() {}

    public static final String OPERATORS = "operators";
    public static final String CHANGE_MANAGERS = "change-managers";
    public static final String AUDITORS = "auditors";
    /** Camunda's administrators' group. */
    public static final String CAMUNDA_ADMIN = "camunda-admin";

    /** The user names the service records its own acts under in the audit trail: no person acts under them. */
    public static final java.util.Set<String> RESERVED_NAMES = java.util.Set.of("system", "anonymous");
}
