package com.msgupgrade.durability;

import static org.assertj.core.api.Assertions.assertThat;

import com.msgupgrade.simulator.HostSpec;
import com.msgupgrade.simulator.SimulatedFleet;
import com.msgupgrade.simulator.SimulatedHost;
import com.msgupgrade.support.FleetSupport;
import com.msgupgrade.support.Postgres;
import com.msgupgrade.support.Runs;
import com.msgupgrade.support.ServiceProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * SIGTERM while a long patchadd runs, its launch channel watched for up to a minute: the node exits at once
 * instead of waiting for the command, no job fails (no retry used up), patchadd keeps running on the host, and
 * the next start re-attaches to it.
 */
class GracefulShutdownIT {

    static final SimulatedFleet fleet = FleetSupport.start("sigterm", "127.0.0.95",
            List.of(HostSpec.solaris("ms1", "6.2p3", List.of("store"))));

    @AfterAll
    static void stop() {
        fleet.close();
    }

    @Test
    void sigtermHandsTheRunningCommandOverAndTheNextStartReattachesToIt() {
        String url = Postgres.newDatabase();
        JdbcTemplate jdbc = Runs.jdbc(url);
        SimulatedHost ms1 = fleet.host("ms1");
        ms1.setFault("patchadd", "delay", "15");
        Map<String, String> settings = ServiceProcess.settings(url, fleet);
        settings.put("msgsrv.runs.quick-wait", "PT60S"); // patchadd's channel is watched, not waited for in a job
        ServiceProcess node = ServiceProcess.start("sigterm", settings);
        String id;
        try {
            node.flow().deploy("sigterm", FleetSupport.deploymentJson(fleet), List.of("ms1"), d -> {});
            id = node.flow().startApproved("sigterm");
            node.flow().approve(id, "Task_ApproveHostUpgrade");
            Runs.awaitRun(jdbc, id, "ms1", "apply-core-patch", "LAUNCHED");

            Duration stopping = node.terminate(Duration.ofSeconds(60));
            assertThat(stopping).as("time to exit after SIGTERM").isLessThan(Duration.ofSeconds(10));
            assertThat(node.exitValue()).isEqualTo(143);
        } finally {
            node.close();
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM act_ru_job WHERE exception_msg_ IS NOT NULL", Integer.class))
                .as("jobs that failed").isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM act_ru_incident", Integer.class)).isZero();
        assertThat(Runs.states(jdbc, id, "ms1", "apply-core-patch")).containsExactly("LAUNCHED");
        assertThat(Runs.changes(ms1)).as("patchadd still running on the host").noneMatch(c -> c.startsWith("patchadd"));

        try (ServiceProcess again = node.restart()) {
            again.flow().awaitHostState(id, "ms1", "UPGRADED");
            again.flow().finish(id); // waits for COMPLETED
        }
        assertThat(Runs.changes(ms1)).filteredOn(c -> c.startsWith("patchadd")).hasSize(1);
    }
}
