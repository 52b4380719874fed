package com.msgupgrade.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.msgupgrade.simulator.HostSpec;
import com.msgupgrade.simulator.SimulatedFleet;
import com.msgupgrade.simulator.SimulatedHost;
import com.msgupgrade.support.FleetSupport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The remote shell against a real SSH server (Apache MINA SSHD, serving a simulated host). */
class JschRemoteShellTest {

    static final SimulatedFleet fleet = FleetSupport.start("ssh-test", "127.0.0.31", List.of(
            HostSpec.solaris("ms1", "6.2p3", List.of("store")),
            HostSpec.solaris("ms2", "6.2p3", List.of("store"))));

    @TempDir
    Path temp;

    @AfterAll
    static void stop() {
        fleet.close();
    }

    private RemoteShell shell(Path knownHosts, Duration commandTimeout, int maxOutput) {
        return new JschRemoteShell(new SshProperties(fleet.privateKey(), knownHosts, Duration.ofSeconds(5),
                commandTimeout, maxOutput, Duration.ZERO));
    }

    private static HostEndpoint endpoint(SimulatedHost host) {
        return new HostEndpoint(host.name(), host.address(), host.port(), "root");
    }

    @Test
    void returnsExitStatusStdoutAndStderr() {
        SimulatedHost ms1 = fleet.host("ms1");
        try (RemoteShell.RemoteSession session = shell(fleet.knownHosts(), Duration.ofSeconds(10), 4096)
                .open(endpoint(ms1))) {
            CommandResult result = session.exec("echo out; echo err >&2; exit 3", null);
            assertThat(result.exitCode()).isEqualTo(3);
            assertThat(result.stdout()).isEqualTo("out\n");
            assertThat(result.stderr()).isEqualTo("err\n");

            CommandResult version = session.exec("'" + ms1.msgSvrBase() + "/sbin/imsimta' version", null);
            assertThat(version.exitCode()).isZero();
            assertThat(version.stdout()).contains("Messaging Server 6.2-3.04");
        }
    }

    @Test
    void feedsStdinAndBoundsOutputWhileHashingAllOfIt() {
        try (RemoteShell.RemoteSession session = shell(fleet.knownHosts(), Duration.ofSeconds(10), 10)
                .open(endpoint(fleet.host("ms1")))) {
            CommandResult result = session.exec("cat", "0123456789abcdef".getBytes(StandardCharsets.UTF_8));
            assertThat(result.stdout()).isEqualTo("0123456789");
            assertThat(result.truncated()).isTrue();
            assertThat(result.stdoutBytes()).isEqualTo(16);
            assertThat(result.stdoutSha256())
                    .isEqualTo("9f9f5111f7b27a781f1f1ddde5ebc2dd2b796bfc7365c9c28b548e564176929f");
        }
    }

    @Test
    void aStartedCommandIsWaitedForAndOneClosedEarlyLeavesItsDetachedChildRunning() throws Exception {
        SimulatedHost ms1 = fleet.host("ms1");
        try (RemoteShell.RemoteSession session = shell(fleet.knownHosts(), Duration.ofSeconds(10), 4096)
                .open(endpoint(ms1))) {
            // the output so far, then the end
            try (RemoteShell.Started started = session.start("echo first; sleep 1; echo second", null)) {
                assertThat(started.awaitStdout(out -> out.contains("\n"))).isEqualTo("first\n");
                assertThat(started.awaitExit(Duration.ofMillis(100), () -> false)).as("still running").isEmpty();
                CommandResult ended = started.awaitExit(Duration.ofSeconds(5), () -> false).orElseThrow();
                assertThat(ended.stdout()).isEqualTo("first\nsecond\n");
                assertThat(ended.exitCode()).isZero();
            }
            // closed while it waits: the nohup'ed child lives on (as under sshd), the plain one is hung up (within
            // the 3 s it sleeps: a loaded machine's time; the nohup'ed one touches its file after it would have)
            Path detached = temp.resolve("detached");
            Path attached = temp.resolve("attached");
            RemoteShell.Started waiting = session.start("nohup /bin/sh -c 'sleep 6; touch " + detached + "' >/dev/null"
                    + " 2>&1 </dev/null & (sleep 3; touch " + attached + ") & echo started; wait", null);
            assertThat(waiting.awaitStdout(out -> out.contains("started"))).contains("started");
            waiting.close();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(detached));
            assertThat(attached).doesNotExist();
            assertThat(session.exec("echo reused", null).stdout()).as("the connection is still usable").isEqualTo("reused\n");
        }
    }

    @Test
    void timesOutACommandThatHangs() {
        try (RemoteShell.RemoteSession session = shell(fleet.knownHosts(), Duration.ofMillis(800), 4096)
                .open(endpoint(fleet.host("ms1")))) {
            assertThatThrownBy(() -> session.exec("sleep 5", null))
                    .isInstanceOf(RemoteShellException.class)
                    .satisfies(e -> assertThat(((RemoteShellException) e).kind())
                            .isEqualTo(RemoteShellException.Kind.TIMEOUT));
        }
    }

    /** A private key others may read is not used (as OpenSSH's client refuses it), and the error says why. */
    @Test
    void refusesAPrivateKeyOthersMayRead() throws IOException {
        Path key = Files.copy(fleet.privateKey(), temp.resolve("id_ed25519"));
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        RemoteShell shell = new JschRemoteShell(new SshProperties(key, fleet.knownHosts(), Duration.ofSeconds(5),
                Duration.ofSeconds(5), 4096, Duration.ZERO));
        assertThatThrownBy(() -> shell.open(endpoint(fleet.host("ms1"))))
                .isInstanceOf(RemoteShellException.class)
                .hasMessageContaining("must be readable by its owner only").hasMessageContaining("rw-r--r--")
                .satisfies(e -> assertThat(((RemoteShellException) e).kind())
                        .isEqualTo(RemoteShellException.Kind.AUTH));
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("r--------"));
        try (RemoteShell.RemoteSession session = shell.open(endpoint(fleet.host("ms1")))) {
            assertThat(session.exec("true", null).exitCode()).isZero();
        }
    }

    @Test
    void refusesAnUnknownHostKeyBeforeRunningAnything() throws IOException {
        SimulatedHost ms2 = fleet.host("ms2");
        Path knownHosts = Files.writeString(temp.resolve("known_hosts"), fleet.host("ms1").knownHostsLine() + "\n");
        Path marker = ms2.dir().resolve("unknown-key-marker");

        RemoteShell shell = shell(knownHosts, Duration.ofSeconds(5), 4096);
        assertThatThrownBy(() -> shell.open(endpoint(ms2)).exec("touch '" + marker + "'", null))
                .isInstanceOf(RemoteShellException.class)
                .satisfies(e -> assertThat(((RemoteShellException) e).kind())
                        .isEqualTo(RemoteShellException.Kind.HOST_KEY));
        assertThat(marker).doesNotExist();

        // once an operator added its key, the same shell (which keeps known_hosts as it read it) reads it again
        Files.writeString(knownHosts, ms2.knownHostsLine() + "\n", java.nio.file.StandardOpenOption.APPEND);
        try (RemoteShell.RemoteSession session = shell.open(endpoint(ms2))) {
            assertThat(session.exec("touch '" + marker + "'", null).exitCode()).isZero();
        }
        assertThat(marker).exists();
    }

    @Test
    void refusesAChangedHostKeyBeforeRunningAnything() throws IOException {
        SimulatedHost ms1 = fleet.host("ms1");
        SimulatedHost ms2 = fleet.host("ms2");
        // ms1's address and port, but ms2's key: what a replaced or impersonated host looks like
        String ms2Key = ms2.knownHostsLine().substring(ms2.knownHostsLine().indexOf(' ') + 1);
        String changed = "[" + ms1.address() + "]:" + ms1.port() + " " + ms2Key;
        Path knownHosts = Files.writeString(temp.resolve("known_hosts"), changed + "\n");
        Path marker = ms1.dir().resolve("changed-key-marker");

        assertThatThrownBy(() -> shell(knownHosts, Duration.ofSeconds(5), 4096).open(endpoint(ms1))
                .exec("touch '" + marker + "'", null))
                .isInstanceOf(RemoteShellException.class)
                .satisfies(e -> assertThat(((RemoteShellException) e).kind())
                        .isEqualTo(RemoteShellException.Kind.HOST_KEY));
        assertThat(marker).doesNotExist();
    }

    @Test
    void reportsARefusedConnectionAsTransient() {
        SimulatedHost ms2 = fleet.host("ms2");
        ms2.stopSsh();
        try {
            assertThatThrownBy(() -> shell(fleet.knownHosts(), Duration.ofSeconds(5), 4096).open(endpoint(ms2)))
                    .isInstanceOf(RemoteShellException.class)
                    .satisfies(e -> assertThat(((RemoteShellException) e).isTransient()).isTrue());
        } finally {
            ms2.startSsh();
        }
    }

    /**
     * A connection that drops while a command runs is a lost connection, never an exit status: JSch closes the
     * session's channels before it marks the session disconnected, and a channel closed so has no exit status (-1).
     */
    @Test
    void aConnectionDroppedWhileACommandRunsIsLostNotAnExitStatus() {
        SimulatedHost ms1 = fleet.host("ms1");
        for (int i = 0; i < 3; i++) {
            RemoteShell.RemoteSession session = shell(fleet.knownHosts(), Duration.ofSeconds(20), 4096).open(endpoint(ms1));
            try {
                RemoteShell.Started running = session.start("echo partial; sleep 15; echo done", null);
                running.awaitStderr(err -> true);
                ms1.stopSsh(); // the host drops every connection
                assertThatThrownBy(running::awaitExit).isInstanceOfSatisfying(RemoteShellException.class,
                        e -> assertThat(e.kind()).isEqualTo(RemoteShellException.Kind.CONNECTION_LOST));
            } finally {
                ms1.startSsh();
                session.close();
            }
        }
    }

    @Test
    void keepsAConnectionForTheNextStepUntilItDropsOrACommandFailsOnIt() {
        SimulatedHost ms2 = fleet.host("ms2");
        JschRemoteShell shell = keepingConnections();
        try {
            Object first = connectionOf(shell, ms2, "true");
            assertThat(connectionOf(shell, ms2, "true")).as("the next step reuses the connection").isSameAs(first);

            ms2.stopSsh(); // the host drops every connection
            // seen dropped (JSch's reader thread sees the end of the stream) before the next step
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> !((com.jcraft.jsch.Session) first).isConnected());
            ms2.startSsh();
            Object afterDrop = connectionOf(shell, ms2, "true");
            assertThat(afterDrop).as("a dropped connection is not reused").isNotSameAs(first);

            assertThatThrownBy(() -> connectionOf(shell, ms2, "sleep 60")).isInstanceOf(RemoteShellException.class);
            assertThat(connectionOf(shell, ms2, "true")).as("nor one a command timed out on").isNotSameAs(afterDrop);
        } finally {
            shell.closeAll();
        }
        JschRemoteShell noReuse = new JschRemoteShell(new SshProperties(fleet.privateKey(), fleet.knownHosts(),
                Duration.ofSeconds(5), Duration.ofSeconds(5), 4096, Duration.ZERO));
        assertThat(connectionOf(noReuse, ms2, "true")).isNotSameAs(connectionOf(noReuse, ms2, "true"));
    }

    @Test
    void aConnectionMadeAheadIsTheOneTheNextOpenUsesAndAFailedOneIsReportedByThatOpen() {
        SimulatedHost ms1 = fleet.host("ms1");
        JschRemoteShell shell = keepingConnections();
        try {
            shell.connectAhead(endpoint(ms1));
            shell.connectAhead(endpoint(ms1)); // one connection being made is enough
            Object first = connectionOf(shell, ms1, "true");
            assertThat(shell.keptConnections(endpoint(ms1))).as("the open took the one made ahead, made no other")
                    .isOne();
            shell.connectAhead(endpoint(ms1)); // one is kept: nothing to do
            assertThat(connectionOf(shell, ms1, "true")).isSameAs(first);
            assertThat(shell.keptConnections(endpoint(ms1))).isOne();
        } finally {
            shell.closeAll();
        }

        SimulatedHost ms2 = fleet.host("ms2");
        JschRemoteShell other = keepingConnections();
        ms2.stopSsh();
        try {
            other.connectAhead(endpoint(ms2)); // fails quietly
            assertThatThrownBy(() -> other.open(endpoint(ms2))).isInstanceOf(RemoteShellException.class)
                    .hasMessageContaining("cannot connect");
        } finally {
            ms2.startSsh();
            other.closeAll();
        }
    }

    /** A shell that keeps connections for 30 s; commands time out after 5 s. */
    private static JschRemoteShell keepingConnections() {
        return new JschRemoteShell(new SshProperties(fleet.privateKey(), fleet.knownHosts(), Duration.ofSeconds(5),
                Duration.ofSeconds(5), 4096, Duration.ofSeconds(30)));
    }

    private static Object connectionOf(JschRemoteShell shell, SimulatedHost host, String command) {
        try (RemoteShell.RemoteSession session = shell.open(endpoint(host))) {
            assertThat(session.exec(command, null).exitCode()).isZero();
            return ((JschRemoteShell.JschSession) session).connection();
        }
    }
}
