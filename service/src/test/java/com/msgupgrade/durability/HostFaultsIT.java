package com.msgupgrade.durability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.msgupgrade.simulator.HostSpec;
import com.msgupgrade.simulator.SimulatedFleet;
import com.msgupgrade.simulator.SimulatedHost;
import com.msgupgrade.support.Flow;
import com.msgupgrade.support.FleetSupport;
import com.msgupgrade.support.Postgres;
import com.msgupgrade.support.Runs;
import com.msgupgrade.support.ServiceProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A host lost while a command runs on it, a command that hangs, a command past its timeout, a host back during
 * the engine's retries: each ends in the engine's retries and then an operator's decision, or goes on by itself
 * once the host is back; never in a silent stall, and never with a changing command run twice.
 */
class HostFaultsIT {

    static final SimulatedFleet fleet = FleetSupport.start("faults", "127.0.0.81", List.of(
            HostSpec.solaris("drop", "6.2p3", List.of("store")), HostSpec.solaris("hang", "6.2p3", List.of("store")),
            HostSpec.solaris("slow", "6.2p3", List.of("store")), HostSpec.solaris("back", "6.2p3", List.of("store")),
            HostSpec.solaris("reboot", "6.2p3", List.of("store")), HostSpec.solaris("lost", "6.2p3", List.of("store")),
            HostSpec.solaris("unset", "6.2p3", List.of("store")), HostSpec.solaris("masked", "6.2p3",
                    List.of("store"))));

    static JdbcTemplate jdbc;
    static ServiceProcess node;

    @BeforeAll
    static void startNode() {
        String url = Postgres.newDatabase();
        jdbc = Runs.jdbc(url);
        Map<String, String> settings = ServiceProcess.settings(url, fleet);
        settings.put("msgsrv.runs.quick-wait", "PT30S"); // the launch's SSH channel stays open while the command runs
        settings.put("msgsrv.runs.retry-cycle", "R4/PT3S");
        // short enough for the hanging command's test, long enough for a loaded machine's ordinary reads
        settings.put("msgsrv.ssh.command-timeout", "PT6S");
        settings.put("msgsrv.ssh.connect-timeout", "PT10S");
        settings.put("msgsrv.runs.short-command-timeout", "PT6S");
        settings.put("msgsrv.runs.secret-sweep-interval", "PT1S");
        node = ServiceProcess.start("faults", settings);
    }

    @AfterAll
    static void stop() {
        node.close();
        fleet.close();
    }

    @Test
    void connectionDroppedDuringPatchaddAndHostDownThenBackTheRetryReattachesToTheRun() {
        SimulatedHost host = fleet.host("drop");
        host.setFault("patchadd", "delay", "8");
        String id = rollOut("drop");
        Runs.awaitRun(jdbc, id, "drop", "apply-core-patch", "LAUNCHED");
        host.stopSsh(); // the session waiting for patchadd drops; the host refuses connections
        try {
            String failure = failure(id);
            assertThat(failure).contains("could not reach host drop").contains("after the engine's retries");
        } finally {
            host.startSsh();
        }
        decideRetryAndResume(id, "drop");

        assertThat(Runs.changes(host)).filteredOn(c -> c.startsWith("patchadd")).hasSize(1);
        assertThat(Runs.states(jdbc, id, "drop", "apply-core-patch")).as("one run, re-attached by the retry")
                .containsExactly("FINISHED");
        assertThat(host.version()).isEqualTo("6.3");
    }

    @Test
    void aCommandThatHangsPastItsTimeoutIsRetriedThenDecidedOn() {
        SimulatedHost host = fleet.host("hang");
        host.setFault("showrev", "hang", "");
        String id = rollOut("hang");
        String failure;
        try {
            failure = failure(id);
        } finally {
            host.clearFault("showrev", "hang");
        }
        assertThat(failure).contains("could not reach host hang").contains("PT6S").contains("after the engine's retries");
        decideRetryAndResume(id, "hang");
        assertThat(Runs.changes(host)).filteredOn(c -> c.startsWith("patchadd")).hasSize(1);
    }

    @Test
    void aChangingCommandPastItsTimeoutIsStoppedAndAnOperatorDecides() {
        SimulatedHost host = fleet.host("slow");
        host.setFault("stop-msg", "delay", "30");
        String id = rollOut("slow");
        String failure = failure(id);
        assertThat(failure).contains("stop-messaging-server").contains("timed out after PT6S and was stopped");
        assertThat(Runs.states(jdbc, id, "slow", "stop-messaging-server")).containsExactly("FINISHED");
        host.clearFault("stop-msg", "delay");
        decideRetryAndResume(id, "slow");
        assertThat(jdbc.queryForList("SELECT attempt || ' ' || outcome FROM \"MSGSRV\".command_run WHERE rollout_id = ?"
                + " AND step_id = 'stop-messaging-server' ORDER BY attempt", String.class, id))
                .containsExactly("1 FAILED", "2 SUCCEEDED");
    }

    @Test
    void aHostBackDuringTheEngineRetriesGoesOnWithoutAnyDecision() {
        SimulatedHost host = fleet.host("back");
        String id = rollOut("back");
        host.stopSsh();
        try {
            flowOf().approve(id, "Task_ApproveHostUpgrade");
            await().atMost(Duration.ofSeconds(60)).until(() -> jdbc.queryForObject("SELECT count(*) FROM act_ru_job"
                    + " WHERE exception_msg_ LIKE '%back%' AND retries_ > 0", Integer.class) > 0);
        } finally {
            host.startSsh();
        }
        flowOf().awaitHostState(id, "back", "UPGRADED");
        flowOf().finish(id); // waits for COMPLETED
        assertThat(jdbc.queryForObject("SELECT count(*) FROM act_hi_taskinst WHERE task_def_key_ = 'Task_DecideOnFailure'"
                + " AND proc_inst_id_ IN (SELECT proc_inst_id_ FROM act_hi_procinst WHERE business_key_ = ?)",
                Integer.class, id)).isZero();
    }

    @Test
    void theSecretOfARunWhoseHostRebootedIsRemovedOnceTheRolloutWasAbortedAndTheHostIsBack() throws Exception {
        SimulatedHost host = fleet.host("reboot");
        String id = rollOutToHangingImport(host);
        String runId = importRunId(id);
        java.nio.file.Path runDir = host.workDir().resolve(runId);
        assertThat(runDir.resolve("secret")).as("ldapmodify reads the Directory Manager's password from it").exists();
        List<String> changes = Runs.changes(host);

        host.stopSsh();
        try {
            // the host reboots: the run's wrapper and ldapmodify are gone, the run directory stays
            killWrapperThenCommand(runDir);
            assertThat(failure(id)).contains("could not reach host reboot");
            assertThat(flowOf().decide(id, "Task_DecideOnFailure", "operator",
                    Map.of("decision", "abort", "decisionComment", "the host is rebuilt")))
                    .isEqualTo(HttpStatus.NO_CONTENT);
            flowOf().awaitState(id, "ABORTED");
            assertThat(runDir.resolve("secret")).as("no launch on the host since: still there").exists();
        } finally {
            host.clearFault("ldapmodify", "hang");
            host.startSsh();
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> jdbc.queryForObject("SELECT secret_removed_at FROM"
                + " \"MSGSRV\".command_run WHERE run_id = ?", java.sql.Timestamp.class, runId) != null);
        try (var files = java.nio.file.Files.list(runDir)) {
            assertThat(files.map(f -> f.getFileName().toString())).doesNotContain("secret")
                    .noneMatch(name -> name.startsWith("secret.")).contains("launched", "cmd");
        }
        assertThat(Runs.states(jdbc, id, "reboot", "import-ldif")).as("the run's record is kept as it was")
                .containsExactly("LAUNCHED");
        assertThat(Runs.changes(host)).as("nothing else changed on the host").isEqualTo(changes);
    }

    @Test
    void aRunWhoseWrapperDiedIsLostAtOnceNotRunningUntilItsTimeoutAndItsSecretGoes() throws Exception {
        SimulatedHost host = fleet.host("lost");
        String id = rollOutToHangingImport(host);
        java.nio.file.Path runDir = host.workDir().resolve(importRunId(id));
        assertThat(runDir.resolve("secret")).exists();
        // the wrapper dies (the OOM killer, a reboot), then its command: no exit status is ever written
        killWrapperThenCommand(runDir);
        host.clearFault("ldapmodify", "hang");

        // the import's timeout is two hours: the failure comes at once, saying what is known
        String failure = failure(id);
        assertThat(failure).contains("import-ldif").contains("gone without an exit status")
                .contains("whether the command ran is unknown");
        assertThat(runDir.resolve("exit")).doesNotExist();
        try (var files = java.nio.file.Files.list(runDir)) {
            assertThat(files.map(f -> f.getFileName().toString())).doesNotContain("secret")
                    .noneMatch(name -> name.startsWith("secret."));
        }
        decideRetryAndResume(id, "lost");
        assertThat(jdbc.queryForList("SELECT attempt || ' ' || outcome FROM \"MSGSRV\".command_run WHERE rollout_id = ?"
                + " AND step_id = 'import-ldif' ORDER BY attempt", String.class, id))
                .containsExactly("1 FAILED", "2 SUCCEEDED");
        assertThat(host.stateLines("ldif-imported")).hasSize(1);
    }

    /**
     * The Directory Manager's secret removed from the service's secrets file after the rollout was requested (which
     * it had to be resolved for): the import fails into the operator's decision without being launched; set again, a
     * retry imports once.
     */
    @Test
    void aSecretGoneWhileTheRolloutRunsFailsItsStepUnrunAndARetryOnceItIsBackRunsIt() throws Exception {
        SimulatedHost host = fleet.host("unset");
        java.nio.file.Path secrets = fleet.dir().resolve("secrets.properties");
        String configured = java.nio.file.Files.readString(secrets);
        Flow flow = flowOf();
        flow.deploy("unset", FleetSupport.deploymentJson(fleet), List.of("unset"), d -> {});
        String id = flow.startApproved("unset");
        flow.awaitTask(id, "Task_ApproveHostUpgrade");
        java.nio.file.Files.writeString(secrets, "proxy-admin=" + FleetSupport.PROXY_PASSWORD + "\n");
        try {
            flow.approve(id, "Task_ApproveHostUpgrade");
            assertThat(failure(id)).contains("import-ldif").contains("secret 'ds-manager' is not configured")
                    .contains("this step's command did not run");
        } finally {
            java.nio.file.Files.writeString(secrets, configured);
        }
        assertThat(Runs.changes(host)).as("the steps before it ran").anyMatch(c -> c.startsWith("patchadd"))
                .noneMatch(c -> c.startsWith("ldapmodify"));
        decideRetryAndResume(id, "unset");
        assertThat(jdbc.queryForList("SELECT attempt || ' ' || outcome FROM \"MSGSRV\".command_run WHERE rollout_id = ?"
                + " AND step_id = 'import-ldif' ORDER BY attempt", String.class, id)).as("no run of the first attempt")
                .containsExactly("2 SUCCEEDED");
        assertThat(host.stateLines("ldif-imported")).hasSize(1);
    }

    /**
     * The secret removed from the service's configuration while the import that read it runs: its output cannot be
     * masked when it ends, so neither it nor its hash is kept.
     */
    @Test
    void theOutputOfACommandWhoseSecretWentWhileItRanIsWithheld() throws Exception {
        SimulatedHost host = fleet.host("masked");
        java.nio.file.Path secrets = fleet.dir().resolve("secrets.properties");
        String configured = java.nio.file.Files.readString(secrets);
        String id = rollOutToHangingImport(host);
        String runId = importRunId(id);
        java.nio.file.Files.writeString(secrets, "proxy-admin=" + FleetSupport.PROXY_PASSWORD + "\n");
        try {
            host.clearFault("ldapmodify", "hang");
            await().atMost(Duration.ofSeconds(60)).until(() -> Runs.states(jdbc, id, "masked", "import-ldif")
                    .contains("FINISHED"));
            String detail = jdbc.queryForObject("SELECT detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND"
                    + " kind = 'COMMAND' AND detail LIKE ?", String.class, id, "%" + runId + "%");
            var command = new com.fasterxml.jackson.databind.ObjectMapper().readTree(detail);
            assertThat(command.get("outputExcerpt").asText())
                    .contains("the output is withheld: the secret ds-manager is no longer configured");
            assertThat(command.get("outputSha256").asText()).isEmpty();
        } finally {
            java.nio.file.Files.writeString(secrets, configured);
        }
    }

    /** A rollout of the host whose ldapmodify hangs, once the import's run is launched. */
    private static String rollOutToHangingImport(SimulatedHost host) {
        host.setFault("ldapmodify", "hang", "");
        String id = rollOut(host.name());
        Runs.awaitRun(jdbc, id, host.name(), "import-ldif", "LAUNCHED");
        return id;
    }

    private static String importRunId(String rolloutId) {
        return jdbc.queryForObject("SELECT run_id FROM \"MSGSRV\".command_run WHERE rollout_id = ? AND"
                + " step_id = 'import-ldif'", String.class, rolloutId);
    }

    /**
     * The run's wrapper killed, then its command (as a reboot or the OOM killer would), so that no exit status is
     * written: the wrapper first, as it would record its command's end and remove the secret.
     */
    private static void killWrapperThenCommand(java.nio.file.Path runDir) throws java.io.IOException {
        ProcessHandle wrapper = ProcessHandle.of(Long.parseLong(java.nio.file.Files.readString(runDir.resolve("pid"))
                .trim())).orElseThrow();
        List<ProcessHandle> command = wrapper.descendants().toList();
        wrapper.destroyForcibly();
        command.forEach(ProcessHandle::destroyForcibly);
    }

    private static Flow flowOf() {
        return node.flow();
    }

    /** A rollout of the host, approved up to its host gate (which the fault tests approve, unless said otherwise). */
    private static String rollOut(String host) {
        Flow flow = flowOf();
        flow.deploy(host, FleetSupport.deploymentJson(fleet), List.of(host), d -> {});
        String id = flow.startApproved(host);
        if (!host.equals("back")) {
            flow.approve(id, "Task_ApproveHostUpgrade");
        } else {
            flow.awaitTask(id, "Task_ApproveHostUpgrade");
        }
        return id;
    }

    /** The failure shown to the operator in the decision task, once there is one. */
    @SuppressWarnings("unchecked")
    private static String failure(String rolloutId) {
        String task = flowOf().awaitTask(rolloutId, "Task_DecideOnFailure");
        Map<String, Object> variable = node.api().getMap(ServiceProcess.ADMIN, "/engine-rest/task/" + task
                + "/variables/failure");
        return (String) variable.get("value");
    }

    private static void decideRetryAndResume(String rolloutId, String host) {
        Flow flow = flowOf();
        assertThat(flow.decide(rolloutId, "Task_DecideOnFailure", "operator",
                Map.of("decision", "retry", "decisionComment", "the host is back"))).isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(node.api().call("operator", HttpMethod.POST, "/api/rollouts/" + rolloutId + "/resume", null,
                String.class).getStatusCode().is2xxSuccessful()).isTrue();
        flow.awaitHostState(rolloutId, host, "UPGRADED");
        flow.finish(rolloutId); // waits for COMPLETED
    }
}
