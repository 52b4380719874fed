package com.msgupgrade.support;

import static org.awaitility.Awaitility.await;

import com.msgupgrade.simulator.SimulatedFleet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.boot.web.client.RestTemplateBuilder;
import org.springframework.http.HttpMethod;

/**
 * The service as users run it: {@code java -jar msgsrv-upgrade-service.jar} in a process of its own, so that a
 * test can kill it (-9) or stop it (SIGTERM) for real. Its output goes to {@code target/it-logs/<node>-<n>.log}.
 */
public final class ServiceProcess implements AutoCloseable {

    public static final String ADMIN = "admin";
    // the demo users and the admin share the password Api uses
    static final String ADMIN_PASSWORD = Api.PASSWORD;

    private final String node;
    private final Map<String, String> properties;
    private final List<String> jvmOptions;
    private final int port;
    private final Path log;
    private final Process process;

    private ServiceProcess(String node, Map<String, String> properties, List<String> jvmOptions, int port, Path log,
            Process process) {
        this.node = node;
        this.properties = properties;
        this.jvmOptions = jvmOptions;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /**
     * The settings every test node shares: the database, the fleet's SSH key, known hosts and secrets, the demo
     * users (password {@code demo}), and timings short enough for a test (short job locks so that a restarted or
     * surviving node takes over a dead node's jobs within seconds).
     */
    public static Map<String, String> settings(String jdbcUrl, SimulatedFleet fleet) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("spring.datasource.url", jdbcUrl);
        p.put("spring.datasource.username", "postgres");
        p.put("spring.datasource.password", "postgres");
        p.put("msgsrv.demo", "true");
        p.put("msgsrv.ssh.private-key", fleet.privateKey().toString());
        p.put("msgsrv.ssh.known-hosts", fleet.knownHosts().toString());
        p.put("msgsrv.secrets.file", fleet.dir().resolve("secrets.properties").toString());
        p.put("msgsrv.review.patch-config", FleetSupport.REVIEW_WHEN_REPORTED);
        p.put("msgsrv.runs.quick-wait", "PT2S");
        p.put("msgsrv.runs.poll-interval", "PT1S");
        p.put("msgsrv.runs.retry-cycle", "R2/PT2S");
        p.put("msgsrv.rollout.slot-poll-interval", "PT1S");
        p.put("camunda.bpm.job-execution.lock-time-in-millis", "12000");
        p.put("camunda.bpm.job-execution.max-wait", "1000");
        return p;
    }

    /** Starts node {@code node} and waits until it answers healthy. */
    public static ServiceProcess start(String node, Map<String, String> settings) {
        return start(node, settings, List.of("-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    }

    /** Starts node {@code node} with these JVM options and waits until it answers healthy. */
    public static ServiceProcess start(String node, Map<String, String> settings, List<String> jvmOptions) {
        try {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Map<String, String> properties = new LinkedHashMap<>(settings);
            properties.put("server.port", String.valueOf(port));
            properties.put("msgsrv.node-id", node);
            Path logs = Files.createDirectories(Path.of(System.getProperty("it.logs", "target/it-logs")));
            Path log = logs.resolve(node + "-" + System.currentTimeMillis() + ".log");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", jar().toString()));
            properties.forEach((k, v) -> command.add("--" + k + "=" + v));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().put("MSGSRV_ADMIN_PASSWORD", ADMIN_PASSWORD);
            ServiceProcess service = new ServiceProcess(node, settings, jvmOptions, port, log, builder.start());
            service.awaitHealthy();
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same node started again on the same settings (after a kill or a stop). */
    public ServiceProcess restart() {
        if (process.isAlive()) {
            throw new IllegalStateException(node + " is still running");
        }
        return start(node, properties, jvmOptions);
    }

    private static Path jar() {
        Path jar = Path.of(System.getProperty("service.jar", "target/msgsrv-upgrade-service.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: these tests run after `package`"
                    + " (./mvnw verify)");
        }
        return jar;
    }

    private void awaitHealthy() {
        Api anonymous = api();
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(node + " exited with " + process.exitValue() + " while starting:\n"
                        + tail());
            }
            try {
                return anonymous.call(null, HttpMethod.GET, "/actuator/health", null, String.class)
                        .getStatusCode().is2xxSuccessful();
            } catch (org.springframework.web.client.ResourceAccessException notYet) {
                return false;
            }
        });
    }

    public String node() {
        return node;
    }

    public Api api() {
        return new Api(new TestRestTemplate(new RestTemplateBuilder().rootUri("http://127.0.0.1:" + port)
                .connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(60))));
    }

    /** Drives rollouts on this node through its HTTP API; tasks are found through the engine REST API. */
    public Flow flow() {
        return Flow.overRest(api(), ADMIN);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** kill -9: no shutdown hook, no commit, nothing flushed. */
    public void kill() {
        process.destroyForcibly();
        waitForExit(Duration.ofSeconds(30));
    }

    /** SIGTERM; returns how long the process took to exit. */
    public Duration terminate(Duration atMost) {
        long started = System.nanoTime();
        process.destroy();
        waitForExit(atMost);
        return Duration.ofNanos(System.nanoTime() - started);
    }

    public long pid() {
        return process.pid();
    }

    public int exitValue() {
        return process.exitValue();
    }

    private void waitForExit(Duration atMost) {
        try {
            if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(node + " did not exit within " + atMost);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The last lines of the node's output, for failure messages. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public Path log() {
        return log;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            waitForExit(Duration.ofSeconds(30));
        }
    }

    @Override
    public String toString() {
        return node + " (pid " + process.pid() + ", port " + port + ")";
    }
}
