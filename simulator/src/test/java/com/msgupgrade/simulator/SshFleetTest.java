package com.msgupgrade.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class SshFleetTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    record Exec(int exitCode, String stdout, String stderr) {
    }

    @TempDir
    Path fleetDir;

    private SimulatedFleet fleet;
    private SshClient client;

    @BeforeEach
    void startFleet() {
        fleet = startFleet(fleetDir);
        client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE,
                fleet.knownHosts()));
        client.setKeyIdentityProvider(new FileKeyPairProvider(fleet.privateKey()));
        client.start();
    }

    private static SimulatedFleet startFleet(Path dir) {
        return SimulatedFleet.start(dir, List.of(
                        HostSpec.solaris("ms1", "6.2p3", List.of("store")),
                        HostSpec.linux("ms2", "6.2p3", List.of("mta", "mmp"))),
                FleetOptions.defaults().withName("test").withFirstAddress("127.0.0.11").withPort(0));
    }

    @AfterEach
    void stop() {
        client.stop();
        fleet.close();
    }

    private ClientSession connect(SimulatedHost host) throws IOException {
        ClientSession session = client.connect("root", host.address(), host.port()).verify(TIMEOUT).getSession();
        session.auth().verify(TIMEOUT);
        return session;
    }

    private Exec exec(SimulatedHost host, String command) throws IOException {
        try (ClientSession session = connect(host)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            try (ChannelExec channel = session.createExecChannel(command)) {
                channel.setOut(out);
                channel.setErr(err);
                channel.open().verify(TIMEOUT);
                channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), TIMEOUT);
                assertThat(channel.getExitStatus()).as("the channel closed with an exit status within " + TIMEOUT)
                        .isNotNull();
                return new Exec(channel.getExitStatus(), out.toString(StandardCharsets.UTF_8),
                        err.toString(StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void runsCommandsOverSshWithExitCodeAndStderr() throws IOException {
        // given
        SimulatedHost ms1 = fleet.host("ms1");

        // when
        Exec result = exec(ms1, ms1.msgSvrBase() + "/sbin/imsimta version; pwd; echo oops >&2; exit 3");

        // then
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.stdout()).startsWith("Sun Java(tm) System Messaging Server 6.2-3.04 (built Feb  9 2007)")
                .contains(ms1.dir().resolve("root").toString());
        assertThat(result.stderr()).isEqualTo("oops\n");
        assertThat(ms1.commandLog()).singleElement().satisfies(entry -> {
            assertThat(entry.command()).isEqualTo("imsimta");
            assertThat(entry.args()).containsExactly("version");
            assertThat(entry.exitCode()).isZero();
        });
    }

    @Test
    void runsSystemCommandsFromThePath() throws IOException {
        // given
        SimulatedHost ms1 = fleet.host("ms1");
        SimulatedHost ms2 = fleet.host("ms2");

        // when
        Exec showrev = exec(ms1, "showrev -p");
        Exec rpm = exec(ms2, "rpm -q sun-messaging-server");

        // then
        assertThat(showrev.exitCode()).isZero();
        assertThat(rpm.stdout()).isEqualTo("sun-messaging-server-6.2-3.04\n");
    }

    @Test
    void writesKnownHostsKeysAndDeployment() throws IOException {
        // given
        SimulatedHost ms1 = fleet.host("ms1");
        SimulatedHost ms2 = fleet.host("ms2");

        // when
        List<String> knownHosts = Files.readAllLines(fleet.knownHosts());
        JsonNode deployment = new ObjectMapper().readTree(fleet.deploymentFile().toFile());

        // then
        assertThat(ms1.address()).isEqualTo("127.0.0.11");
        assertThat(ms2.address()).isEqualTo("127.0.0.12");
        assertThat(knownHosts).hasSize(2);
        assertThat(knownHosts.get(0)).startsWith("[127.0.0.11]:" + ms1.port() + " ssh-ed25519 AAAA");
        assertThat(knownHosts.get(1)).startsWith("[127.0.0.12]:" + ms2.port() + " ssh-ed25519 AAAA");
        assertThat(Files.readString(fleet.privateKey())).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fleet.privateKey())))
                .isEqualTo("rw-------");
        assertThat(Files.readString(fleetDir.resolve("id_ed25519.pub"))).startsWith("ssh-ed25519 AAAA");
        assertThat(ms1.dir().resolve("ssh_host_ed25519_key")).exists();

        assertThat(deployment.path("name").asText()).isEqualTo("test");
        assertThat(deployment.path("directoryServer").path("bindDn").asText()).isEqualTo("cn=Directory Manager");
        JsonNode host = deployment.path("hosts").get(1);
        assertThat(host.path("name").asText()).isEqualTo("ms2");
        assertThat(host.path("address").asText()).isEqualTo("127.0.0.12");
        assertThat(host.path("sshPort").asInt()).isEqualTo(ms2.port());
        assertThat(host.path("sshUser").asText()).isEqualTo("root");
        assertThat(host.path("os").asText()).isEqualTo("linux");
        assertThat(host.path("msgSvrBase").asText()).isEqualTo(ms2.dir() + "/opt/sun/messaging");
        assertThat(host.path("patchDir").asText()).isEqualTo(ms2.dir() + "/tmp");
        assertThat(host.path("workDir").asText()).isEqualTo(ms2.dir() + "/work");
        assertThat(host.path("components").toString()).isEqualTo("[\"mta\",\"mmp\"]");
        assertThat(deployment.path("groups").get(0).path("topology").asText()).isEqualTo("standalone");
        assertThat(deployment.path("webmailStores").isObject()).isTrue();
    }

    @Test
    void refusesAnUnknownClientKey() throws Exception {
        // given
        KeyPairGenerator generator = SecurityUtils.getKeyPairGenerator(SecurityUtils.EDDSA);
        generator.initialize(256);
        KeyPair stranger = generator.generateKeyPair();
        client.setKeyIdentityProvider(KeyIdentityProvider.wrapKeyPairs(stranger));
        SimulatedHost ms1 = fleet.host("ms1");

        // when / then
        try (ClientSession session = client.connect("root", ms1.address(), ms1.port()).verify(TIMEOUT).getSession()) {
            assertThatThrownBy(() -> session.auth().verify(TIMEOUT)).isInstanceOf(IOException.class);
        }
    }

    @Test
    void droppedHostRefusesConnectionsAndComesBackWithTheSameKey() throws IOException {
        // given
        SimulatedHost ms1 = fleet.host("ms1");
        int port = ms1.port();

        // when
        ms1.stopSsh();

        // then
        assertThatThrownBy(() -> exec(ms1, "true")).isInstanceOf(IOException.class);

        // when
        ms1.startSsh();

        // then the known_hosts entry still matches
        assertThat(ms1.port()).isEqualTo(port);
        assertThat(exec(ms1, "exit 0").exitCode()).isZero();
    }

    @Test
    void backgroundedCommandDoesNotHoldTheChannel() throws IOException {
        // given
        SimulatedHost ms1 = fleet.host("ms1");

        Path go = fleetDir.resolve("go");

        // when a command leaves behind one that runs until the test lets it end
        try {
            Exec result = exec(ms1, "sh -c 'while [ ! -f " + go + " ]; do sleep 0.1; done' > /dev/null 2>&1"
                    + " < /dev/null & echo started");

            // then the channel closed with its exit status (held, it would have none when exec gave up waiting)
            assertThat(result.exitCode()).isZero();
            assertThat(result.stdout()).isEqualTo("started\n");
        } finally {
            Files.createFile(go);
        }
    }

    @Test
    void closingTheChannelKillsTheCommand() throws IOException {
        // given
        SimulatedHost ms1 = fleet.host("ms1");
        ms1.setFault("stop-msg", "hang", "");

        // when the client goes away while the command hangs
        try (ClientSession session = connect(ms1)) {
            ChannelExec channel = session.createExecChannel(ms1.msgSvrBase() + "/sbin/stop-msg");
            channel.open().verify(TIMEOUT);
            await().atMost(Duration.ofSeconds(30)).until(() -> running(ms1.msgSvrBase() + "/sbin/stop-msg"));
            channel.close(true);
        }
        // then the command is killed: while the fault holds it, nothing else ends it
        await().atMost(Duration.ofSeconds(30)).until(() -> !running(ms1.msgSvrBase() + "/sbin/stop-msg"));
        ms1.clearFault("stop-msg", "hang");

        // and it never completed
        assertThat(ms1.commandLog()).isEmpty();
        assertThat(ms1.stateLines("running")).hasSize(5); // as before: every service but imapd
    }

    /** Whether a process of this machine runs {@code command} (its command line names it). */
    private static boolean running(String command) {
        return ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().orElse("").contains(command));
    }

    @Test
    void restartKeepsHostStateAndKeys() throws IOException {
        // given
        SimulatedHost ms1 = fleet.host("ms1");
        exec(ms1, ms1.msgSvrBase() + "/sbin/stop-msg");
        String hostKeyLine = Files.readString(ms1.dir().resolve("ssh_host_ed25519_key.pub"));
        String clientKey = Files.readString(fleet.privateKey());
        fleet.close();

        // when
        fleet = startFleet(fleetDir);

        // then
        SimulatedHost again = fleet.host("ms1");
        assertThat(again.stateLines("running")).isEmpty();
        assertThat(again.commandLog()).extracting(CommandLogEntry::command).containsExactly("stop-msg");
        assertThat(Files.readString(again.dir().resolve("ssh_host_ed25519_key.pub"))).isEqualTo(hostKeyLine);
        assertThat(Files.readString(fleet.privateKey())).isEqualTo(clientKey);
        assertThat(exec(again, "echo back").stdout()).isEqualTo("back\n");
    }
}
