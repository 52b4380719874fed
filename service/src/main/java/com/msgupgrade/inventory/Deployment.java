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
        hosts = hosts == null ? List.of() : List.copyOf(hosts);
        groups = groups == null ? List.of() : List.copyOf(groups);
        webmailStores = webmailStores == null ? Map.of() : Map.copyOf(webmailStores);
    }

    /** The group a host belongs to (as member or standby), if any. */
    public Optional<Group> groupOf(String hostName) {
        return groups.stream().filter(g -> g.members().contains(hostName) || hostName.equals(g.standby())).findFirst();
    }

    public Optional<Host> host(String hostName) {
        return hosts.stream().filter(h -> java.util.Objects.equals(h.name(), hostName)).findFirst();
    }

    public Deployment withName(String newName) {
        return new Deployment(newName, directoryServer, hosts, groups, webmailStores, webmailProxyAdmin);
    }

    public record DirectoryServer(String host, Integer port, String bindDn, String passwordSecret) {}

    public record Group(String name, String topology, List<String> members, String standby) {
        public Group {
            members = members == null ? List.of() : List.copyOf(members);
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
