package com.msgupgrade.durability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.msgupgrade.UpgradeServiceApplication;
import com.msgupgrade.audit.AuditTrail;
import com.msgupgrade.simulator.CommandLogEntry;
import com.msgupgrade.simulator.HostSpec;
import com.msgupgrade.simulator.SimulatedFleet;
import com.msgupgrade.simulator.SimulatedHost;
import com.msgupgrade.support.FleetSupport;
import com.msgupgrade.support.Postgres;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import com.msgupgrade.rollout.RolloutService;
import com.msgupgrade.inventory.DeploymentRepository;

/**
 * On PostgreSQL: the service is stopped while a 20-second patchadd runs on the host; a new service
 * on the same database re-attaches to the run and finishes the rollout. patchadd ran once.
 */
class RestartDuringLongCommandTest {

    static final SimulatedFleet fleet = FleetSupport.start("restart", "127.0.0.41", List.of(
            HostSpec.solaris("ms1", "6.2p3", List.of("store"))));

    @AfterAll
    static void stop() {
        fleet.close();
    }

    private static ConfigurableApplicationContext startService(String jdbcUrl) {
        Map<String, Object> p = new HashMap<>();
        p.put("spring.datasource.url", jdbcUrl);
        p.put("spring.datasource.username", "postgres");
        p.put("spring.datasource.password", "postgres");
        p.put("server.port", "0");
        p.put("camunda.bpm.admin-user.password", "Adm1n-test-pw");
        p.put("msgsrv.runs.quick-wait", "PT2S");
        p.put("msgsrv.runs.poll-interval", "PT1S");
        p.put("msgsrv.ssh.private-key", fleet.privateKey().toString());
        p.put("msgsrv.ssh.known-hosts", fleet.knownHosts().toString());
        p.put("msgsrv.secrets.file", fleet.dir().resolve("secrets.properties").toString());
        String[] args = p.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        return new SpringApplicationBuilder(UpgradeServiceApplication.class).run(args);
    }

    @Test
    void reattachesToTheRunningPatchaddAfterARestartAndRunsItOnce() {
        String jdbcUrl = Postgres.newDatabase();
        SimulatedHost ms1 = fleet.host("ms1");
        ms1.setFault("patchadd", "delay", "20");

        // given a rollout whose patchadd is running on the host
        String rolloutId;
        ConfigurableApplicationContext first = startService(jdbcUrl);
        try {
            DeploymentRepository deployments = first.getBean(DeploymentRepository.class);
            deployments.save(deployments.fromJson(FleetSupport.deploymentJson(fleet)), "operator");
            rolloutId = first.getBean(RolloutService.class).start("restart", "6.3", "operator").id();
            approve(first, rolloutId);
            JdbcTemplate jdbc = first.getBean(JdbcTemplate.class);
            await().atMost(Duration.ofSeconds(60)).until(() -> jdbc.queryForList(
                    "SELECT state FROM \"MSGSRV\".command_run WHERE rollout_id = ? AND step_id = 'apply-core-patch'",
                    String.class, rolloutId), states -> states.contains("LAUNCHED"));
        } finally {
            // when the service stops while patchadd runs
            first.close();
        }
        assertThat(ms1.commandLog()).noneMatch(e -> e.command().equals("patchadd"));

        // then a new service on the same database completes the rollout
        ConfigurableApplicationContext second = startService(jdbcUrl);
        try {
            JdbcTemplate jdbc = second.getBean(JdbcTemplate.class);
            complete(second, rolloutId, "Task_DecommissionConfigDirectory", "operator", "operators",
                    Map.of("decision", "confirmed", "decisionComment", "done"));
            complete(second, rolloutId, "Task_SignOff", "approver1", "change-managers",
                    Map.of("decision", "approve", "decisionComment", "signed"));
            await().atMost(Duration.ofSeconds(120)).until(() -> jdbc.queryForObject(
                    "SELECT state FROM \"MSGSRV\".rollout WHERE id = ?", String.class, rolloutId),
                    "COMPLETED"::equals);

            // and on PostgreSQL the audit trail refuses to be edited or deleted
            assertThatThrownBy(() -> jdbc.update("UPDATE \"MSGSRV\".audit_event SET actor = 'mallory'"
                    + " WHERE rollout_id = ?", rolloutId)).hasMessageContaining("append-only");
            assertThatThrownBy(() -> jdbc.update("DELETE FROM \"MSGSRV\".audit_event WHERE rollout_id = ?", rolloutId))
                    .hasMessageContaining("append-only");
            assertThat(second.getBean(AuditTrail.class).verify(rolloutId).valid()).isTrue();
        } finally {
            second.close();
        }
        List<CommandLogEntry> patchadds = ms1.commandLog().stream().filter(e -> e.command().equals("patchadd")).toList();
        assertThat(patchadds).hasSize(1);
        assertThat(patchadds.get(0).argLine()).endsWith("120228-26");
        assertThat(patchadds.get(0).exitCode()).isZero();
        assertThat(ms1.version()).isEqualTo("6.3");
    }

    private static void approve(ConfigurableApplicationContext context, String rolloutId) {
        TaskService tasks = context.getBean(TaskService.class);
        IdentityService identities = context.getBean(IdentityService.class);
        for (String approver : List.of("approver1", "approver2")) {
            Task cab = await().atMost(Duration.ofSeconds(60)).until(() -> tasks.createTaskQuery()
                    .processInstanceBusinessKey(rolloutId).taskDefinitionKey("Task_ApproveRollout").list().stream()
                    .findFirst().orElse(null), t -> t != null);
            identities.setAuthentication(approver, List.of("change-managers"));
            try {
                tasks.complete(cab.getId(), Map.of("decision", "approve", "decisionComment", "cab"));
            } finally {
                identities.clearAuthentication();
            }
        }
        complete(context, rolloutId, "Task_ConfirmDependencies", "operator", "operators",
                Map.of("decision", "confirmed", "decisionComment", "dependencies upgraded"));
        complete(context, rolloutId, "Task_RecordDirectoryBackup", "operator", "operators",
                Map.of("decision", "confirmed", "backupReference", "bk-1"));
        complete(context, rolloutId, "Task_ApproveHostUpgrade", "approver1", "change-managers",
                Map.of("decision", "approve", "decisionComment", "go"));
    }

    private static void complete(ConfigurableApplicationContext context, String rolloutId, String taskKey,
            String user, String group, Map<String, Object> variables) {
        TaskService tasks = context.getBean(TaskService.class);
        IdentityService identities = context.getBean(IdentityService.class);
        Task task = await().atMost(Duration.ofSeconds(90)).until(() -> tasks.createTaskQuery()
                .processInstanceBusinessKey(rolloutId).taskDefinitionKey(taskKey).singleResult(), t -> t != null);
        identities.setAuthentication(user, List.of(group));
        try {
            tasks.complete(task.getId(), variables);
        } finally {
            identities.clearAuthentication();
        }
    }
}
