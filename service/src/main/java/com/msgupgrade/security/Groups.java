package com.msgupgrade.security;

/** The Camunda groups that carry the service's roles. */
public final class Groups {

    private Groups() {}

    public static final String OPERATORS = "operators";
    public static final String CHANGE_MANAGERS = "change-managers";
    public static final String AUDITORS = "auditors";
    /** Camunda's administrators' group. */
    public static final String CAMUNDA_ADMIN = "camunda-admin";

    /** Whether the authenticated user is a member of the group (the role Spring Security gives its members). */
    public static boolean member(org.springframework.security.core.Authentication user, String group) {
        return user.getAuthorities().stream().anyMatch(a -> ("ROLE_" + group).equals(a.getAuthority()));
    }

    /** The user names the service records its own acts under in the audit trail: no person acts under them. */
    public static final java.util.Set<String> RESERVED_NAMES = java.util.Set.of("system", "anonymous");

    /** Whether the name is one the service records its own acts under, however it was typed. */
    public static boolean reserved(String user) {
        return RESERVED_NAMES.stream().anyMatch(name -> samePerson(name, user));
    }

    /**
     * A logged-in user's name as the directory keeps it: a directory that matches names ignoring case ({@link #person})
     * lets "Approver1" log in as "approver1", and the audit trail names one person one way. The name as given when
     * the directory does not know it (the service's own names, a user removed since).
     */
    public static String asKept(org.camunda.bpm.engine.IdentityService identities, String user) {
        if (user == null || reserved(user)) {
            return user;
        }
        return identities.createUserQuery().userId(user).list().stream().map(org.camunda.bpm.engine.identity.User::getId)
                .filter(id -> samePerson(id, user)).findFirst().orElse(user);
    }

    /** Whether two user names are one person's, as a directory matches them ({@link #person}). */
    public static boolean samePerson(String one, String other) {
        return one != null && other != null && person(one).equals(person(other));
    }

    /**
     * A user name as a directory matches it: LDAP's uid is compared ignoring case, leading and trailing spaces, and
     * runs of spaces within ("caseIgnoreMatch"), so "bob", " Bob" and "bob " log in as one person, and must count as
     * one in a quorum or for the four eyes.
     */
    private static String person(String name) {
        return name.strip().replaceAll("\\s+", " ").toLowerCase(java.util.Locale.ROOT);
    }
}
