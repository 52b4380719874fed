package com.msgupgrade.hostops;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import com.msgupgrade.OwnTransaction;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The command ledger: a run is recorded in its own transaction before it starts on the host, so a
 * job that is rolled back or a node that dies leaves the record behind and the next attempt of the
 * same job re-attaches to the run instead of starting it again.
 */
@Component
class CommandLedger {

    enum State { PREPARED, LAUNCHED, FINISHED }

    record Run(String runId, String rolloutId, String host, String step, int attempt, String commandLine,
            State state, Integer exitCode, String outcome, Instant launchedAt, String outputExcerpt, String secretName) {}

    private final JdbcTemplate jdbc;
    private final TransactionTemplate ownTransaction;

    CommandLedger(JdbcTemplate jdbc, OwnTransaction ownTransaction) {
        this.jdbc = jdbc;
        this.ownTransaction = ownTransaction;
    }

    Optional<Run> find(String runId) {
        return ownTransaction.execute(status -> jdbc.query("SELECT * FROM \"MSGSRV\".command_run WHERE run_id = ?",
                this::run, runId).stream().findFirst());
    }

    private Run run(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        return new Run(rs.getString("run_id"), rs.getString("rollout_id"), rs.getString("host_name"),
                rs.getString("step_id"), rs.getInt("attempt"), rs.getString("command_line"),
                State.valueOf(rs.getString("state")), (Integer) rs.getObject("exit_code"), rs.getString("outcome"),
                rs.getTimestamp("launched_at") == null ? null : rs.getTimestamp("launched_at").toInstant(),
                rs.getString("output_excerpt"), rs.getString("secret_name"));
    }

    /**
     * A run of an earlier attempt of the same step (same HostStep instance) that never finished: its host was
     * lost while it ran. A retry re-attaches to it instead of starting the command again.
     */
    Optional<Run> unfinishedEarlierRun(String runId) {
        String family = runId.substring(0, runId.lastIndexOf('-') + 1);
        return ownTransaction.execute(status -> jdbc.query("SELECT * FROM \"MSGSRV\".command_run WHERE run_id LIKE ?"
                + " AND run_id <> ? AND state <> ? ORDER BY attempt DESC", this::run, family + "%", runId,
                State.FINISHED.name()).stream().findFirst());
    }

    /**
     * Of the runs of these steps on the host in this rollout that ended (only those that succeeded, when
     * {@code succeeded}), the one that ended last.
     */
    Optional<Run> lastEnded(String rolloutId, String host, java.util.Collection<String> steps, boolean succeeded) {
        return ownTransaction.execute(status -> jdbc.query("SELECT * FROM \"MSGSRV\".command_run WHERE rollout_id = ?"
                + " AND host_name = ? AND ended_at IS NOT NULL" + (succeeded ? " AND outcome = 'SUCCEEDED'" : "")
                + " AND step_id IN (" + String.join(",", java.util.Collections.nCopies(steps.size(), "?"))
                + ") ORDER BY ended_at DESC", this::run, java.util.stream.Stream.concat(
                        java.util.stream.Stream.of(rolloutId, host), steps.stream()).toArray()).stream().findFirst());
    }

    /**
     * Recorded before anything happens on the host; the primary key refuses a second node preparing the same run.
     * {@code secretName}: the name of the secret the run is given (a file beside it on the host), or null.
     */
    void prepared(String runId, String rolloutId, String host, String step, int attempt, String commandLine,
            String nodeId, String secretName, Optional<JobFence> fence) {
        ownTransaction.executeWithoutResult(status -> {
            fence.ifPresent(this::stillHeldLocked);
            jdbc.update("INSERT INTO \"MSGSRV\".command_run (run_id, rollout_id, host_name, step_id, attempt,"
                    + " command_line, state, created_at, node_id, secret_name) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    runId, rolloutId, host, step, attempt, commandLine, State.PREPARED.name(), now(), nodeId,
                    secretName);
        });
    }

    /**
     * The step's job is still the one its thread began, its row locked until the caller's transaction ends (another
     * acquisition waits for it): otherwise nothing may be launched for it.
     *
     * @throws org.camunda.bpm.engine.OptimisticLockingException when it is not (the engine neither fails nor retries
     *         the job for it: whoever holds it now goes on)
     */
    private void stillHeldLocked(JobFence fence) {
        boolean held = !jdbc.queryForList("SELECT ID_ FROM ACT_RU_JOB WHERE ID_ = ? AND REV_ = ? AND "
                + (fence.lockOwner() == null ? "LOCK_OWNER_ IS NULL" : "LOCK_OWNER_ = ?") + " FOR UPDATE",
                String.class, fence.lockOwner() == null ? new Object[] {fence.jobId(), fence.revision()}
                        : new Object[] {fence.jobId(), fence.revision(), fence.lockOwner()}).isEmpty();
        if (!held) {
            throw new org.camunda.bpm.engine.OptimisticLockingException("job " + fence.jobId() + " was taken again"
                    + " (its lock ran out), ended or retried while this thread worked on it: it launches nothing");
        }
    }

    /** {@link #stillHeldLocked}, in a transaction of its own: before a prepared run is launched again. */
    void stillHeld(Optional<JobFence> fence) {
        fence.ifPresent(f -> ownTransaction.executeWithoutResult(status -> stillHeldLocked(f)));
    }

    /**
     * The runs given a secret that did not end as the service saw (no exit status read, no timeout's stop: either
     * removes the secret's files) and whose files were not found gone since: their secret may still be on the host.
     */
    java.util.List<Run> secretPossiblyLeft() {
        return ownTransaction.execute(status -> jdbc.query("SELECT * FROM \"MSGSRV\".command_run WHERE secret_name"
                + " IS NOT NULL AND secret_removed_at IS NULL AND state <> ? ORDER BY created_at", this::run,
                State.FINISHED.name()));
    }

    /** The run's secret files were found gone from its host, or removed. */
    void secretRemoved(String runId) {
        ownTransaction.executeWithoutResult(status -> jdbc.update("UPDATE \"MSGSRV\".command_run SET"
                + " secret_removed_at = ? WHERE run_id = ? AND secret_removed_at IS NULL", now(), runId));
    }

    /** The run was launched: a run already judged (FINISHED, by a second execution of its job) stays so. */
    void launched(String runId) {
        ownTransaction.executeWithoutResult(status -> jdbc.update(
                "UPDATE \"MSGSRV\".command_run SET state = ?, launched_at = COALESCE(launched_at, ?) WHERE run_id = ?"
                        + " AND state = ?", State.LAUNCHED.name(), now(), runId, State.PREPARED.name()));
    }

    /**
     * The run judged, in the caller's transaction (the one that appends its {@code COMMAND} entry to the audit
     * trail). A run judged already, by another try of its step that got there first, fails the transaction: its
     * entry is not appended a second time, and the step's next try finds the outcome recorded. A step that failed
     * before its run was prepared (its secret not configured, say) has no row: nothing to judge.
     */
    void finished(String runId, int exitCode, String outcome, String excerpt, String sha256) {
        int judged = jdbc.update("UPDATE \"MSGSRV\".command_run SET state = ?, exit_code = ?, outcome = ?,"
                + " output_excerpt = ?, output_sha256 = ?, ended_at = ? WHERE run_id = ? AND state <> ?",
                State.FINISHED.name(), exitCode, outcome, excerpt, sha256, now(), runId, State.FINISHED.name());
        if (judged == 0 && jdbc.queryForObject("SELECT COUNT(*) FROM \"MSGSRV\".command_run WHERE run_id = ?",
                Integer.class, runId) > 0) {
            throw new IllegalStateException("run " + runId + " was judged already, by another try of its step");
        }
    }

    private static Timestamp now() {
        return Timestamp.from(Instant.now());
    }
}
