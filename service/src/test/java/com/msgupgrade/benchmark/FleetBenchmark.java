package com.msgupgrade.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.Session;
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
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
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

    /** The phase of the load-balanced MTA pairs. */
    private static final String MTA_PAIRS = "mta pairs";

    static final Set<String> TIMED = Set.of("stop-msg", "start-msg", "patchadd", "patch-config", "install-newconfig",
            "ldapmodify", "configutil", "useconfig");

    @Test
    void rollOutAFleet() throws Exception {
        // the simulated hosts' SSH servers log every session they authenticate: a thousand lines around the table
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.apache.sshd"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        int hosts = Integer.getInteger("bench.hosts", 10);
        int seconds = Integer.getInteger("bench.commandSeconds", 1);
        int parallelism = Integer.getInteger("bench.parallelism", 20);

        int warmupHosts = Integer.getInteger("bench.warmupHosts", 20);
        List<HostSpec> specs = new ArrayList<>(fleetSpecs("", hosts));
        if (warmupHosts > 0) {
            specs.addAll(fleetSpecs(WARMUP, Math.max(warmupHosts, 6)));
        }
        boolean baseline = Boolean.parseBoolean(System.getProperty("bench.baseline", "true"));
        if (baseline) {
            specs.addAll(fleetSpecs(BASELINE, hosts).stream().filter(h -> h.name().startsWith(BASELINE + "st")).toList());
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
        // not the service's default (a person reviews every host's new configuration after patch-config): the figures
        // measure the orchestration, and a review per host would measure the benchmark's approver
        p.put("msgsrv.review.patch-config", com.msgupgrade.support.FleetSupport.REVIEW_WHEN_REPORTED);
        // a post-upgrade step runs on every store at once, its first read (configutil, timed) inside a job
        int jobThreads = Integer.getInteger("bench.jobThreads", 48);
        p.put("spring.datasource.hikari.maximum-pool-size", Integer.toString(jobThreads + 10));
        p.put("camunda.bpm.job-execution.core-pool-size", Integer.toString(jobThreads));
        p.put("camunda.bpm.job-execution.max-pool-size", Integer.toString(jobThreads));
        p.put("camunda.bpm.job-execution.max-jobs-per-acquisition", Integer.toString(Math.max(10, parallelism)));
        p.put("logging.level.com.msgupgrade", System.getProperty("bench.log", "WARN"));
        p.put("logging.level.org.camunda", "WARN");
        for (String setting : System.getProperty("bench.serviceArgs", "").trim().split("\\s+")) {
            if (!setting.isEmpty()) {
                p.put(setting.substring(0, setting.indexOf('=')), setting.substring(setting.indexOf('=') + 1));
            }
        }

        AtomicLong peakRss = new AtomicLong();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        // the heap from the collector's log, not from requests to the service: a request a second had been a
        // load no operator puts on it (the HTTP threads' share of the service's samples in a profile)
        Path gcLog = Path.of("target", "benchmark-" + hosts + "-gc.log").toAbsolutePath();
        Files.deleteIfExists(gcLog);
        try (ServiceProcess service = ServiceProcess.start("bench", p, jvmOptions(gcLog))) {
            Api api = service.api();
            sampler.scheduleAtFixedRate(() -> peakRss.accumulateAndGet(rssBytes(service.pid()), Math::max),
                    0, 500, TimeUnit.MILLISECONDS);

            register(api, fleet, "bench", "");
            if (warmupHosts > 0) {
                // the service's JIT compiler took half its CPU time in the first minute of a rollout: a running
                // service is past that, so the figures are of a second rollout, after one of a small fleet
                register(api, fleet, "warmup", WARMUP);
                rollOut(api, jdbc, "warmup");
            }
            Map<String, Long> rowsBefore = rowCounts(jdbc);

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

            long[] cpuBefore = MachineCpu.ticks();
            long processesBefore = MachineCpu.processesStarted();
            Instant start = Instant.now();
            String id = rollOut(api, jdbc, "bench");
            Duration wall = Duration.between(start, Instant.now());
            String machineBusy = MachineCpu.busy(cpuBefore, MachineCpu.ticks()) + "; "
                    + (MachineCpu.processesStarted() - processesBefore) / hosts + " processes and threads started per host";
            sampler.shutdownNow();
            GcHeap heap = GcHeap.of(Files.readAllLines(gcLog), heapUsed(api));

            // figures
            Map<String, Map<String, Long>> hostSeconds = new HashMap<>();
            List<Long> gaps = new ArrayList<>();
            for (SimulatedHost host : measured(fleet)) {
                List<CommandLogEntry> log = host.commandLog();
                for (CommandLogEntry e : log) {
                    if (TIMED.contains(e.command())) {
                        hostSeconds.computeIfAbsent(host.name(), h -> new HashMap<>()).merge(phaseOf(host, e), (long) seconds,
                                Long::sum);
                    }
                }
                for (int i = 1; i < log.size(); i++) {
                    CommandLogEntry prev = log.get(i - 1);
                    CommandLogEntry next = log.get(i);
                    if (TIMED.contains(next.command())) {
                        Instant nextStart = next.timestamp().minusSeconds(seconds);
                        gaps.add(Math.max(0, Duration.between(prev.timestamp(), nextStart).toMillis()));
                    }
                }
            }
            Map<String, Long> criticalByPhase = criticalPathSeconds(hostSeconds, parallelism);
            long critical = criticalByPhase.values().stream().mapToLong(Long::longValue).sum();
            String phases = phases(fleet, start, seconds, criticalByPhase);
            List<Long> approvalToCommand = approvalLatencies(jdbc, id);
            Map<String, Long> rowsAdded = new java.util.TreeMap<>();
            rowCounts(jdbc).forEach((table, n) -> rowsAdded.put(table, n - rowsBefore.getOrDefault(table, 0L)));
            long rows = rowsAdded.values().stream().mapToLong(Long::longValue).sum();
            String cpu = cpuSeconds(service.pid());
            String storeTime = storeUpgradeBreakdown(jdbc, id, fleet, hostSeconds);
            String floor = baseline ? baseline(jdbc, id, fleet, parallelism, seconds) : "not run (-Dbench.baseline=false)";
            String table = String.join("\n",
                    "| figure | value |", "|---|---|",
                    "| hosts, command duration, parallelism | " + hosts + ", " + seconds + " s, " + parallelism + " |",
                    "| total wall time | " + wall.toSeconds() + " s |",
                    "| critical path of host command time | " + critical + " s |",
                    "| orchestration overhead ratio | " + String.format("%.2f", wall.toMillis() / 1000.0 / critical) + " |",
                    "| per-step overhead p50 / p95 | " + pct(gaps, 50) + " ms / " + pct(gaps, 95) + " ms |",
                    "| approval → next command p50 / p99 | " + pct(approvalToCommand, 50) + " ms / "
                            + pct(approvalToCommand, 99) + " ms |",
                    "| peak heap (before a collection) / RSS of the service (-Xmx1g); full collections | "
                            + heap.peakMiB() + " MiB / " + peakRss.get() / (1024 * 1024) + " MiB; " + heap.full()
                            + (heap.full() == 0 ? "" : " (the heap after: " + heap.afterFullMiB() + " MiB at most)")
                            + " |",
                    "| database rows per host (engine + service) | " + rows / hosts + " |",
                    "| plan computation (Server-Timing, median of 5) | " + pct(planNanos, 50) / 1_000_000 + " ms |",
                    "| CPU time: service / PostgreSQL / benchmark JVM with the simulated hosts' SSH servers / the simulated"
                            + " hosts' commands (their shells and tools) | " + cpu + " |",
                    "| the machine's cores busy during the rollout (all processes; of which waiting for the"
                            + " hypervisor); processes started | " + machineBusy + " |",
                    "| a standalone store's upgrade, mean: total = timed commands + the hosts' own time around the"
                            + " changing commands + read-only commands + orchestration | " + storeTime + " |",
                    "| phases (seconds after the rollout was created, first command start – last command end;"
                            + " their critical path) | "
                            + phases + " |",
                    "| without orchestration: the standalone stores' commands replayed over SSH in " + parallelism
                            + " lanes, nothing between them (wall time / critical path = ratio) | " + floor + " |");
            System.out.println("\nFLEET BENCHMARK\n" + table + "\n\nrows per host by table: " + rowsAdded.entrySet()
                    .stream().filter(e -> e.getValue() > 0).sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .map(e -> e.getKey() + " " + String.format("%.1f", e.getValue() / (double) hosts)).toList() + "\n");
            service.terminate(Duration.ofSeconds(60)); // a clean exit, so that a flight recording is written
            Files.writeString(Path.of("target", "benchmark-" + hosts + ".md"), table + "\n");
            // the rollout's audit trail and the engine's job log, for a closer look at where the time went
            Files.write(Path.of("target", "benchmark-" + hosts + "-audit.tsv"), jdbc.query("SELECT seq, recorded_at, kind,"
                    + " actor, host_name, step_id, detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? ORDER BY seq",
                    (rs, n) -> rs.getLong(1) + "\t" + rs.getTimestamp(2).toInstant() + "\t" + rs.getString(3) + "\t"
                            + rs.getString(4) + "\t" + rs.getString(5) + "\t" + rs.getString(6) + "\t"
                            + rs.getString(7).replaceAll("\\s+", " "), id));
            Files.write(Path.of("target", "benchmark-" + hosts + "-activities.tsv"), jdbc.query("SELECT a.START_TIME_,"
                    + " a.END_TIME_, a.PROC_DEF_KEY_, a.ACT_ID_, a.PROC_INST_ID_, v.TEXT_ FROM ACT_HI_ACTINST a"
                    + " LEFT JOIN ACT_HI_VARINST v ON v.PROC_INST_ID_ = a.PROC_INST_ID_ AND v.NAME_ = 'hostName'"
                    + " AND v.EXECUTION_ID_ = a.PROC_INST_ID_ ORDER BY a.START_TIME_, a.SEQUENCE_COUNTER_",
                    (rs, n) -> rs.getTimestamp(1).toInstant() + "\t" + (rs.getTimestamp(2) == null ? "-"
                            : rs.getTimestamp(2).toInstant()) + "\t" + rs.getString(3) + "\t" + rs.getString(4) + "\t"
                            + rs.getString(5) + "\t" + rs.getString(6)));
            Files.write(Path.of("target", "benchmark-" + hosts + "-jobs.tsv"), jdbc.query("SELECT TIMESTAMP_, JOB_STATE_,"
                    + " JOB_DEF_TYPE_, ACT_ID_, PROCESS_DEF_KEY_, JOB_ID_, HOSTNAME_ FROM ACT_HI_JOB_LOG ORDER BY TIMESTAMP_",
                    (rs, n) -> rs.getTimestamp(1).toInstant() + "\t" + rs.getInt(2) + "\t" + rs.getString(3) + "\t"
                            + rs.getString(4) + "\t" + rs.getString(5) + "\t" + rs.getString(6) + "\t" + rs.getString(7)));
        } finally {
            sampler.shutdownNow();
            fleet.close();
        }
    }

    private static final String WARMUP = "w-";
    private static final String BASELINE = "b-";

    /**
     * The floor under the ratio, measured: what the standalone stores' upgrade takes on this machine with no
     * orchestration at all. The commands the rollout ran on each store (its audit trail: reads, checks and changing
     * commands, up to its first {@code verify-upgrade}) are run again on a fresh copy of the store ({@code b-st…},
     * never registered with the service), over one SSH connection per store, each command as soon as the one
     * before it ended, the stores taking {@code parallelism} lanes in order: no job, no transaction, no wrapper,
     * no audit. The service stays up but idle. Returns "wall time / critical path = ratio" of this phase alone.
     */
    private static String baseline(JdbcTemplate jdbc, String rolloutId, SimulatedFleet fleet, int parallelism,
            int seconds) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Properties secrets = new Properties();
        try (var in = Files.newInputStream(fleet.dir().resolve("secrets.properties"))) {
            secrets.load(in);
        }
        Map<SimulatedHost, List<String>> replays = new java.util.LinkedHashMap<>();
        for (SimulatedHost host : measured(fleet)) {
            if (!host.name().startsWith("st")) {
                continue;
            }
            SimulatedHost copy = fleet.host(BASELINE + host.name());
            List<String> commands = new ArrayList<>();
            for (Map<String, Object> entry : jdbc.queryForList("SELECT step_id, detail FROM \"MSGSRV\".audit_event"
                    + " WHERE rollout_id = ? AND host_name = ? AND kind IN ('COMMAND', 'CHECK') ORDER BY seq", rolloutId,
                    host.name())) {
                Map<String, Object> d = json.readValue((String) entry.get("detail"), Map.class);
                String command = ((String) d.get("command")).replace(host.dir() + "/", copy.dir() + "/")
                        .replace(host.dir() + "'", copy.dir() + "'");
                if (d.get("secret") != null) {
                    Path secret = copy.dir().resolve("tmp").resolve("bench-" + d.get("secret"));
                    Files.writeString(secret, secrets.getProperty((String) d.get("secret")));
                    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
                    command = "SECRET_FILE='" + secret + "'; export SECRET_FILE; " + command;
                }
                commands.add(command);
                if ("verify-upgrade".equals(entry.get("step_id"))) {
                    break;
                }
            }
            replays.put(copy, commands);
        }
        JSch jsch = new JSch();
        jsch.setKnownHosts(fleet.knownHosts().toString());
        jsch.addIdentity(fleet.privateKey().toString());
        ExecutorService lanes = Executors.newFixedThreadPool(parallelism);
        Instant start = Instant.now();
        try {
            List<Future<?>> done = new ArrayList<>();
            replays.forEach((host, commands) -> done.add(lanes.submit(() -> {
                Session session = jsch.getSession("root", host.address(), host.port());
                session.setConfig("StrictHostKeyChecking", "yes");
                session.connect(30_000);
                try {
                    for (String command : commands) {
                        ChannelExec channel = (ChannelExec) session.openChannel("exec");
                        channel.setCommand(command);
                        channel.setInputStream(null);
                        InputStream out = channel.getInputStream();
                        channel.setErrStream(OutputStream.nullOutputStream());
                        channel.connect(30_000);
                        out.transferTo(OutputStream.nullOutputStream());
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                        while (!channel.isClosed()) { // closes right after the end of its output
                            if (System.nanoTime() > deadline) {
                                throw new IllegalStateException("the channel of '" + command + "' did not close within"
                                        + " 60 s of its output's end");
                            }
                            LockSupport.parkNanos(200_000);
                        }
                        channel.disconnect();
                    }
                } finally {
                    session.disconnect();
                }
                return null;
            })));
            for (Future<?> lane : done) {
                lane.get(3, TimeUnit.HOURS);
            }
        } finally {
            lanes.shutdownNow();
        }
        double wall = Duration.between(start, Instant.now()).toMillis() / 1000.0;
        long sum = 0;
        long longest = 0;
        for (SimulatedHost host : replays.keySet()) {
            long timed = host.commandLog().stream().filter(e -> TIMED.contains(e.command())).count() * seconds;
            assertThat(host.version()).as("%s upgraded by the replay", host.name()).isEqualTo("6.3");
            sum += timed;
            longest = Math.max(longest, timed);
        }
        long critical = Math.max(longest, (sum + parallelism - 1) / parallelism);
        return String.format("%.1f s / %d s = %.2f", wall, critical, wall / critical);
    }

    /**
     * Where a standalone store's upgrade (its first command's start to the end of its last, {@code verify-upgrade})
     * goes, mean over the stores: the timed commands (the simulated durations); the rest of what the host spent
     * on its changing commands, from the run directories (the script written, with the launch, to the exit status
     * written: shell start-up, the simulated tools' own work); the read-only commands and checks as the service
     * timed them (its SSH round trip and the host's work, which the simulator does not time); and what remains,
     * the orchestration's own (jobs, transactions, the launch's and the check's round trips).
     */
    private static String storeUpgradeBreakdown(JdbcTemplate jdbc, String rolloutId, SimulatedFleet fleet,
            Map<String, Map<String, Long>> hostSeconds) throws Exception {
        ObjectMapper json = new ObjectMapper();
        double[] sums = new double[5];
        int stores = 0;
        for (SimulatedHost host : measured(fleet)) {
            if (!host.name().startsWith("st")) {
                continue;
            }
            Instant first = null;
            Instant last = null;
            double hostTime = 0;
            double reads = 0;
            for (Map<String, Object> entry : jdbc.queryForList("SELECT kind, detail FROM \"MSGSRV\".audit_event"
                    + " WHERE rollout_id = ? AND host_name = ? AND kind IN ('COMMAND', 'CHECK') ORDER BY seq", rolloutId,
                    host.name())) {
                Map<String, Object> d = json.readValue((String) entry.get("detail"), Map.class);
                Instant started = Instant.parse((String) d.get("startedAt"));
                Instant ended = Instant.parse((String) d.get("endedAt"));
                first = first == null ? started : first;
                last = ended;
                Path run = host.workDir().resolve((String) d.get("runId"));
                // a check carries the run id of the command it may spare, whose run directory exists once it ran
                if ("COMMAND".equals(entry.get("kind")) && Files.isRegularFile(run.resolve("exit"))
                        && Files.isRegularFile(run.resolve("cmd"))) {
                    hostTime += Duration.between(Files.getLastModifiedTime(run.resolve("cmd")).toInstant(),
                            Files.getLastModifiedTime(run.resolve("exit")).toInstant()).toMillis() / 1000.0;
                } else {
                    reads += Duration.between(started, ended).toMillis() / 1000.0;
                }
                if (String.valueOf(d.get("command")).contains("imsimta' version") && hostTime > 0) {
                    break; // verify-upgrade: the host is upgraded
                }
            }
            if (first == null) {
                continue;
            }
            double total = Duration.between(first, last).toMillis() / 1000.0;
            double timed = hostSeconds.getOrDefault(host.name(), Map.of()).getOrDefault("stores", 0L);
            sums[0] += total;
            sums[1] += timed;
            sums[2] += hostTime - timed;
            sums[3] += reads;
            sums[4] += total - hostTime - reads;
            stores++;
        }
        int n = Math.max(1, stores);
        return String.format("%.2f s = %.2f + %.2f + %.2f + %.2f s", sums[0] / n, sums[1] / n, sums[2] / n,
                sums[3] / n, sums[4] / n);
    }

    /** The load-balanced MTA pairs of a fleet of {@code hosts}: one per 50 hosts, at least one. */
    static int mtaPairs(int hosts) {
        return Math.max(1, hosts / 50);
    }

    /** The load-balanced pair an MTA ({@code mta1}, {@code mta2}…) belongs to: {@code lb1} holds mta1 and mta2. */
    static String mtaPair(String host) {
        return "lb" + (Integer.parseInt(host.substring("mta".length())) + 1) / 2;
    }

    /**
     * Load-balanced MTA pairs ({@link #mtaPairs}), an N+1 cluster (two nodes and a standby), and standalone stores
     * up to {@code hosts}.
     */
    private static List<HostSpec> fleetSpecs(String prefix, int hosts) {
        List<HostSpec> specs = new ArrayList<>();
        for (int i = 1; i <= 2 * mtaPairs(hosts); i++) {
            specs.add(HostSpec.solaris(prefix + "mta" + i, "6.2p3", List.of("mta")));
        }
        for (String node : List.of("n1", "n2", "nx")) {
            specs.add(HostSpec.solaris(prefix + node, "6.2p3", List.of("store")));
        }
        for (int i = 1; specs.size() < hosts; i++) {
            specs.add(HostSpec.solaris(prefix + "st" + i, "6.2p3", List.of("store")));
        }
        return specs;
    }

    private static List<SimulatedHost> measured(SimulatedFleet fleet) {
        return fleet.hosts().stream().filter(h -> isMeasured(h.name())).toList();
    }

    private static boolean isMeasured(String host) {
        return !host.startsWith(WARMUP) && !host.startsWith(BASELINE);
    }

    /** Registers the fleet's hosts named {@code prefix}… as deployment {@code name}, with its groups. */
    private static void register(Api api, SimulatedFleet fleet, String name, String prefix) throws Exception {
        ObjectNode json = (ObjectNode) new ObjectMapper().readTree(FleetSupport.deploymentJson(fleet));
        json.put("name", name);
        ArrayNode hosts = (ArrayNode) json.get("hosts");
        for (int i = hosts.size() - 1; i >= 0; i--) {
            String host = hosts.get(i).get("name").asText();
            if (!(prefix.isEmpty() ? isMeasured(host) : host.startsWith(prefix))) {
                hosts.remove(i);
            }
        }
        ArrayNode groups = json.putArray("groups");
        Map<String, ArrayNode> pairs = new HashMap<>();
        for (JsonNode host : hosts) {
            String unprefixed = host.get("name").asText().substring(prefix.length());
            if (unprefixed.startsWith("mta")) {
                pairs.computeIfAbsent(mtaPair(unprefixed), pair -> groups.addObject().put("name", pair)
                        .put("topology", "load-balanced").putArray("members")).add(host.get("name").asText());
            }
        }
        ObjectNode cluster = groups.addObject().put("name", "np1").put("topology", "n-plus-1")
                .put("standby", prefix + "nx");
        cluster.putArray("members").add(prefix + "n1").add(prefix + "n2");
        assertThat(api.putJson("operator", "/api/deployments/" + name, json.toString()).getStatusCode().value())
                .as("deployment %s registered", name).isEqualTo(200);
    }

    /** Creates a rollout of the deployment and decides every task as it opens, until the rollout completed. */
    private static String rollOut(Api api, JdbcTemplate jdbc, String deployment) {
        ResponseEntity<Map> created = api.call("operator", HttpMethod.POST, "/api/rollouts",
                Map.of("deployment", deployment, "target", "6.3", "downtimePolicy", "per-tier"), Map.class);
        String id = (String) created.getBody().get("id");
        int[] turn = {0};
        await().atMost(Duration.ofHours(3)).pollInterval(Duration.ofMillis(100)).until(() -> {
            // the open tasks are looked up in the database, as the rollout's state is: polling the API ten times a
            // second (authentication, authorization, the task query) took a fifth of the service's CPU samples in a
            // profile, load that no approver puts on it; the decisions themselves go through the API
            List<Map<String, Object>> open = jdbc.queryForList("SELECT t.id_ AS \"id\","
                    + " t.task_def_key_ AS \"taskDefinitionKey\" FROM act_ru_task t"
                    + " JOIN act_ru_execution e ON e.id_ = t.proc_inst_id_ WHERE e.business_key_ = ?", id);
            for (Map<String, Object> task : open) {
                decide(api, task, turn);
            }
            return "COMPLETED".equals(jdbc.queryForObject("SELECT state FROM \"MSGSRV\".rollout WHERE id = ?",
                    String.class, id));
        });
        return id;
    }

    private static Map<String, Long> rowCounts(JdbcTemplate jdbc) {
        Map<String, Long> rows = new HashMap<>();
        for (Map<String, Object> t : jdbc.queryForList("SELECT table_schema, table_name FROM information_schema.tables"
                + " WHERE table_schema IN ('public', 'MSGSRV') AND table_type = 'BASE TABLE'")) {
            rows.put(t.get("table_name").toString(), jdbc.queryForObject("SELECT COUNT(*) FROM \"" + t.get("table_schema")
                    + "\".\"" + t.get("table_name") + "\"", Long.class));
        }
        return rows;
    }

    /**
     * The host command time along the rollout's order, from the hosts' command logs (every timed command, the
     * reads of a timed tool such as {@code configutil} included): the stores phase (standalone stores sharing
     * {@code parallelism} lanes, the cluster's hosts one after another), enabling IMAP (all stores at once), the
     * load-balanced pairs (each one host after the other, the pairs sharing {@code parallelism} lanes), disabling
     * mshttpd (all stores at once).
     */
    static Map<String, Long> criticalPathSeconds(Map<String, Map<String, Long>> hostSeconds, int parallelism) {
        List<Long> storeUnits = new ArrayList<>();
        long cluster = 0;
        Map<String, Long> pairs = new HashMap<>();
        long enableImap = 0;
        long disableMshttpd = 0;
        for (Map.Entry<String, Map<String, Long>> e : hostSeconds.entrySet()) {
            long upgrade = e.getValue().getOrDefault("stores", 0L);
            if (e.getKey().startsWith("st")) {
                storeUnits.add(upgrade);
            } else if (e.getKey().startsWith("n")) {
                cluster += upgrade;
            }
            long mta = e.getValue().getOrDefault(MTA_PAIRS, 0L);
            if (mta > 0) {
                pairs.merge(mtaPair(e.getKey()), mta, Long::sum);
            }
            enableImap = Math.max(enableImap, e.getValue().getOrDefault("enable IMAP", 0L));
            disableMshttpd = Math.max(disableMshttpd, e.getValue().getOrDefault("disable mshttpd", 0L));
        }
        storeUnits.add(cluster); // the cluster's hosts one after another, in one lane
        Map<String, Long> phases = new java.util.LinkedHashMap<>();
        phases.put("stores", lanes(storeUnits, parallelism));
        phases.put("enable IMAP", enableImap);
        phases.put(MTA_PAIRS, lanes(pairs.values(), parallelism));
        phases.put("disable mshttpd", disableMshttpd);
        return phases;
    }

    /** Units of these durations sharing {@code parallelism} lanes: the longest unit, or the lanes filled evenly. */
    private static long lanes(java.util.Collection<Long> units, int parallelism) {
        long total = units.stream().mapToLong(Long::longValue).sum();
        return Math.max(units.stream().mapToLong(Long::longValue).max().orElse(0), (total + parallelism - 1) / parallelism);
    }

    /** The part of the rollout a host command belongs to (the names of {@link #phases}). */
    private static String phaseOf(SimulatedHost host, CommandLogEntry e) {
        return host.name().startsWith("mta") ? MTA_PAIRS
                // the setting, imapd looked for (in the host's zone) and started
                : e.argLine().contains("service.imap.enable") || e.argLine().equals("imap")
                        || e.argLine().contains("imapd") || e.command().equals("zonename") ? "enable IMAP"
                : e.argLine().contains("service.http.enable") || e.argLine().equals("http") ? "disable mshttpd"
                : "stores";
    }

    /**
     * When each part of the rollout ran on the hosts, from their command logs: the stores' and the cluster's
     * upgrade, enabling IMAP, the load-balanced pair, disabling mshttpd.
     */
    private static String phases(SimulatedFleet fleet, Instant start, int seconds, Map<String, Long> critical) {
        Map<String, long[]> spans = new java.util.LinkedHashMap<>();
        for (String phase : critical.keySet()) {
            spans.put(phase, new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
        }
        for (SimulatedHost host : measured(fleet)) {
            for (CommandLogEntry e : host.commandLog()) {
                if (!TIMED.contains(e.command())) {
                    continue;
                }
                String phase = phaseOf(host, e);
                long end = Duration.between(start, e.timestamp()).toMillis();
                long[] span = spans.get(phase);
                span[0] = Math.min(span[0], end - seconds * 1000L);
                span[1] = Math.max(span[1], end);
            }
        }
        List<String> parts = new ArrayList<>();
        spans.forEach((phase, span) -> parts.add(span[1] == Long.MIN_VALUE ? phase + " –"
                : String.format("%s %.1f–%.1f (%d s)", phase, span[0] / 1000.0, span[1] / 1000.0, critical.get(phase))));
        return String.join(", ", parts);
    }

    private static List<Long> approvalLatencies(JdbcTemplate jdbc, String rolloutId) {
        List<Map<String, Object>> entries = jdbc.queryForList("SELECT kind, recorded_at, host_name, detail FROM \"MSGSRV\".audit_event"
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
            // the earliest start after the decision among the commands of the hosts it let go (a host's gate: that
            // host; the failover gate: the cluster's; a tier's: any, the tiers being one after another). Entries are
            // recorded as commands end: the first recorded is the first to end, not always the first to start
            String gatedHost = String.valueOf(entries.get(i).get("host_name"));
            Instant first = null;
            for (int j = i + 1; j < entries.size(); j++) {
                String host = String.valueOf(entries.get(j).get("host_name"));
                boolean gated = gate.contains("Task_ApproveHostUpgrade") ? host.equals(gatedHost)
                        : !gate.contains("Task_ApproveFailover") || Set.of("n1", "n2", "nx").contains(host);
                if (("COMMAND".equals(entries.get(j).get("kind")) || "CHECK".equals(entries.get(j).get("kind")))
                        && gated) {
                    String detail = (String) entries.get(j).get("detail");
                    Instant started = Instant.parse(detail.replaceAll(".*\"startedAt\":\"([^\"]+)\".*", "$1"));
                    if (!started.isBefore(decided) && (first == null || started.isBefore(first))) {
                        first = started;
                    }
                }
            }
            if (first != null) {
                latencies.add(Duration.between(decided, first).toMillis());
                System.out.println("approval → next command: " + gate.replaceAll(".*(Task_Approve\\w+).*", "$1")
                        + " " + latencies.get(latencies.size() - 1) + " ms");
            }
        }
        return latencies;
    }

    /** Gates through /api/approvals, by approver1 and approver2 in turn; the operator's tasks through the engine REST API. */
    private static void decide(Api api, Map<String, Object> task, int[] turn) {
        String key = (String) task.get("taskDefinitionKey");
        String taskId = (String) task.get("id");
        if ("Task_DecideOnFailure".equals(key)) {
            // a step failed: nothing is measured any more (the rollout waits for a person), so the run ends here
            Map<String, Object> failure = api.call(ServiceProcess.ADMIN, HttpMethod.GET, "/engine-rest/task/" + taskId
                    + "/variables/failure", null, Map.class).getBody();
            throw new AssertionError("a step failed during the benchmark: " + (failure == null ? "?" : failure.get("value")));
        }
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

    /** -Xmx1g, the collector's log, and whatever {@code bench.jvmArgs} adds (a flight recording, say). */
    private static List<String> jvmOptions(Path gcLog) {
        List<String> options = new ArrayList<>(List.of("-Xmx1g", "-Xlog:gc:file=" + gcLog));
        String extra = System.getProperty("bench.jvmArgs", "").trim();
        if (!extra.isEmpty()) {
            options.addAll(List.of(extra.split("\\s+")));
        }
        return options;
    }

    /**
     * CPU seconds so far of the service, of PostgreSQL's processes, of this JVM (the simulator's SSH servers) and of
     * this JVM's children that ended (the simulated hosts' commands: every process a host's SSH server started, with
     * what those waited for).
     */
    private static String cpuSeconds(long servicePid) {
        double service = 0;
        double postgres = 0;
        for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
            double seconds = p.info().totalCpuDuration().map(d -> d.toMillis() / 1000.0).orElse(0.0);
            if (p.pid() == servicePid) {
                service = seconds;
            } else if (p.info().command().orElse("").contains("embedded-pg")) {
                postgres += seconds;
            }
        }
        double self = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toMillis() / 1000.0).orElse(0.0);
        return String.format("%.0f s / %.0f s / %.0f s / %.0f s", service, postgres, self, MachineCpu.children());
    }

    /**
     * The service's heap over its life, from its collector's log ({@code -Xlog:gc}): the most in use before a
     * collection (garbage included: the peak), the full collections (the heap ran out before the concurrent cycle
     * freed the old generation) and the most in use after one of them (what the service still held). A young
     * collection's "after" is no measure of what is live: the old generation's garbage stays until a mixed or full
     * collection.
     */
    record GcHeap(long peakMiB, int full, long afterFullMiB) {

        private static final java.util.regex.Pattern SIZES =
                java.util.regex.Pattern.compile(" (\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

        /** @param usedNowBytes the heap in use at the end, counted in the peak (no collection may have come after) */
        static GcHeap of(List<String> gcLogLines, long usedNowBytes) {
            long peak = usedNowBytes / (1024 * 1024);
            int full = 0;
            long afterFull = 0;
            for (String line : gcLogLines) {
                java.util.regex.Matcher m = SIZES.matcher(line);
                if (m.find()) {
                    peak = Math.max(peak, mib(m.group(1), m.group(2)));
                    if (line.contains("Pause Full")) {
                        full++;
                        afterFull = Math.max(afterFull, mib(m.group(3), m.group(4)));
                    }
                }
            }
            return new GcHeap(peak, full, afterFull);
        }

        private static long mib(String number, String unit) {
            long n = Long.parseLong(number);
            return switch (unit) {
                case "K" -> n / 1024;
                case "G" -> n * 1024;
                default -> n;
            };
        }
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
