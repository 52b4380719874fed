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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.jdbc.core.JdbcTemplate;

/** PostgreSQL stopped and started again while a rollout runs: the service recovers by itself, the rollout completes. */
class DatabaseRestartIT {

    static final SimulatedFleet fleet = FleetSupport.start("dbrestart", "127.0.0.91",
            List.of(HostSpec.solaris("ms1", "6.2p3", List.of("store"))));
    static final Postgres.Restartable database = new Postgres.Restartable();

    @AfterAll
    static void stop() {
        database.close();
        fleet.close();
    }

    @Test
    void theServiceRecoversFromADatabaseRestartWithoutARestartOfItsOwn() {
        JdbcTemplate jdbc = Runs.jdbc(database.jdbcUrl());
        SimulatedHost ms1 = fleet.host("ms1");
        ms1.setFault("patchadd", "delay", "8");
        try (ServiceProcess node = ServiceProcess.start("dbrestart", ServiceProcess.settings(database.jdbcUrl(), fleet))) {
            Flow flow = node.flow();
            flow.deploy("dbrestart", FleetSupport.deploymentJson(fleet), List.of("ms1"), d -> {});
            String id = flow.startApproved("dbrestart");
            flow.approve(id, "Task_ApproveHostUpgrade");
            Runs.awaitRun(jdbc, id, "ms1", "apply-core-patch", "LAUNCHED");

            database.stop();
            try {
                // each check of the database waits for a connection up to spring.datasource.hikari.connection-timeout
                await().atMost(Duration.ofMinutes(3)).until(() -> health(node), status -> status == 503);
            } finally {
                database.start();
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> health(node), status -> status == 200);

            flow.awaitHostState(id, "ms1", "UPGRADED");
            flow.finish(id); // waits for COMPLETED
            assertThat(node.isAlive()).as("the same service process all along").isTrue();
            assertThat(Runs.changes(ms1)).filteredOn(c -> c.startsWith("patchadd")).hasSize(1);
            assertThat(ms1.version()).isEqualTo("6.3");
        }
    }

    private static int health(ServiceProcess node) {
        return node.api().call(null, HttpMethod.GET, "/actuator/health", null, String.class).getStatusCode().value();
    }
}
