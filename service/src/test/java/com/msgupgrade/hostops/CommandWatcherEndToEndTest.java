package com.msgupgrade.hostops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.msgupgrade.simulator.HostSpec;
import com.msgupgrade.simulator.SimulatedFleet;
import com.msgupgrade.simulator.SimulatedHost;
import com.msgupgrade.support.EndToEndTest;
import com.msgupgrade.support.FleetSupport;
import com.msgupgrade.support.Runs;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A changing command runs without a job: the step's job launches it and ends, no job thread or database
 * connection waits for it, and the step is checked as soon as the command ended (the watcher makes its timer due),
 * not when the timer (quick wait 60 s, poll interval 30 s) would have fired. A step's already-done read that has
 * not answered within {@code msgsrv.runs.check-wait} (0.25 s) is waited for the same way.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:watcher-e2e;DB_CLOSE_DELAY=-1",
        "msgsrv.demo=true",
        "msgsrv.runs.quick-wait=PT60S",
        "msgsrv.runs.poll-interval=PT30S"})
class CommandWatcherEndToEndTest extends EndToEndTest {

    static final SimulatedFleet fleet = FleetSupport.start("watcher-e2e", "127.0.0.37",
            List.of(HostSpec.solaris("ms1", "6.2p3", List.of("store")), HostSpec.solaris("ms2", "6.2p3",
                    List.of("store")), HostSpec.solaris("ms3", "6.2p3", List.of("store"))));

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
        ms1.setFault("patchadd", "delay", "4");
        flow.deploy("watcher-e2e", FleetSupport.deploymentJson(fleet), List.of("ms1"), d -> {});
        String id = flow.startApproved("watcher-e2e");
        flow.approve(id, "Task_ApproveHostUpgrade");

        Runs.awaitRun(jdbc, id, "ms1", "apply-core-patch", "LAUNCHED");
        // while patchadd runs: no job is being executed, the step waits on its durable timer
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM ACT_RU_JOB WHERE LOCK_OWNER_ IS NOT NULL", Integer.class) == 0);
        assertThat(Runs.states(jdbc, id, "ms1", "apply-core-patch")).as("patchadd still running").containsExactly("LAUNCHED");
        assertThat(jdbc.queryForList("SELECT j.DUEDATE_ FROM ACT_RU_JOB j JOIN ACT_RU_JOBDEF d ON d.ID_ = j.JOB_DEF_ID_"
                + " WHERE d.ACT_ID_ = ?", Timestamp.class, HostStepProcess.TIMER_WAIT_FOR_COMMAND))
                .as("the step's timer, due after the quick wait").singleElement()
                .satisfies(due -> assertThat(due.toInstant()).isAfter(Instant.now().plusSeconds(40)));

        // patchadd ends after 4 s: the step is checked then, not when its timer was due
        Runs.awaitRun(jdbc, id, "ms1", "apply-core-patch", "FINISHED");
        String where = " FROM \"MSGSRV\".command_run WHERE rollout_id = ? AND step_id = 'apply-core-patch'";
        assertThat(jdbc.queryForObject("SELECT outcome" + where, String.class, id)).isEqualTo("SUCCEEDED");
        Duration took = Duration.between(jdbc.queryForObject("SELECT launched_at" + where, Timestamp.class, id).toInstant(),
                jdbc.queryForObject("SELECT ended_at" + where, Timestamp.class, id).toInstant());
        assertThat(took).as("patchadd (4 s) launched to judged").isBetween(Duration.ofSeconds(4), Duration.ofSeconds(15));

        ms1.clearFault("patchadd", "delay");
        flow.awaitHostState(id, "ms1", "UPGRADED");
        assertThat(flow.finish(id)).containsEntry("state", "COMPLETED");
        assertThat(Runs.changes(ms1)).filteredOn(c -> c.startsWith("patchadd")).hasSize(1);
    }

    @Test
    void aSlowAlreadyDoneReadHoldsNoJobAndTheStepRunsAsSoonAsItAnswered() {
        SimulatedHost ms2 = fleet.host("ms2");
        ms2.setFault("showrev", "delay", "4"); // apply-core-patch's already-done read: showrev -p
        flow.deploy("watcher-check", FleetSupport.deploymentJson(fleet), List.of("ms2"), d -> {});
        String id = flow.startApproved("watcher-check");
        flow.approve(id, "Task_ApproveHostUpgrade");

        Runs.awaitRun(jdbc, id, "ms2", "stop-messaging-server", "FINISHED");
        // while showrev runs: nothing prepared, no job being executed, the step waits on its durable timer
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50)).until(() ->
                jdbc.queryForObject("SELECT count(*) FROM ACT_RU_JOB WHERE LOCK_OWNER_ IS NOT NULL", Integer.class) == 0
                        && !stepTimersDueAfter(Instant.now().plusSeconds(40)).isEmpty());
        assertThat(Runs.states(jdbc, id, "ms2", "apply-core-patch")).as("patchadd not prepared yet").isEmpty();

        Runs.awaitRun(jdbc, id, "ms2", "apply-core-patch", "LAUNCHED");
        ms2.clearFault("showrev", "delay");
        Map<String, Object> read = check(id, "ms2", "apply-core-patch");
        assertThat(read).containsEntry("outcome", "TO_DO");
        Instant readStarted = Instant.parse((String) read.get("startedAt"));
        assertThat(Duration.between(readStarted, Instant.parse((String) read.get("endedAt"))))
                .as("the read (4 s), started to seen ended").isBetween(Duration.ofSeconds(4), Duration.ofSeconds(15));
        Instant launched = jdbc.queryForObject("SELECT launched_at FROM \"MSGSRV\".command_run WHERE rollout_id = ?"
                + " AND step_id = 'apply-core-patch'", Timestamp.class, id).toInstant();
        assertThat(Duration.between(readStarted, launched)).as("read started to patchadd launched, not the quick wait")
                .isBetween(Duration.ofSeconds(4), Duration.ofSeconds(15));

        flow.awaitHostState(id, "ms2", "UPGRADED");
        assertThat(flow.finish(id)).containsEntry("state", "COMPLETED");
        assertThat(Runs.changes(ms2)).filteredOn(c -> c.startsWith("patchadd")).hasSize(1);
        assertThat(ms2.commandLog()).as("the already-done read and confirm-patches, each once")
                .filteredOn(e -> e.command().equals("showrev")).hasSize(2);
    }

    @Test
    void aSlowReadAnsweringAlreadyDoneSkipsTheStep() throws Exception {
        SimulatedHost ms3 = fleet.host("ms3");
        // IMAP enabled on ms3 before the upgrade: enable-imap's read (configutil, 3 s) finds it done
        Path settings = ms3.dir().resolve("state").resolve("configutil");
        Files.writeString(settings, Files.readString(settings).replace("service.imap.enable=no",
                "service.imap.enable=yes"));
        ms3.setFault("configutil", "delay", "3");
        flow.deploy("watcher-skip", FleetSupport.deploymentJson(fleet), List.of("ms3"), d -> {});
        String id = flow.startApproved("watcher-skip");
        flow.approve(id, "Task_ApproveHostUpgrade");

        flow.awaitHostState(id, "ms3", "UPGRADED");
        assertThat(flow.finish(id)).containsEntry("state", "COMPLETED");
        Map<String, Object> read = check(id, "ms3", "enable-imap");
        assertThat(read).containsEntry("outcome", "ALREADY_DONE");
        assertThat(Duration.between(Instant.parse((String) read.get("startedAt")),
                Instant.parse((String) read.get("endedAt")))).as("the read (3 s)").isGreaterThanOrEqualTo(
                Duration.ofSeconds(3));
        assertThat(Runs.states(jdbc, id, "ms3", "enable-imap")).as("nothing run for the step").isEmpty();
        assertThat(Runs.changes(ms3)).noneMatch(c -> c.contains("service.imap.enable"));
        assertThat(ms3.commandLog()).as("the read's answer taken from the watcher, not read again")
                .filteredOn(e -> e.command().equals("configutil") && e.argLine().contains("service.imap.enable"))
                .hasSize(1);
    }

    private List<Timestamp> stepTimersDueAfter(Instant instant) {
        return jdbc.queryForList("SELECT j.DUEDATE_ FROM ACT_RU_JOB j JOIN ACT_RU_JOBDEF d ON d.ID_ = j.JOB_DEF_ID_"
                + " WHERE d.ACT_ID_ = ? AND j.DUEDATE_ > ?", Timestamp.class, HostStepProcess.TIMER_WAIT_FOR_COMMAND,
                Timestamp.from(instant));
    }

    /** The detail of the step's one already-done read in the audit trail. */
    private Map<String, Object> check(String rolloutId, String host, String step) throws RuntimeException {
        String detail = jdbc.queryForObject("SELECT detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ?"
                + " AND host_name = ? AND step_id = ? AND kind = 'CHECK'", String.class, rolloutId, host, step);
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readValue(detail,
                    new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {});
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
