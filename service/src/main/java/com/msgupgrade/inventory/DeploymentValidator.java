package com.msgupgrade.inventory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Checks a deployment before anything of it is stored: every value that can reach a command line
 * against a strict pattern, and the structure (unique names, groups, stores). Lists every problem.
 */
@Component
public class DeploymentValidator {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,62}");
    static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,252}");
    static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.:-]{0,252}");
    static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
    static final Pattern PATH = Pattern.compile("/[A-Za-z0-9._/-]{0,254}");
    static final Pattern LOCALE = Pattern.compile("[a-z]{2}(_[A-Z]{2})?");
    static final Pattern DN = Pattern.compile("[A-Za-z0-9=,. _-]{1,200}");
    static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    static final Set<String> OS = Set.of("solaris", "linux");
    static final Map<String, Set<String>> ARCH = Map.of("solaris", Set.of("sparc", "x86"),
            "linux", Set.of("i386", "x86_64"));
    static final Set<String> RELEASES = Set.of("5.2", "6.0", "6.1", "6.2", "6.2p3", "6.3");
    static final Set<String> COMPONENTS = Set.of("store", "mta", "mmp", "webmail");
    static final Set<String> TOPOLOGIES = Set.of("standalone", "load-balanced", "asymmetric-ha", "n-plus-1",
            "symmetric-ha");

    public List<String> problems(String name, Deployment d) {
        List<String> problems = new ArrayList<>();
        if (d == null) {
            return List.of("the body is not a deployment");
        }
        if (!matches(NAME, name)) {
            problems.add("deployment name " + show(name) + " must match " + NAME.pattern());
        }
        if (d.name() != null && !d.name().equals(name)) {
            problems.add("name in the body (" + show(d.name()) + ") differs from the name in the path (" + name + ")");
        }
        directoryServer(d.directoryServer(), problems);
        if (d.hosts().isEmpty()) {
            problems.add("hosts: at least one host is required");
        }
        Set<String> names = new HashSet<>();
        Set<String> endpoints = new HashSet<>();
        for (int i = 0; i < d.hosts().size(); i++) {
            Host h = d.hosts().get(i);
            String at = "hosts[" + i + "]" + (h.name() == null ? "" : " (" + h.name() + ")");
            host(h, at, problems);
            if (h.name() != null && !names.add(h.name())) {
                problems.add(at + ": host name " + h.name() + " is used twice");
            }
            if (h.address() != null && !endpoints.add(h.endpoint())) {
                problems.add(at + ": address " + h.address() + ":" + h.sshPort() + " is used by another host");
            }
        }
        groups(d, names, problems);
        webmailStores(d, names, problems);
        return problems;
    }

    private void directoryServer(Deployment.DirectoryServer ds, List<String> problems) {
        if (ds == null) {
            problems.add("directoryServer is required (the Directory Server the LDIF is imported into)");
            return;
        }
        if (!matches(ADDRESS, ds.host())) {
            problems.add("directoryServer.host " + show(ds.host()) + " is not a host name or address");
        }
        if (ds.port() == null || ds.port() < 1 || ds.port() > 65535) {
            problems.add("directoryServer.port " + ds.port() + " is not a port (1-65535)");
        }
        if (!matches(DN, ds.bindDn())) {
            problems.add("directoryServer.bindDn " + show(ds.bindDn()) + " must match " + DN.pattern());
        }
        if (!matches(SECRET_NAME, ds.passwordSecret())) {
            problems.add("directoryServer.passwordSecret must name a secret (" + SECRET_NAME.pattern()
                    + "), never hold the password");
        }
    }

    private void host(Host h, String at, List<String> problems) {
        if (!matches(NAME, h.name())) {
            problems.add(at + ": name " + show(h.name()) + " must match " + NAME.pattern());
        }
        if (!matches(ADDRESS, h.address())) {
            problems.add(at + ": address " + show(h.address()) + " is not a host name or address");
        }
        if (h.sshPort() < 1 || h.sshPort() > 65535) {
            problems.add(at + ": sshPort " + h.sshPort() + " is not a port (1-65535)");
        }
        if (!matches(USER, h.sshUser())) {
            problems.add(at + ": sshUser " + show(h.sshUser()) + " must match " + USER.pattern());
        }
        if (!oneOf(OS, h.os())) {
            problems.add(at + ": os " + show(h.os()) + " is not one of " + OS);
        } else if (!oneOf(ARCH.get(h.os()), h.arch())) {
            problems.add(at + ": arch " + show(h.arch()) + " is not one of " + ARCH.get(h.os()) + " for " + h.os());
        }
        path(h.msgSvrBase(), at + ": msgSvrBase", problems);
        path(h.patchDir(), at + ": patchDir", problems);
        path(h.workDir(), at + ": workDir", problems);
        path(h.configureStateFile(), at + ": configureStateFile", problems);
        if (!oneOf(RELEASES, h.sourceRelease())) {
            problems.add(at + ": sourceRelease " + show(h.sourceRelease()) + " is not one of " + RELEASES);
        }
        if (h.components().isEmpty()) {
            problems.add(at + ": components: at least one of " + COMPONENTS);
        }
        for (String c : h.components()) {
            if (!oneOf(COMPONENTS, c)) {
                problems.add(at + ": component " + show(c) + " is not one of " + COMPONENTS);
            }
        }
        for (String l : h.locales()) {
            if (!matches(LOCALE, l)) {
                problems.add(at + ": locale " + show(l) + " must match " + LOCALE.pattern());
            }
        }
        if (h.storeHostName() != null) {
            if (!matches(HOST_NAME, h.storeHostName())) {
                problems.add(at + ": storeHostName " + show(h.storeHostName()) + " is not a host name (" + HOST_NAME.pattern()
                        + ")");
            }
            if (!h.components().contains("store")) {
                problems.add(at + ": storeHostName is the name webmail reaches a Message Store by, and the host has no"
                        + " store component");
            }
        }
        if (h.proxyAdmin() != null) {
            if (!matches(USER, h.proxyAdmin().user())) {
                problems.add(at + ": proxyAdmin.user " + show(h.proxyAdmin().user()) + " must match " + USER.pattern());
            }
            if (!matches(SECRET_NAME, h.proxyAdmin().passwordSecret())) {
                problems.add(at + ": proxyAdmin.passwordSecret must name a secret (" + SECRET_NAME.pattern() + ")");
            }
        }
    }

    private static void path(String value, String what, List<String> problems) {
        if (!matches(PATH, value) || value.contains("/../") || value.endsWith("/..") || value.contains("//")) {
            problems.add(what + " " + show(value) + " must be an absolute path of letters, digits, '.', '_', '-', '/'");
        }
    }

    private void groups(Deployment d, Set<String> hostNames, List<String> problems) {
        Map<String, String> groupOf = new HashMap<>();
        Set<String> groupNames = new HashSet<>();
        for (int i = 0; i < d.groups().size(); i++) {
            Deployment.Group g = d.groups().get(i);
            String at = "groups[" + i + "]" + (g.name() == null ? "" : " (" + g.name() + ")");
            if (!matches(NAME, g.name())) {
                problems.add(at + ": name " + show(g.name()) + " must match " + NAME.pattern());
            } else if (!groupNames.add(g.name())) {
                problems.add(at + ": group name " + g.name() + " is used twice");
            }
            if (!oneOf(TOPOLOGIES, g.topology())) {
                problems.add(at + ": topology " + show(g.topology()) + " is not one of " + TOPOLOGIES);
            }
            if (g.members().isEmpty()) {
                problems.add(at + ": members: at least one host");
            }
            for (String m : g.members()) {
                if (!hostNames.contains(m)) {
                    problems.add(at + ": member " + show(m) + " is not a host of the deployment");
                } else if (groupOf.putIfAbsent(m, g.name()) != null) {
                    problems.add(at + ": host " + m + " is already in group " + groupOf.get(m));
                }
            }
            boolean needsStandby = "asymmetric-ha".equals(g.topology()) || "n-plus-1".equals(g.topology());
            if (needsStandby && g.standby() == null) {
                problems.add(at + ": a " + g.topology() + " group needs its standby host");
            }
            if (g.standby() != null) {
                if (!needsStandby) {
                    problems.add(at + ": standby is only meaningful for asymmetric-ha and n-plus-1 groups");
                }
                if (!hostNames.contains(g.standby())) {
                    problems.add(at + ": standby " + show(g.standby()) + " is not a host of the deployment");
                } else if (g.members().contains(g.standby())) {
                    problems.add(at + ": standby " + g.standby() + " must not also be an active member");
                } else if (groupOf.putIfAbsent(g.standby(), g.name()) != null) {
                    problems.add(at + ": standby " + g.standby() + " is already in group " + groupOf.get(g.standby()));
                }
            }
            if ("symmetric-ha".equals(g.topology()) && g.members().size() != 2) {
                problems.add(at + ": a symmetric-ha pair has exactly 2 members");
            }
        }
    }

    private void webmailStores(Deployment d, Set<String> hostNames, List<String> problems) {
        if (!d.webmailStores().isEmpty()) {
            Host.ProxyAdmin proxy = d.webmailProxyAdmin();
            if (proxy == null) {
                problems.add("webmailProxyAdmin {user, passwordSecret} is required when webmails read stores"
                        + " (the IMAP admin proxy account each webmail uses on its stores)");
            } else {
                if (!matches(USER, proxy.user())) {
                    problems.add("webmailProxyAdmin.user " + show(proxy.user()) + " must match " + USER.pattern());
                }
                if (!matches(SECRET_NAME, proxy.passwordSecret())) {
                    problems.add("webmailProxyAdmin.passwordSecret must name a secret (" + SECRET_NAME.pattern() + ")");
                }
            }
        }
        for (Map.Entry<String, List<String>> e : d.webmailStores().entrySet()) {
            String at = "webmailStores." + e.getKey();
            var webmail = d.host(e.getKey());
            if (webmail.isEmpty()) {
                problems.add(at + ": " + show(e.getKey()) + " is not a host of the deployment");
            } else if (!webmail.get().components().contains("webmail")) {
                problems.add(at + ": host " + e.getKey() + " has no webmail component");
            }
            if (e.getValue() == null || e.getValue().isEmpty()) {
                problems.add(at + ": at least one store is required (the stores the webmail reads; leave the"
                        + " webmail out of webmailStores when it reads none)");
            }
            for (String store : e.getValue() == null ? List.<String>of() : e.getValue()) {
                var s = d.host(store);
                if (s.isEmpty()) {
                    problems.add(at + ": store " + show(store) + " is not a host of the deployment");
                } else if (!s.get().components().contains("store")) {
                    problems.add(at + ": host " + store + " has no store component");
                }
            }
        }
    }

    /** Whether the value is one of the set's (a value left out is none: {@code Set.of} throws on null). */
    private static boolean oneOf(Set<String> values, String value) {
        return value != null && values.contains(value);
    }

    private static boolean matches(Pattern p, String value) {
        return value != null && p.matcher(value).matches();
    }

    /** A value quoted for an error message, with control characters made visible. */
    private static String show(String value) {
        return com.msgupgrade.web.Shown.quoted(value);
    }
}
