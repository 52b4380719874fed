package com.msgupgrade.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * A set of simulated hosts under one directory, each served by its own SSH server on its own loopback address.
 * Writes the client key ({@code id_ed25519}), {@code known_hosts} and {@code deployment.json} into the directory.
 */
public final class SimulatedFleet implements AutoCloseable {

    /**
     * Every command a simulated host runs is a process of this JVM's: started with vfork, the JDK's default on
     * Linux until version 11, it costs about half of a start through posix_spawn and its helper process (3.8 against
     * 7.5 ms on the 2-core machine of the README's benchmark). Takes effect when no process was started in this JVM
     * before this class was loaded (the simulator's {@link Main} starts none), or from
     * {@code -Djdk.lang.Process.launchMechanism=VFORK}, as the build sets it for the tests.
     */
    static final String LAUNCH_MECHANISM = "jdk.lang.Process.launchMechanism";

    static {
        if (System.getProperty(LAUNCH_MECHANISM) == null) {
            System.setProperty(LAUNCH_MECHANISM, "VFORK");
        }
    }

    private final Path dir;
    private final FleetOptions options;
    private final Map<String, SimulatedHost> hosts;

    private SimulatedFleet(Path dir, FleetOptions options, Map<String, SimulatedHost> hosts) {
        this.dir = dir;
        this.options = options;
        this.hosts = hosts;
    }

    /**
     * Creates the host trees that are missing (existing ones keep their state), starts one SSH server per host
     * and writes the client key, known_hosts and deployment.json.
     */
    public static SimulatedFleet start(Path fleetDir, List<HostSpec> specs, FleetOptions options) {
        Path dir = fleetDir.toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        KeyPair clientKey = SshKeys.loadOrGenerate(dir.resolve("id_ed25519"), "msgsrv-simulator-client");
        Map<String, SimulatedHost> hosts = new LinkedHashMap<>();
        SimulatedFleet fleet = new SimulatedFleet(dir, options, hosts);
        try {
            for (int i = 0; i < specs.size(); i++) {
                HostSpec spec = specs.get(i);
                if (hosts.containsKey(spec.name())) {
                    throw new IllegalArgumentException("duplicate host name " + spec.name());
                }
                Path hostDir = dir.resolve(spec.name());
                HostTree.createIfMissing(hostDir, spec);
                KeyPair hostKey = SshKeys.loadOrGenerate(hostDir.resolve("ssh_host_ed25519_key"), "root@" + spec.name());
                SimulatedHost host = new SimulatedHost(spec, hostDir, address(options.firstAddress(), i),
                        options.port(), hostKey, clientKey.getPublic());
                hosts.put(spec.name(), host);
                host.startSsh();
            }
            fleet.writeKnownHosts();
            fleet.writeDeployment();
            return fleet;
        } catch (RuntimeException e) {
            fleet.close();
            throw e;
        }
    }

    public Path dir() {
        return dir;
    }

    public FleetOptions options() {
        return options;
    }

    /** OpenSSH private key of the client (unencrypted ed25519). */
    public Path privateKey() {
        return dir.resolve("id_ed25519");
    }

    public Path knownHosts() {
        return dir.resolve("known_hosts");
    }

    public Path deploymentFile() {
        return dir.resolve("deployment.json");
    }

    public SimulatedHost host(String name) {
        SimulatedHost host = hosts.get(name);
        if (host == null) {
            throw new NoSuchElementException("no simulated host " + name);
        }
        return host;
    }

    public List<SimulatedHost> hosts() {
        return List.copyOf(hosts.values());
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (SimulatedHost host : hosts.values()) {
            try {
                host.stopSsh();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void writeKnownHosts() {
        List<String> lines = new ArrayList<>();
        for (SimulatedHost host : hosts.values()) {
            lines.add(host.knownHostsLine());
        }
        try {
            Files.write(knownHosts(), lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeDeployment() {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        try {
            mapper.writeValue(deploymentFile().toFile(),
                    Deployment.of(options.name(), options.sshUser(), hosts()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String address(String first, int offset) {
        try {
            byte[] bytes = InetAddress.getByName(first).getAddress();
            if (bytes.length != 4 || bytes[0] != 127) {
                throw new IllegalArgumentException("first address must be an IPv4 loopback address: " + first);
            }
            int last = (bytes[3] & 0xff) + offset;
            int third = (bytes[2] & 0xff) + last / 256;
            if (third > 255) {
                throw new IllegalArgumentException("too many hosts after " + first);
            }
            return "127." + (bytes[1] & 0xff) + "." + third + "." + (last % 256);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + first, e);
        }
    }
}
