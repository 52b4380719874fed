package com.msgupgrade.hostops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.msgupgrade.catalog.StepId;
import com.msgupgrade.simulator.HostSpec;
import com.msgupgrade.simulator.SimulatedFleet;
import com.msgupgrade.simulator.SimulatedHost;
import com.msgupgrade.support.EndToEndTest;
import com.msgupgrade.support.FleetSupport;
import com.msgupgrade.support.FreshPostgres;
import com.msgupgrade.support.Runs;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A changing command runs without a job: the step's job launches it and ends, no job thread or database
 * connection waits for it, and the step is checked as soon as the command ended (the watcher makes its timer due),
 * not when the timer (quick wait 60 s, poll interval 30 s) would have fired.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "msgsrv.demo=true",
        "msgsrv.runs.quick-wait=PT60S",
        "msgsrv.runs.poll-interval=PT30S"})
@ContextConfiguration(initializers = FreshPostgres.class)
class CommandWatcherEndToEndTest extends EndToEndTest {

    static final SimulatedFleet fleet = FleetSupport.start("watcher-e2e", "127.0.0.37",
            List.of(HostSpec.solaris("ms1", "6.2p3", List.of("store"))));

    @DynamicPropertySource
    static void fleetProperties(DynamicPropertyRegistry registry) {
        FleetSupport.register(registry, fleet);
    }

    @AfterAll
    static void stopFleet() {
        fleet.close();
    }

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void aRunningCommandHoldsNoJobAndItsStepGoesOnAsSoonAsItEnded() {
        SimulatedHost ms1 = fleet.host("ms1");
        ms1.setFault("patchadd", "hang", ""); // until the test lets it end
        flow.deploy("watcher-e2e", FleetSupport.deploymentJson(fleet), List.of("ms1"), d -> {});
        String id = flow.startApproved("watcher-e2e");
        flow.approve(id, "Task_ApproveHostUpgrade");

        Runs.awaitRun(jdbc, id, "ms1", "apply-core-patch", "LAUNCHED");
        // while patchadd runs: no job is being executed, the step waits on its durable timer
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM ACT_RU_JOB WHERE LOCK_OWNER_ IS NOT NULL", Integer.class) == 0);
        assertThat(Runs.states(jdbc, id, "ms1", "apply-core-patch")).as("patchadd still running").containsExactly("LAUNCHED");
        metrics.refresh();
        assertThat(meters.get("msgsrv.commands.running").gauge().value()).as("patchadd, watched by its step").isEqualTo(1);
        assertThat(jdbc.queryForList("SELECT j.DUEDATE_ FROM ACT_RU_JOB j JOIN ACT_RU_JOBDEF d ON d.ID_ = j.JOB_DEF_ID_"
                + " WHERE d.ACT_ID_ = ?", Timestamp.class, HostStepProcess.TIMER_WAIT_FOR_COMMAND))
                .as("the step's timer, due after the quick wait").singleElement()
                .satisfies(due -> assertThat(due.toInstant()).isAfter(Instant.now().plusSeconds(40)));

        // patchadd let end: the step is checked then (within the hang's second), not when its timer is due (40 s on)
        Instant released = Instant.now();
        ms1.clearFault("patchadd", "hang");
        Runs.awaitRun(jdbc, id, "ms1", "apply-core-patch", "FINISHED");
        String where = " FROM \"MSGSRV\".command_run WHERE rollout_id = ? AND step_id = 'apply-core-patch'";
        assertThat(jdbc.queryForObject("SELECT outcome" + where, String.class, id)).isEqualTo("SUCCEEDED");
        Instant judged = jdbc.queryForObject("SELECT ended_at" + where, Timestamp.class, id).toInstant();
        assertThat(judged).as("judged after patchadd was let end, well before the step's timer")
                .isBetween(released, released.plusSeconds(25));

        flow.awaitHostState(id, "ms1", "UPGRADED");
        flow.finish(id); // waits for COMPLETED
        metrics.refresh();
        assertThat(meters.get("msgsrv.commands.running").gauge().value()).isZero();
        assertThat(Runs.changes(ms1)).filteredOn(c -> c.startsWith("patchadd")).hasSize(1);

        // the check's job run again after its judgement (its transaction failed to commit, the ledger's and the audit
        // trail's own did): the recorded outcome, the host not asked (its run directory gone since, and the host down
        // now: a failure to reach it would have an operator retry the step, a second patchadd), nothing recorded a
        // second time; as is the step's first job run again
        String runId = jdbc.queryForObject("SELECT run_id" + where, String.class, id);
        String commands = "SELECT count(*) FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND kind = 'COMMAND'";
        int recorded = jdbc.queryForObject(commands, Integer.class, id);
        org.springframework.util.FileSystemUtils.deleteRecursively(ms1.workDir().resolve(runId).toFile());
        ms1.stopSsh();
        try {
            var request = new HostStepService.StepRequest(id, "ms1", StepId.of("apply-core-patch"), 1, runId, null,
                    "step-instance");
            for (StepOutcome again : List.of(steps.check(request), steps.run(request))) {
                assertThat(again.state()).isEqualTo(StepOutcome.State.DONE);
                assertThat(again.exitCode()).isZero();
            }
        } finally {
            ms1.startSsh();
        }
        assertThat(jdbc.queryForObject(commands, Integer.class, id)).isEqualTo(recorded);
        assertThat(jdbc.queryForObject("SELECT outcome" + where, String.class, id)).isEqualTo("SUCCEEDED");
    }

    @Autowired
    HostStepService steps;
    @Autowired
    com.msgupgrade.observability.UpgradeMetrics metrics;
    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;
    @Autowired
    CommandLedger ledger;
    @Autowired
    org.camunda.bpm.engine.RepositoryService repository;
    @Autowired
    org.camunda.bpm.engine.RuntimeService runtime;
    @Autowired
    org.camunda.bpm.engine.ManagementService management;

    /**
     * A run is prepared (and so launched) only while its step's job is the one its thread began: once the job was
     * taken again, ended or retried (its row's revision moved on), the thread that outlived its lock launches nothing.
     */
    @Test
    void aJobThatWasTakenFromItsThreadPreparesNoRun() {
        String deployment = repository.createDeployment().addModelInstance("fence.bpmn",
                org.camunda.bpm.model.bpmn.Bpmn.createExecutableProcess("FenceProbe").camundaHistoryTimeToLive(1)
                        .startEvent().intermediateCatchEvent().timerWithDuration("PT1H").endEvent().done())
                .deploy().getId();
        try {
            String instance = runtime.startProcessInstanceByKey("FenceProbe").getId();
            var job = (org.camunda.bpm.engine.impl.persistence.entity.JobEntity) management.createJobQuery()
                    .processInstanceId(instance).singleResult();
            var fence = java.util.Optional.of(new JobFence(job.getId(), job.getLockOwner(), job.getRevision()));
            ledger.prepared("run-fence-1", "r-fence", "ms9", "stop-messaging-server", 1, "stop-msg", "node", null,
                    fence);
            assertThat(ledger.find("run-fence-1")).isPresent();

            management.setJobRetries(job.getId(), 7); // as another acquisition, an end or a retry changes the row
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ledger.prepared("run-fence-2", "r-fence", "ms9",
                    "stop-messaging-server", 2, "stop-msg", "node", null, fence))
                    .isInstanceOf(org.camunda.bpm.engine.OptimisticLockingException.class)
                    .hasMessageContaining("launches nothing");
            assertThat(ledger.find("run-fence-2")).isEmpty();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ledger.stillHeld(fence))
                    .isInstanceOf(org.camunda.bpm.engine.OptimisticLockingException.class);
        } finally {
            repository.deleteDeployment(deployment, true);
            jdbc.update("DELETE FROM \"MSGSRV\".command_run WHERE rollout_id = 'r-fence'");
        }
    }
}
