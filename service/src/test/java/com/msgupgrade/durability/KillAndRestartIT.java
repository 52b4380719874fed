package com.msgupgrade.durability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.msgupgrade.simulator.HostSpec;
import com.msgupgrade.simulator.SimulatedFleet;
import com.msgupgrade.simulator.CommandLogEntry;
import com.msgupgrade.simulator.SimulatedHost;
import com.msgupgrade.support.Flow;
import com.msgupgrade.support.FleetSupport;
import com.msgupgrade.support.Postgres;
import com.msgupgrade.support.Runs;
import com.msgupgrade.support.ServiceProcess;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The service killed with -9 at ten points of one rollout and started again each time, on PostgreSQL: the
 * rollout completes, approvals given before a kill stay given, and every command that changes the host ran on it
 * exactly once.
 */
class KillAndRestartIT {

    static final SimulatedFleet fleet = FleetSupport.start("kill", "127.0.0.61",
            List.of(HostSpec.solaris("ms1", "6.2p3", List.of("store"))));

    @AfterAll
    static void stop() {
        fleet.close();
    }

    /** The node, killed and started again; the points where it was killed. */
    static final class Victim {
        ServiceProcess node;

        Victim(ServiceProcess node) {
            this.node = node;
        }

        /** Kills the node at {@code point} (what the rollout was doing) and starts it again on the same database. */
        void kill(String point) {
            node.kill();
            node = node.restart();
        }

        /**
         * Kills the node once a run of the step on ms1 is in that ledger state, and shows the kill found it there: the
         * node gone, nothing judges the run meanwhile, so the ledger read after the kill is the run as the kill left it
         * (LAUNCHED: started on the host, where its command takes 4 s, and not judged yet).
         */
        void killWhen(JdbcTemplate jdbc, String rolloutId, String step, String state, String point) {
            Runs.awaitRun(jdbc, rolloutId, "ms1", step, state);
            node.kill();
            assertThat(Runs.states(jdbc, rolloutId, "ms1", step)).as("the run at the kill: " + point).last()
                    .isEqualTo(state);
            node = node.restart();
        }

        Flow flow() {
            return node.flow();
        }
    }

    @Test
    void aRolloutKilledAtTenPointsCompletesAndChangesTheHostOnceAStep() {
        String url = Postgres.newDatabase();
        JdbcTemplate jdbc = Runs.jdbc(url);
        SimulatedHost ms1 = fleet.host("ms1");
        for (String slow : List.of("stop-msg", "patchadd", "patch-config", "ldapmodify", "configutil")) {
            ms1.setFault(slow, "delay", "4");
        }
        Victim victim = new Victim(ServiceProcess.start("kill", ServiceProcess.settings(url, fleet)));
        try {
            // ms1 serves webmail too (Messenger Express): IMAP is enabled on it after its upgrade, a post-upgrade task
            victim.flow().deploy("kill", FleetSupport.deploymentJson(fleet), List.of("ms1"), d -> d.withArray("hosts")
                    .forEach(h -> ((com.fasterxml.jackson.databind.node.ObjectNode) h).putArray("components")
                            .add("store").add("webmail")));
            String id = victim.flow().start("kill");

            victim.flow().awaitTask(id, "Task_ApproveRollout");
            victim.kill("waiting for the CAB");

            assertThat(victim.flow().decide(id, "Task_ApproveRollout", "approver1",
                    Map.of("decision", "approve", "decisionComment", "cab"))).isEqualTo(HttpStatus.NO_CONTENT);
            victim.kill("one of the two CAB approvals given");
            // approver1's approval stayed given: approver2's alone completes the quorum
            assertThat(victim.flow().decide(id, "Task_ApproveRollout", "approver2",
                    Map.of("decision", "approve", "decisionComment", "cab"))).isEqualTo(HttpStatus.NO_CONTENT);
            victim.flow().prepare(id);

            victim.flow().awaitTask(id, "Task_ApproveHostUpgrade");
            victim.kill("waiting for the host's approval");
            victim.flow().approve(id, "Task_ApproveHostUpgrade");

            victim.killWhen(jdbc, id, "stop-messaging-server", "LAUNCHED", "stop-msg running");
            victim.killWhen(jdbc, id, "apply-core-patch", "LAUNCHED", "patchadd running");
            victim.killWhen(jdbc, id, "apply-core-patch", "FINISHED", "between patchadd and the next step");
            victim.killWhen(jdbc, id, "patch-config", "LAUNCHED", "patch-config running");
            victim.killWhen(jdbc, id, "import-ldif", "LAUNCHED", "ldapmodify running, its secret file in the run dir");
            victim.killWhen(jdbc, id, "enable-imap", "LAUNCHED", "post-upgrade task: enabling IMAP");

            victim.flow().awaitTask(id, "Task_DecommissionConfigDirectory");
            victim.kill("waiting for the decommissioning of the configuration directory");

            victim.flow().finish(id);

            assertThat(Runs.changes(ms1)).as("commands that changed ms1, in order").satisfiesExactly(
                    c -> assertThat(c).startsWith("stop-msg"),
                    c -> assertThat(c).startsWith("patchadd").endsWith("120228-26"),
                    c -> assertThat(c).startsWith("patch-config"),
                    c -> assertThat(c).startsWith("install-newconfig"),
                    c -> assertThat(c).startsWith("ldapmodify"),
                    c -> assertThat(c).startsWith("stop-msg"),
                    c -> assertThat(c).startsWith("start-msg"),
                    c -> assertThat(c).startsWith("configutil").contains("service.imap.enable"),
                    c -> assertThat(c).isEqualTo("start-msg imap"));
            // every command succeeded, but the probe of imapd before it was started (pgrep: 1, not running)
            assertThat(ms1.commandLog()).filteredOn(e -> !e.command().equals("pgrep"))
                    .allSatisfy(e -> assertThat(e.exitCode()).as(e.toString()).isZero());
            assertThat(ms1.commandLog()).filteredOn(e -> e.command().equals("pgrep")).extracting(CommandLogEntry::exitCode)
                    .containsOnly(1);
            assertThat(ms1.version()).isEqualTo("6.3");
            // one run per step, none retried, each launched by the node that prepared it and finished
            assertThat(jdbc.queryForList("SELECT step_id || ' ' || attempt || ' ' || state || ' ' || outcome FROM"
                    + " \"MSGSRV\".command_run WHERE rollout_id = ? ORDER BY created_at", String.class, id))
                    .containsExactly("stop-messaging-server 1 FINISHED SUCCEEDED", "apply-core-patch 1 FINISHED SUCCEEDED",
                            "patch-config 1 FINISHED SUCCEEDED", "install-newconfig 1 FINISHED SUCCEEDED",
                            "import-ldif 1 FINISHED SUCCEEDED", "restart-messaging-server 1 FINISHED SUCCEEDED",
                            "enable-imap 1 FINISHED SUCCEEDED");
            Map<String, Object> verify = victim.node.api().getMap("auditor", "/api/rollouts/" + id + "/audit/verify");
            assertThat(verify).containsEntry("valid", true);
            // and on PostgreSQL the audit trail refuses to be edited or deleted, whoever connects
            assertThatThrownBy(() -> jdbc.update("UPDATE \"MSGSRV\".audit_event SET actor = 'mallory' WHERE rollout_id = ?",
                    id)).hasMessageContaining("append-only");
            assertThatThrownBy(() -> jdbc.update("DELETE FROM \"MSGSRV\".audit_event WHERE rollout_id = ?", id))
                    .hasMessageContaining("append-only");
        } finally {
            victim.node.close();
        }
    }
}
