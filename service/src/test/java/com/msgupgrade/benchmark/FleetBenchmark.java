package com.msgupgrade.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.msgupgrade.simulator.CommandLogEntry;
import com.msgupgrade.simulator.HostSpec;
import com.msgupgrade.simulator.SimulatedFleet;
import com.msgupgrade.simulator.SimulatedHost;
import com.msgupgrade.support.FleetSupport;
import com.msgupgrade.support.Api;
import com.msgupgrade.support.Postgres;
import com.msgupgrade.support.Runs;
import com.msgupgrade.support.ServiceProcess;
import java.util.HashMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The fleet benchmark (not part of the test suite; run with the benchmark profile, see README): N simulated
 * hosts whose commands take a configurable time, the service jar in a process of its own (-Xmx1g) on PostgreSQL,
 * a full rollout with every gate approved automatically through the API by two different people, and one table
 * of figures.
 */
@SuppressWarnings({"unchecked", "rawtypes"})
class FleetBenchmark {

    static final Set<String> TIMED = Set.of("stop-msg", "start-msg", "patchadd", "patch-config", "install-newconfig",
            "ldapmodify", "configutil", "useconfig");

    @Test
    void rollOutAFleet() throws Exception {
        int hosts = Integer.getInteger("bench.hosts", 10);
        int seconds = Integer.getInteger("bench.commandSeconds", 1);
        int parallelism = Integer.getInteger("bench.parallelism", 20);

        List<HostSpec> specs = new ArrayList<>();
        specs.add(HostSpec.solaris("mta1", "6.2p3", List.of("mta")));
        specs.add(HostSpec.solaris("mta2", "6.2p3", List.of("mta")));
        specs.add(HostSpec.solaris("n1", "6.2p3", List.of("store")));
        specs.add(HostSpec.solaris("n2", "6.2p3", List.of("store")));
        specs.add(HostSpec.solaris("nx", "6.2p3", List.of("store")));
        for (int i = 1; specs.size() < hosts; i++) {
            specs.add(HostSpec.solaris("st" + i, "6.2p3", List.of("store")));
        }
        SimulatedFleet fleet = FleetSupport.start("bench", "127.0.10.1", specs);
        for (SimulatedHost host : fleet.hosts()) {
            for (String command : TIMED) {
                host.setFault(command, "delay", Integer.toString(seconds));
            }
        }
        String jdbcUrl = Postgres.newDatabase();
        JdbcTemplate jdbc = Runs.jdbc(jdbcUrl);
        Map<String, String> p = ServiceProcess.settings(jdbcUrl, fleet);
        // the service's own defaults (README), but for the poll interval and the pool sizes the parallelism needs
        p.remove("camunda.bpm.job-execution.lock-time-in-millis");
        p.remove("camunda.bpm.job-execution.max-wait");
        p.remove("msgsrv.runs.retry-cycle");
        p.remove("msgsrv.rollout.slot-poll-interval");
        p.put("msgsrv.runs.quick-wait", "PT20S");
        p.put("msgsrv.runs.poll-interval", "PT1S");
        p.put("msgsrv.rollout.parallelism", Integer.toString(parallelism));
        p.put("spring.datasource.hikari.maximum-pool-size", Integer.toString(parallelism + 10));
        p.put("camunda.bpm.job-execution.core-pool-size", Integer.toString(Math.max(10, parallelism + 4)));
        p.put("camunda.bpm.job-execution.max-pool-size", Integer.toString(Math.max(10, parallelism + 4)));
        p.put("camunda.bpm.job-execution.max-jobs-per-acquisition", Integer.toString(Math.max(10, parallelism)));
        p.put("logging.level.com.msgupgrade", System.getProperty("bench.log", "WARN"));
        p.put("logging.level.org.camunda", "WARN");

        AtomicLong peakHeap = new AtomicLong();
        AtomicLong peakRss = new AtomicLong();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        try (ServiceProcess service = ServiceProcess.start("bench", p, List.of("-Xmx1g"))) {
            Api api = service.api();
            sampler.scheduleAtFixedRate(() -> {
                peakHeap.accumulateAndGet(heapUsed(api), Math::max);
                peakRss.accumulateAndGet(rssBytes(service.pid()), Math::max);
            }, 0, 500, TimeUnit.MILLISECONDS);

            ObjectNode json = (ObjectNode) new ObjectMapper().readTree(FleetSupport.deploymentJson(fleet));
            json.put("name", "bench");
            ArrayNode groups = json.putArray("groups");
            groups.addObject().put("name", "lb").put("topology", "load-balanced").putArray("members").add("mta1").add("mta2");
            ObjectNode cluster = groups.addObject().put("name", "np1").put("topology", "n-plus-1").put("standby", "nx");
            cluster.putArray("members").add("n1").add("n2");
            assertThat(api.putJson("operator", "/api/deployments/bench", json.toString()).getStatusCode().value())
                    .isEqualTo(200);

            // planning, as the service measures it (Server-Timing), median of 5 after one warm-up
            List<Long> planNanos = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                ResponseEntity<String> plan = api.call("operator", HttpMethod.GET, "/api/deployments/bench/plan", null,
                        String.class);
                assertThat(plan.getBody().contains("\"errors\":[]")).as("the plan has no errors").isTrue();
                double millis = Double.parseDouble(plan.getHeaders().getFirst("Server-Timing").replaceAll(".*dur=", ""));
                if (i > 0) {
                    planNanos.add((long) (millis * 1_000_000));
                }
            }

            Instant start = Instant.now();
            ResponseEntity<Map> created = api.call("operator", HttpMethod.POST, "/api/rollouts",
                    Map.of("deployment", "bench", "target", "6.3", "downtimePolicy", "per-tier"), Map.class);
            String id = (String) created.getBody().get("id");
            int[] turn = {0};
            await().atMost(Duration.ofHours(3)).pollInterval(Duration.ofMillis(100)).until(() -> {
                List<Map<String, Object>> open = api.call(ServiceProcess.ADMIN, HttpMethod.GET,
                        "/engine-rest/task?processInstanceBusinessKey=" + id, null, List.class).getBody();
                for (Map<String, Object> task : open) {
                    decide(api, task, turn);
                }
                return "COMPLETED".equals(jdbc.queryForObject("SELECT state FROM \"MSGSRV\".rollout WHERE id = ?",
                        String.class, id));
            });
            Duration wall = Duration.between(start, Instant.now());
            sampler.shutdownNow();

            // figures
            Map<String, Long> hostSeconds = new HashMap<>();
            List<Long> gaps = new ArrayList<>();
            for (SimulatedHost host : fleet.hosts()) {
                List<CommandLogEntry> log = host.commandLog();
                long timed = log.stream().filter(e -> TIMED.contains(e.command())).count();
                hostSeconds.put(host.name(), timed * seconds);
                for (int i = 1; i < log.size(); i++) {
                    CommandLogEntry prev = log.get(i - 1);
                    CommandLogEntry next = log.get(i);
                    if (TIMED.contains(next.command())) {
                        Instant nextStart = next.timestamp().minusSeconds(seconds);
                        gaps.add(Math.max(0, Duration.between(prev.timestamp(), nextStart).toMillis()));
                    }
                }
            }
            long critical = criticalPathSeconds(hostSeconds, parallelism, seconds);
            List<Long> approvalToCommand = approvalLatencies(jdbc, id);
            long rows = 0;
            for (Map<String, Object> t : jdbc.queryForList("SELECT table_schema, table_name FROM information_schema.tables"
                    + " WHERE table_schema IN ('public', 'MSGSRV') AND table_type = 'BASE TABLE'")) {
                rows += jdbc.queryForObject("SELECT COUNT(*) FROM \"" + t.get("table_schema") + "\".\""
                        + t.get("table_name") + "\"", Long.class);
            }
            String table = String.join("\n",
                    "| figure | value |", "|---|---|",
                    "| hosts, command duration, parallelism | " + hosts + ", " + seconds + " s, " + parallelism + " |",
                    "| total wall time | " + wall.toSeconds() + " s |",
                    "| critical path of host command time | " + critical + " s |",
                    "| orchestration overhead ratio | " + String.format("%.2f", wall.toMillis() / 1000.0 / critical) + " |",
                    "| per-step overhead p50 / p95 | " + pct(gaps, 50) + " ms / " + pct(gaps, 95) + " ms |",
                    "| approval → next command p50 / p99 | " + pct(approvalToCommand, 50) + " ms / "
                            + pct(approvalToCommand, 99) + " ms |",
                    "| peak heap / RSS of the service (-Xmx1g) | " + peakHeap.get() / (1024 * 1024) + " MiB / "
                            + peakRss.get() / (1024 * 1024) + " MiB |",
                    "| database rows per host (engine + service) | " + rows / hosts + " |",
                    "| plan computation (Server-Timing, median of 5) | " + pct(planNanos, 50) / 1_000_000 + " ms |");
            System.out.println("\nFLEET BENCHMARK\n" + table + "\n");
            Files.writeString(Path.of("target", "benchmark-" + hosts + ".md"), table + "\n");
        } finally {
            sampler.shutdownNow();
            fleet.close();
        }
    }

    /**
     * The host command time along the rollout's order: phases one after another; in a phase of standalone
     * stores the hosts share {@code parallelism} lanes; the load-balanced pair and the cluster run their hosts
     * one after another; the post-upgrade steps of a phase run in parallel (one command each).
     */
    static long criticalPathSeconds(Map<String, Long> hostSeconds, int parallelism, int seconds) {
        long stores = 0;
        long longestStore = 0;
        long cluster = 0;
        for (Map.Entry<String, Long> e : hostSeconds.entrySet()) {
            long upgrade = e.getValue() - 2L * seconds; // enable-imap and disable-mshttpd are post-upgrade phases
            if (e.getKey().startsWith("st")) {
                stores += upgrade;
                longestStore = Math.max(longestStore, upgrade);
            } else if (e.getKey().startsWith("n")) {
                cluster += upgrade;
            }
        }
        long storesPhase = Math.max(Math.max(longestStore, cluster), (stores + cluster) / parallelism);
        long mtaPhase = hostSeconds.getOrDefault("mta1", 0L) + hostSeconds.getOrDefault("mta2", 0L);
        return storesPhase + seconds /* enable IMAP */ + mtaPhase + seconds /* disable mshttpd */;
    }

    private static List<Long> approvalLatencies(JdbcTemplate jdbc, String rolloutId) {
        List<Map<String, Object>> entries = jdbc.queryForList("SELECT kind, recorded_at, detail FROM \"MSGSRV\".audit_event"
                + " WHERE rollout_id = ? ORDER BY seq", rolloutId);
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            // the gates right before host work: a host's, a tier's or a cluster's approval
            String gate = String.valueOf(entries.get(i).get("detail"));
            if (!"DECISION".equals(entries.get(i).get("kind")) || !(gate.contains("Task_ApproveHostUpgrade")
                    || gate.contains("Task_ApproveTierDowntime") || gate.contains("Task_ApproveFailover"))) {
                continue;
            }
            Instant decided = ((java.sql.Timestamp) entries.get(i).get("recorded_at")).toInstant();
            for (int j = i + 1; j < entries.size(); j++) {
                if ("COMMAND".equals(entries.get(j).get("kind")) || "CHECK".equals(entries.get(j).get("kind"))) {
                    String detail = (String) entries.get(j).get("detail");
                    String startedAt = detail.replaceAll(".*\"startedAt\":\"([^\"]+)\".*", "$1");
                    latencies.add(Math.max(0, Duration.between(decided, Instant.parse(startedAt)).toMillis()));
                    break;
                }
            }
        }
        return latencies;
    }

    /** Gates through /api/approvals, by approver1 and approver2 in turn; the operator's tasks through the engine REST API. */
    private static void decide(Api api, Map<String, Object> task, int[] turn) {
        String key = (String) task.get("taskDefinitionKey");
        String taskId = (String) task.get("id");
        if (Set.of("Task_ConfirmDependencies", "Task_RecordDirectoryBackup", "Task_DecommissionConfigDirectory")
                .contains(key)) {
            api.call("operator", HttpMethod.POST, "/engine-rest/task/" + taskId + "/complete",
                    "{\"variables\":{\"decision\":{\"value\":\"confirmed\"},\"decisionComment\":{\"value\":\"benchmark\"},"
                            + "\"backupReference\":{\"value\":\"bench-backup\"}}}", String.class);
            return;
        }
        // a refusal (the same approver twice in the CAB, a task decided meanwhile) is retried on the next poll
        api.call(turn[0]++ % 2 == 0 ? "approver1" : "approver2", HttpMethod.POST, "/api/approvals/" + taskId,
                Map.of("decision", "approve", "comment", "benchmark"), String.class);
    }

    private static long heapUsed(Api api) {
        try {
            Map<String, Object> metric = api.getMap(ServiceProcess.ADMIN, "/actuator/metrics/jvm.memory.used?tag=area:heap");
            List<Map<String, Object>> measurements = (List<Map<String, Object>>) metric.get("measurements");
            return ((Number) measurements.get(0).get("value")).longValue();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (java.io.IOException e) {
            return 0;
        }
        return 0;
    }

    private static long pct(List<Long> values, int percentile) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1));
    }
}
