package com.msgupgrade.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.msgupgrade.UpgradeServiceApplication;
import com.msgupgrade.inventory.Deployment;
import com.msgupgrade.inventory.DeploymentRepository;
import com.msgupgrade.planning.Planner;
import com.msgupgrade.simulator.CommandLogEntry;
import com.msgupgrade.simulator.HostSpec;
import com.msgupgrade.simulator.SimulatedFleet;
import com.msgupgrade.simulator.SimulatedHost;
import com.msgupgrade.support.FleetSupport;
import com.msgupgrade.support.Postgres;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The fleet benchmark (not part of the test suite; run with the benchmark profile, see README): N simulated
 * hosts whose commands take a configurable time, the service on PostgreSQL, a full rollout with every gate
 * approved automatically by two different people, and one table of figures.
 */
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
        Map<String, Object> p = new HashMap<>();
        p.put("spring.datasource.url", jdbcUrl);
        p.put("spring.datasource.username", "postgres");
        p.put("spring.datasource.password", "postgres");
        p.put("spring.datasource.hikari.maximum-pool-size", "30");
        p.put("server.port", "0");
        p.put("msgsrv.demo", "true");
        p.put("msgsrv.rollout.parallelism", Integer.toString(parallelism));
        p.put("msgsrv.runs.poll-interval", "PT1S");
        p.put("camunda.bpm.job-execution.core-pool-size", Integer.toString(Math.max(8, parallelism)));
        p.put("camunda.bpm.job-execution.max-pool-size", Integer.toString(Math.max(16, parallelism + 8)));
        p.put("camunda.bpm.job-execution.queue-capacity", "10");
        p.put("camunda.bpm.job-execution.max-jobs-per-acquisition", Integer.toString(Math.max(10, parallelism)));
        p.put("camunda.bpm.job-execution.max-wait", "500");
        p.put("camunda.bpm.job-execution.wait-time-in-millis", "100");
        p.put("msgsrv.ssh.private-key", fleet.privateKey().toString());
        p.put("msgsrv.ssh.known-hosts", fleet.knownHosts().toString());
        p.put("msgsrv.secrets.file", fleet.dir().resolve("secrets.properties").toString());
        p.put("logging.level.com.msgupgrade", "WARN");
        p.put("logging.level.org.camunda", "WARN");
        String[] args = p.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);

        AtomicLong peakHeap = new AtomicLong();
        AtomicLong peakRss = new AtomicLong();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> {
            peakHeap.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
            peakRss.accumulateAndGet(rssBytes(), Math::max);
        }, 0, 200, TimeUnit.MILLISECONDS);

        try (ConfigurableApplicationContext service = new SpringApplicationBuilder(UpgradeServiceApplication.class)
                .run(args)) {
            DeploymentRepository deployments = service.getBean(DeploymentRepository.class);
            ObjectNode json = (ObjectNode) new ObjectMapper().readTree(FleetSupport.deploymentJson(fleet));
            ArrayNode groups = json.putArray("groups");
            groups.addObject().put("name", "lb").put("topology", "load-balanced").putArray("members").add("mta1").add("mta2");
            ObjectNode cluster = groups.addObject().put("name", "np1").put("topology", "n-plus-1").put("standby", "nx");
            cluster.putArray("members").add("n1").add("n2");
            Deployment deployment = deployments.fromJson(json.toString());
            deployments.save(deployment, "operator");

            Planner planner = service.getBean(Planner.class);
            List<Long> planNanos = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                long t = System.nanoTime();
                assertThat(planner.plan(deployment, "6.3").runnable()).isTrue();
                planNanos.add(System.nanoTime() - t);
            }

            TaskService tasks = service.getBean(TaskService.class);
            IdentityService identities = service.getBean(IdentityService.class);
            JdbcTemplate jdbc = service.getBean(JdbcTemplate.class);
            Instant start = Instant.now();
            String id = service.getBean(com.msgupgrade.rollout.RolloutService.class).start(deployment.name(), "6.3",
                    "operator", new com.msgupgrade.approval.ChangePolicy("per-tier", List.of(), List.of())).id();
            int[] turn = {0};
            await().atMost(Duration.ofHours(2)).pollInterval(Duration.ofMillis(100)).until(() -> {
                for (Task task : tasks.createTaskQuery().processInstanceBusinessKey(id).list()) {
                    decide(tasks, identities, task, turn);
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
                    "| peak heap / RSS (service + in-process simulator) | " + peakHeap.get() / (1024 * 1024) + " MiB / "
                            + peakRss.get() / (1024 * 1024) + " MiB |",
                    "| database rows per host (engine + service) | " + rows / hosts + " |",
                    "| plan computation (median of 5) | " + pct(planNanos, 50) / 1_000_000 + " ms |");
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

    private static void decide(TaskService tasks, IdentityService identities, Task task, int[] turn) {
        String key = task.getTaskDefinitionKey();
        boolean operatorTask = Set.of("Task_ConfirmDependencies", "Task_RecordDirectoryBackup",
                "Task_DecommissionConfigDirectory").contains(key);
        String user = operatorTask ? "operator" : (turn[0]++ % 2 == 0 ? "approver1" : "approver2");
        identities.setAuthentication(user, List.of(operatorTask ? "operators" : "change-managers"));
        try {
            tasks.complete(task.getId(), Map.of("decision", operatorTask ? "confirmed" : "approve",
                    "decisionComment", "benchmark", "backupReference", "bench-backup"));
        } catch (RuntimeException refused) {
            // e.g. the same approver twice in the CAB: the other one takes it on the next poll
        } finally {
            identities.clearAuthentication();
        }
    }

    private static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
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
