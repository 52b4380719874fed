package com.msgupgrade.inventory;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A registered Messaging Server deployment (DESIGN.md §3). */
public record Deployment(
        String name,
        DirectoryServer directoryServer,
        List<Host> hosts,
        List<Group> groups,
        Map<String, List<String>> webmailStores,
        Host.ProxyAdmin webmailProxyAdmin) {

    public Deployment {
        hosts = entries(hosts, "hosts");
        groups = entries(groups, "groups");
        if (webmailStores == null) {
            webmailStores = Map.of();
        } else {
            Map<String, List<String>> checked = new java.util.LinkedHashMap<>();
            webmailStores.forEach((webmail, stores) -> {
                if (stores == null) {
                    throw new IllegalArgumentException("webmailStores." + webmail + " is null: the list of the store"
                            + " hosts that webmail reads is required there");
                }
                checked.put(webmail, entries(stores, "webmailStores." + webmail));
            });
            webmailStores = Map.copyOf(checked);
        }
    }

    /**
     * The list, unmodifiable (none: empty); a null entry, or a null list where a map's value must be one, is refused
     * with where it is (the body's error then names it, instead of a bare "null").
     */
    static <T> List<T> entries(List<T> list, String where) {
        if (list == null) {
            return List.of();
        }
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) {
                throw new IllegalArgumentException(where + "[" + i + "] is null: an entry is required there");
            }
        }
        return List.copyOf(list);
    }

    /** The group a host belongs to (as member or standby), if any. */
    public Optional<Group> groupOf(String hostName) {
        return groups.stream().filter(g -> g.members().contains(hostName) || hostName.equals(g.standby())).findFirst();
    }

    /**
     * The high-availability cluster a host is a node of (asymmetric-HA, N+1 or symmetric-HA; the standby included):
     * its nodes share their configuration and data (the guide's "High Availability Clusters"), so none is put back
     * at its earlier release alone.
     */
    public Optional<Group> highAvailabilityGroupOf(String hostName) {
        return groupOf(hostName).filter(g -> HIGH_AVAILABILITY.contains(g.topology()));
    }

    /** The topologies of the guide's "High Availability Clusters". */
    public static final java.util.Set<String> HIGH_AVAILABILITY = java.util.Set.of("asymmetric-ha", "n-plus-1",
            "symmetric-ha");

    public Optional<Host> host(String hostName) {
        return hosts.stream().filter(h -> java.util.Objects.equals(h.name(), hostName)).findFirst();
    }

    public Deployment withName(String newName) {
        return new Deployment(newName, directoryServer, hosts, groups, webmailStores, webmailProxyAdmin);
    }

    public Deployment withHosts(List<Host> newHosts) {
        return new Deployment(name, directoryServer, newHosts, groups, webmailStores, webmailProxyAdmin);
    }

    public record DirectoryServer(String host, Integer port, String bindDn, String passwordSecret) {}

    public record Group(String name, String topology, List<String> members, String standby) {
        public Group {
            members = entries(members, "group " + name + ": members");
        }

        /** An asymmetric-HA or N+1 cluster: active members failed over to a standby (DeploymentValidator). */
        public boolean formsACluster() {
            return standby != null;
        }

        /** The members, then the standby if the group has one (an asymmetric-HA or N+1 cluster). */
        public List<String> membersAndStandby() {
            return standby == null ? members
                    : java.util.stream.Stream.concat(members.stream(), java.util.stream.Stream.of(standby)).toList();
        }
    }
}
