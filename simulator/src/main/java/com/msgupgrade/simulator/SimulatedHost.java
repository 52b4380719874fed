package com.msgupgrade.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import java.util.Set;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;

/** One simulated Messaging Server host: its directory tree and the SSH server in front of it. */
public final class SimulatedHost {

    static final Set<String> FAULT_KINDS = Set.of("fail", "fail-once", "hang", "delay", "conflicts", "reject");

    private final HostSpec spec;
    private final Path dir;
    private final String address;
    private final KeyPair hostKey;
    private final PublicKey clientKey;
    private int port;
    private SshServer server;

    SimulatedHost(HostSpec spec, Path dir, String address, int port, KeyPair hostKey, PublicKey clientKey) {
        this.spec = spec;
        this.dir = dir.toAbsolutePath();
        this.address = address;
        this.port = port;
        this.hostKey = hostKey;
        this.clientKey = clientKey;
    }

    public String name() {
        return spec.name();
    }

    public HostSpec spec() {
        return spec;
    }

    /** The host's root directory H. */
    public Path dir() {
        return dir;
    }

    public Path msgSvrBase() {
        return HostTree.msgSvrBase(dir, spec);
    }

    /** Where the patches and rpms were "downloaded" (H/tmp). */
    public Path patchDir() {
        return dir.resolve("tmp");
    }

    /** Directory for the upgrade service's detached runs (H/work). */
    public Path workDir() {
        return dir.resolve("work");
    }

    public String address() {
        return address;
    }

    /** The SSH port (the bound port once started, when the fleet was asked for port 0). */
    public synchronized int port() {
        return port;
    }

    public PublicKey hostKey() {
        return hostKey.getPublic();
    }

    /** {@code [127.0.0.11]:2222 ssh-ed25519 AAAA...} */
    public String knownHostsLine() {
        return "[" + address + "]:" + port() + " " + SshKeys.publicKeyLine(hostKey.getPublic());
    }

    /** The release {@code imsimta version} reports, e.g. {@code 6.3}. */
    public String version() {
        return read(dir.resolve("version")).strip();
    }

    /** Lines of {@code H/state/<name>}; empty when the file is absent. */
    public List<String> stateLines(String name) {
        Path file = dir.resolve("state").resolve(name);
        return Files.exists(file) ? read(file).lines().filter(line -> !line.isBlank()).toList() : List.of();
    }

    public List<CommandLogEntry> commandLog() {
        return read(dir.resolve("commands.log")).lines()
                .filter(line -> !line.isBlank())
                .map(CommandLogEntry::parse)
                .toList();
    }

    /**
     * Switches a fault on: {@code H/faults/<command>.<kind>} with {@code content}.
     *
     * @param kind {@code fail}, {@code fail-once} (content: exit code, default 1), {@code hang},
     *             {@code delay} (content: seconds), {@code conflicts} (patch-config; content: one conflict a line) or
     *             {@code reject} (ldapmodify: the directory refuses every entry, written to the -e file)
     */
    public void setFault(String command, String kind, String content) {
        try {
            Files.writeString(faultFile(command, kind), content == null ? "" : content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void clearFault(String command, String kind) {
        try {
            Files.deleteIfExists(faultFile(command, kind));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path faultFile(String command, String kind) {
        if (!FAULT_KINDS.contains(kind)) {
            throw new IllegalArgumentException("fault kind must be one of " + FAULT_KINDS + ": " + kind);
        }
        if (!command.matches("[a-z-]+")) {
            throw new IllegalArgumentException("not a command name: " + command);
        }
        return dir.resolve("faults").resolve(command + "." + kind);
    }

    public synchronized boolean sshRunning() {
        return server != null && server.isStarted();
    }

    /** Starts (or restarts) the SSH server on the same address, port and host key. */
    public synchronized void startSsh() {
        if (sshRunning()) {
            return;
        }
        SshServer newServer = SshServer.setUpDefaultServer();
        newServer.setHost(address);
        newServer.setPort(port);
        newServer.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        newServer.setPublickeyAuthenticator((user, key, session) -> KeyUtils.compareKeys(clientKey, key));
        newServer.setPasswordAuthenticator(null);
        newServer.setKeyboardInteractiveAuthenticator(null);
        newServer.setGSSAuthenticator(null);
        newServer.setCommandFactory((channel, command) -> new ProcessCommand(dir, command));
        newServer.setShellFactory(channel -> new ProcessCommand(dir, null));
        try {
            newServer.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start SSH for " + name() + " on " + address + ":" + port, e);
        }
        server = newServer;
        port = newServer.getPort();
    }

    /** Drops the host: closes its sessions and refuses connections until {@link #startSsh()}. */
    public synchronized void stopSsh() {
        if (server == null) {
            return;
        }
        try {
            server.stop(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop SSH for " + name(), e);
        } finally {
            server = null;
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return name() + " (" + spec.os() + " " + spec.sourceRelease() + ") " + address + ":" + port();
    }
}
