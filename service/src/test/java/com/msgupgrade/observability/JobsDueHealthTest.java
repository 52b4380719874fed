package com.msgupgrade.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.msgupgrade.support.Postgres;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.init.ScriptUtils;

/**
 * {@code jobsDue} on the engine's own job table (Camunda's PostgreSQL schema): which jobs count as due and not
 * acquired, and since when each has waited.
 */
class JobsDueHealthTest {

    private JdbcTemplate jdbc;
    private JobsDueHealth health;
    private int jobs;

    /** The engine's database: PostgreSQL here, H2 (the service's default) in {@link JobsDueHealthOnH2Test}. */
    protected DriverManagerDataSource database() throws Exception {
        return new DriverManagerDataSource(Postgres.newDatabase(), "postgres", "");
    }

    protected String schemaName() {
        return "postgres";
    }

    @BeforeEach
    void engineSchema() throws Exception {
        DriverManagerDataSource dataSource = database();
        try (var connection = dataSource.getConnection()) {
            ScriptUtils.executeSqlScript(connection, new ClassPathResource("org/camunda/bpm/engine/db/create/activiti."
                    + schemaName() + ".create.engine.sql"));
        }
        jdbc = new JdbcTemplate(dataSource);
        health = new JobsDueHealth(jdbc, Duration.ofMinutes(1)).startedAt(Instant.EPOCH);
    }

    @Test
    void isUpWithNoJobs() {
        Health reported = health.health();
        assertThat(reported.getStatus()).isEqualTo(Status.UP);
        assertThat(reported.getDetails()).containsEntry("due", 0L).containsEntry("oldestDueSeconds", 0L);
    }

    @Test
    void anAsynchronousContinuationNobodyAcquiredCountsFromItsCreation() {
        // the engine leaves an asynchronous continuation's due date empty: every host step starts with one
        job(null, ago(600), null, 3);
        Health reported = health.health();
        assertThat(reported.getStatus()).isEqualTo(Status.DOWN);
        assertThat(reported.getDetails()).containsEntry("due", 1L);
        assertThat((Long) reported.getDetails().get("oldestDueSeconds")).isBetween(600L, 660L);
    }

    @Test
    void aJobWhoseLockExpiredCountsFromTheLocksExpiry() {
        // acquired by a node that died two minutes ago; created ten minutes ago
        job(null, ago(600), ago(120), 3);
        Health reported = health.health();
        assertThat(reported.getStatus()).isEqualTo(Status.DOWN);
        assertThat((Long) reported.getDetails().get("oldestDueSeconds")).isBetween(120L, 180L);
    }

    @Test
    void jobsHeldNotYetDueOrWithoutRetriesDoNotCount() {
        job(null, ago(600), Instant.now().plusSeconds(300), 3); // held by a live job executor
        job(Instant.now().plusSeconds(3600), ago(600), null, 3); // a timer due in an hour
        job(ago(600), ago(600), null, 0); // an incident: no retries left
        job(ago(10), ago(700), null, 3); // a retry due ten seconds ago, within the delay allowed
        Health reported = health.health();
        assertThat(reported.getStatus()).isEqualTo(Status.UP);
        assertThat(reported.getDetails()).containsEntry("due", 1L);
        assertThat((Long) reported.getDetails().get("oldestDueSeconds")).isBetween(10L, 59L);
    }

    @Test
    void afterARestartAJobDueDuringTheOutageWaitsFromTheStart() {
        job(ago(600), ago(700), null, 3); // a timer due during ten minutes with no node up
        JobsDueHealth restarted = new JobsDueHealth(jdbc, Duration.ofMinutes(1)).startedAt(ago(20));
        assertThat(restarted.health().getStatus()).isEqualTo(Status.UP);
        assertThat((Long) restarted.health().getDetails().get("oldestDueSeconds")).isBetween(20L, 59L);
        assertThat(new JobsDueHealth(jdbc, Duration.ofMinutes(1)).startedAt(ago(90)).health().getStatus())
                .as("still not acquired a minute and a half after the start").isEqualTo(Status.DOWN);
    }

    @Test
    void aNodeHoldingJobsPastTheirLocksExpiryIsDownAndTheOthersAreNot() {
        job(null, ago(900), ago(300), 3); // node-a took it, and holds it five minutes past its lock's expiry
        job(null, ago(30), Instant.now().plusSeconds(250), 3); // node-a runs this one now
        Health stuck = new JobsHeldHealth(jdbc, null, Duration.ofMinutes(1)).as("node-a").health();
        assertThat(stuck.getStatus()).isEqualTo(Status.DOWN);
        assertThat(stuck.getDetails()).containsEntry("heldPastExpiry", 1L).containsEntry("lockOwner", "node-a");
        assertThat(new JobsHeldHealth(jdbc, null, Duration.ofMinutes(1)).as("node-b").health().getStatus())
                .isEqualTo(Status.UP);
    }

    private static Instant ago(long seconds) {
        return Instant.now().minusSeconds(seconds);
    }

    private void job(Instant due, Instant created, Instant lockExpires, int retries) {
        jdbc.update("INSERT INTO ACT_RU_JOB (ID_, REV_, TYPE_, RETRIES_, DUEDATE_, CREATE_TIME_, LOCK_EXP_TIME_,"
                + " LOCK_OWNER_) VALUES (?, 1, 'message', ?, ?, ?, ?, ?)", "job-" + (++jobs), retries, timestamp(due),
                timestamp(created), timestamp(lockExpires), lockExpires == null ? null : "node-a");
    }

    private static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }
}
