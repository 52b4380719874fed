package com.msgupgrade.simulator;

import java.util.List;
import java.util.Map;

/** The shape of {@code deployment.json}, the inventory the upgrade service reads. */
record Deployment(String name, DirectoryServer directoryServer, List<Host> hosts, List<Group> groups,
                  Map<String, List<String>> webmailStores) {

    record DirectoryServer(String host, int port, String bindDn, String passwordSecret) {
    }

    record Host(String name, String address, int sshPort, String sshUser, String os, String arch, String msgSvrBase,
                String sourceRelease, List<String> components, List<String> locales, String patchDir,
                String workDir) {
    }

    record Group(String name, String topology, List<String> members) {
    }

    static Deployment of(String name, String sshUser, List<SimulatedHost> hosts) {
        List<Host> hostEntries = hosts.stream()
                .map(host -> new Host(host.name(), host.address(), host.port(), sshUser, host.spec().os(),
                        host.spec().arch(), host.msgSvrBase().toString(), host.spec().sourceRelease(),
                        host.spec().components(), host.spec().locales(), host.patchDir().toString(),
                        host.workDir().toString()))
                .toList();
        List<Group> groups = hosts.stream()
                .map(host -> new Group(host.name(), "standalone", List.of(host.name())))
                .toList();
        return new Deployment(name, new DirectoryServer("127.0.0.1", 389, "cn=Directory Manager", "ds-manager"),
                hostEntries, groups, Map.of());
    }
}
