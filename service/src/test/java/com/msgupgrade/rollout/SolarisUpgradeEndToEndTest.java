package com.msgupgrade.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.msgupgrade.simulator.CommandLogEntry;
import com.msgupgrade.simulator.HostSpec;
import com.msgupgrade.simulator.SimulatedFleet;
import com.msgupgrade.simulator.SimulatedHost;
import com.msgupgrade.support.Api;
import com.msgupgrade.support.FleetSupport;
import com.msgupgrade.support.FreshPostgres;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * One Solaris host from 6.2p3 to 6.3 through the rollout, over SSH to the simulator: a change manager
 * approves through the engine REST API (as Tasklist does), and the host directory shows the guide's
 * sequence afterwards.
 */
@org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "msgsrv.demo=true",
        "msgsrv.runs.poll-interval=PT1S",
        "msgsrv.runs.quick-wait=PT10S"})
@ContextConfiguration(initializers = FreshPostgres.class)
class SolarisUpgradeEndToEndTest {

    static final SimulatedFleet fleet = FleetSupport.start("solaris-e2e", "127.0.0.21", List.of(
            HostSpec.solaris("ms1", "6.2p3", List.of("store")),
            HostSpec.solaris("ms2", "6.2p3", List.of("store")).withLocales(List.of("de"))));

    @DynamicPropertySource
    static void fleetProperties(DynamicPropertyRegistry registry) {
        FleetSupport.register(registry, fleet);
        registry.add("msgsrv.review.patch-config", () -> "always"); // the service's default
    }

    @AfterAll
    static void stopFleet() {
        fleet.close();
    }

    @Autowired
    TestRestTemplate rest;
    @Autowired
    TaskService tasks;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    com.msgupgrade.observability.UpgradeMetrics metrics;
    @Autowired
    org.camunda.bpm.engine.RuntimeService runtime;

    @Test
    void upgradesSolarisHostsToSixThreeAfterApproval() {
        Api api = new Api(rest);
        // given a registered deployment, with a proxy admin that differs on ms2
        String json = FleetSupport.deploymentJson(fleet).replaceFirst(
                "(\"name\" : \"ms2\",)", "$1 \"proxyAdmin\" : {\"user\" : \"webproxy\", \"passwordSecret\" : \"proxy-admin\"},");
        assertThat(api.putJson("operator", "/api/deployments/solaris-e2e", json).getStatusCode())
                .isEqualTo(HttpStatus.OK);

        // when an operator starts a rollout and a change manager approves each host
        ResponseEntity<Map> created = api.call("operator", HttpMethod.POST, "/api/rollouts",
                Map.of("deployment", "solaris-e2e", "target", "6.3"), Map.class);
        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        String rolloutId = (String) created.getBody().get("id");
        com.msgupgrade.support.Flow flow = new com.msgupgrade.support.Flow(api, tasks);
        flow.approveCab(rolloutId);
        flow.prepare(rolloutId);

        for (String host : List.of("ms1", "ms2")) {
            Task approval = await().atMost(Duration.ofSeconds(60)).until(() -> approvalFor(rolloutId, host),
                    t -> t != null);
            if (host.equals("ms1")) { // the open gate, by its form's name, in the metrics; an incident, by process
                org.camunda.bpm.engine.runtime.Incident incident = runtime.createIncident("msgsrv-test",
                        approval.getExecutionId(), "metrics");
                metrics.refresh();
                String open = prometheus(api);
                assertThat(open).containsPattern("msgsrv_approvals_pending\\{gate=\"ApproveHostUpgrade\"} [12]\\.0")
                        .contains("msgsrv_rollouts{state=\"RUNNING\"} 1.0")
                        .contains("msgsrv_rollouts{state=\"COMPLETED\"} 0.0")
                        .contains("msgsrv_incidents{process=\"HostUpgradeSolaris\"} 1.0")
                        .contains("msgsrv_incidents{process=\"HostStep\"} 0.0");
                java.util.regex.Matcher age = java.util.regex.Pattern.compile(
                        "msgsrv_approvals_oldest_age_seconds\\{gate=\"ApproveHostUpgrade\"} (\\S+)").matcher(open);
                assertThat(age.find()).isTrue();
                assertThat(Double.parseDouble(age.group(1))).as("the gate's age, from its creation").isPositive()
                        .isLessThan(120);
                runtime.resolveIncident(incident.getId());
            }
            assertThat(api.completeTask("approver1", approval.getId(), "approve", "ok").getStatusCode())
                    .isEqualTo(HttpStatus.NO_CONTENT);
        }

        // a change manager examines each host's new configuration after patch-config (no conflicts reported): the
        // output is the evidence, and install-newconfig waits for the decision
        for (String host : List.of("ms1", "ms2")) {
            Map<String, Object> review = await().atMost(Duration.ofSeconds(60)).until(() -> api.getList("approver2",
                    "/api/approvals").stream().filter(t -> "Task_ReviewConflicts".equals(t.get("gate"))
                            && host.equals(t.get("host"))).findFirst().orElse(null), t -> t != null);
            assertThat((String) review.get("patchConfigOutput")).contains("Merged configuration written to");
            assertThat(review.get("conflicts")).as("no conflict reported").isIn(null, "");
            assertThat(commands(fleet.host(host))).contains("patch-config").doesNotContain("install-newconfig");
            assertThat(api.call("approver2", HttpMethod.POST, "/api/approvals/" + review.get("taskId"),
                    Map.of("decision", "approve", "comment", "new files examined"), String.class).getStatusCode())
                    .isEqualTo(HttpStatus.NO_CONTENT);
        }

        // then the rollout completes and both hosts report 6.3
        flow.finish(rolloutId);
        // the deployment is registered at 6.3: a rollout requested again has nothing to do, and touches no host
        await().atMost(Duration.ofSeconds(10)).until(() -> api.call("operator", HttpMethod.GET,
                "/api/deployments/solaris-e2e", null, String.class).getBody(),
                body -> !body.contains("6.2p3") && body.contains("\"sourceRelease\":\"6.3\""));
        ResponseEntity<String> again = api.call("operator", HttpMethod.POST, "/api/rollouts",
                Map.of("deployment", "solaris-e2e", "target", "6.3"), String.class);
        assertThat(again.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(again.getBody()).contains("every host of solaris-e2e is already at 6.3");

        SimulatedHost ms1 = fleet.host("ms1");
        assertThat(ms1.version()).isEqualTo("6.3");
        assertThat(commands(ms1)).containsSubsequence(
                "imsimta version", "stop-msg", "patchadd", "showrev -p", "patch-config", "install-newconfig",
                "ldapmodify", "stop-msg", "start-msg", "imsimta version");
        assertThat(ms1.commandLog()).filteredOn(e -> e.command().equals("patchadd")).hasSize(1)
                .allSatisfy(e -> assertThat(e.exitCode()).isZero());
        assertThat(ms1.commandLog()).noneMatch(e -> e.argLine().contains("local.service.proxy.admin"));
        // post-upgrade: no webmail front end reads the store, so neither is IMAP enabled on it (the guide enables it for
        // the Webmail Server that reaches the store over IMAP; a store's IMAP is otherwise its operators' to set) nor
        // its mshttpd disabled (the store's own serves its users: the guide shuts it down only on back ends that front
        // ends read)
        assertThat(ms1.stateLines("configutil")).doesNotContain("service.imap.enable=yes")
                .doesNotContain("service.http.enable=no");
        assertThat(ms1.stateLines("running")).contains("http");
        assertThat(ms1.stateLines("newconfig")).contains("120228-26");
        assertThat(ms1.stateLines("ldif-imported")).hasSize(1);
        assertThat(ms1.stateLines("running")).contains("store");
        assertThat(ms1.commandLog()).noneMatch(e -> e.command().equals("configutil"));
        // the restart, then the final verification
        assertThat(ms1.commandLog().stream().map(CommandLogEntry::command).toList()).endsWith("stop-msg", "start-msg",
                "imsimta", "imsimta");

        SimulatedHost ms2 = fleet.host("ms2");
        assertThat(ms2.version()).isEqualTo("6.3");
        List<String> patches = ms2.commandLog().stream().filter(e -> e.command().equals("patchadd"))
                .map(CommandLogEntry::argLine).toList();
        assertThat(patches).hasSize(2);
        assertThat(patches.get(0)).endsWith("120228-26");
        assertThat(patches.get(1)).endsWith("126479-05");
        assertThat(ms2.stateLines("configutil")).contains("local.service.proxy.admin=webproxy",
                "local.service.proxy.adminpass=" + FleetSupport.PROXY_PASSWORD);
        assertThat(String.join("\n", ms2.stateLines("configutil"))).contains("webproxy");

        // the metrics and the health of the service tell what happened
        metrics.refresh();
        String prometheus = prometheus(api);
        assertThat(prometheus).contains("msgsrv_host_steps_total{outcome=\"SUCCEEDED\",step=\"apply-core-patch\"} 2.0")
                // buckets from an already-done check's 100 ms up to a patchadd's hours, by outcome (how many of the two
                // runs fall under 100 ms depends on the machine's speed: the bucket's count is not asserted)
                .contains("msgsrv_host_step_duration_seconds_bucket{outcome=\"SUCCEEDED\",step=\"patch-config\",le=\"7200.0\"} 2")
                .containsPattern("msgsrv_host_step_duration_seconds_bucket\\{outcome=\"SUCCEEDED\",step=\"patch-config\",le=\"0\\.1\"} [012]\n")
                .contains("msgsrv_commands_running 0.0")
                .contains("msgsrv_incidents{process=\"HostUpgradeSolaris\"} 0.0")
                .contains("msgsrv_metrics_refresh_failures_total 0.0")
                .containsPattern("msgsrv_metrics_refreshed_seconds \\d\\.\\d+E9\n")
                // the gate answered: its series stays, at 0, as does the state the rollout left
                .contains("msgsrv_approvals_pending{gate=\"ApproveHostUpgrade\"} 0.0")
                .contains("msgsrv_approvals_oldest_age_seconds{gate=\"ApproveHostUpgrade\"} 0.0")
                .contains("msgsrv_rollouts{state=\"COMPLETED\"} 1.0")
                .contains("msgsrv_rollouts{state=\"RUNNING\"} 0.0");
        assertThat(prometheus).as("operators' tasks are not approvals").doesNotContain("gate=\"RecordDirectoryBackup\"")
                .contains("msgsrv_operator_tasks_pending{task=\"RecordDirectoryBackup\"} 0.0");
        assertThat(api.call(null, HttpMethod.GET, "/actuator/prometheus", null, String.class).getStatusCode())
                .isEqualTo(HttpStatus.UNAUTHORIZED);
        String health = api.call("operator", HttpMethod.GET, "/actuator/health", null, String.class).getBody();
        assertThat(health).contains("\"status\":\"UP\"").contains("\"jobsDue\"").contains("\"db\"");

        // and no secret reached the host's command lines or the service's tables
        for (SimulatedHost host : fleet.hosts()) {
            assertThat(host.commandLog()).noneMatch(e -> e.argLine().contains(FleetSupport.DS_PASSWORD)
                    || e.argLine().contains(FleetSupport.PROXY_PASSWORD));
        }
        List<String> auditDetails = jdbc.queryForList("SELECT detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ?",
                String.class, rolloutId);
        assertThat(auditDetails).isNotEmpty().noneMatch(d -> d.contains(FleetSupport.DS_PASSWORD));
        assertThat(auditDetails).anyMatch(d -> d.contains("\"decision\":\"approve\""));
        // each changing command is in the trail as it starts (what ran where, even if its end were never seen), then
        // as it ends; a read-only one only as it ends
        List<String> launched = jdbc.queryForList("SELECT step_id FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND"
                + " host_name = 'ms1' AND kind = 'COMMAND_LAUNCHED' ORDER BY seq", String.class, rolloutId);
        assertThat(launched).containsExactly("stop-messaging-server", "apply-core-patch", "patch-config",
                "install-newconfig", "import-ldif", "restart-messaging-server");
        assertThat(jdbc.queryForList("SELECT kind FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND host_name = 'ms1'"
                + " AND step_id = 'apply-core-patch' AND kind LIKE 'COMMAND%' ORDER BY seq", String.class, rolloutId))
                .containsExactly("COMMAND_LAUNCHED", "COMMAND");
        assertThat(jdbc.queryForList("SELECT detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND host_name = 'ms1'"
                + " AND kind = 'COMMAND_LAUNCHED' AND step_id = 'import-ldif'", String.class, rolloutId)).singleElement()
                .asString().contains("\"secret\":\"ds-manager\"").contains("-j \\\"$SECRET_FILE\\\"")
                .doesNotContain(FleetSupport.DS_PASSWORD);
    }

    private static String prometheus(Api api) {
        return api.call("operator", HttpMethod.GET, "/actuator/prometheus", null, String.class).getBody();
    }

    private Task approvalFor(String rolloutId, String host) {
        return tasks.createTaskQuery().processInstanceBusinessKey(rolloutId).taskDefinitionKey("Task_ApproveHostUpgrade")
                .processVariableValueEquals("hostName", host).singleResult();
    }

    private static List<String> commands(SimulatedHost host) {
        return host.commandLog().stream().map(e -> (e.command() + " " + e.argLine()).trim())
                .map(c -> c.startsWith("imsimta") ? "imsimta version" : c.startsWith("showrev") ? "showrev -p"
                        : c.split(" ")[0])
                .toList();
    }
}
