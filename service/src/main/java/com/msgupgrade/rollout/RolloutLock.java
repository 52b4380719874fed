package com.msgupgrade.rollout;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Serializes, per rollout, the transactions that end a process called by a parallel multi-instance (a unit of a
 * phase, a post-upgrade step, a final verification): each of them updates the multi-instance's counters in the
 * Rollout process, and two at the same moment would make one fail on the engine's optimistic lock and wait for a
 * retry. Held from the called process's end (its end listener, {@code ${rolloutLock.hold(rolloutId)}}) to the
 * commit, the rollout's work lock (a row of {@code rollout_work_lock}) lets them rejoin one after the other. The
 * slot claims take it too ({@link RolloutControl#claim}).
 * <p>
 * It is not the rollout's own row, which each audit entry takes as it is appended: a rejoin holds its lock until
 * the engine has flushed, and at a thousand hosts the audit entries of every other host queued behind the rejoins.
 * A transaction that takes both takes this one first (audit entries are appended at commit, after everything
 * else), so the two never wait for each other the other way round.
 */
@Component("rolloutLock")
public class RolloutLock {

    private final JdbcTemplate jdbc;

    RolloutLock(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public void hold(String rolloutId) {
        String sql = "SELECT rollout_id FROM \"MSGSRV\".rollout_work_lock WHERE rollout_id = ? FOR UPDATE";
        if (!jdbc.queryForList(sql, String.class, rolloutId).isEmpty()) {
            return;
        }
        // a rollout row written without its lock row (by hand): the row is made on first use, and held by the
        // transaction that made it (a second one making it at the same moment fails on the key and is retried)
        jdbc.update("INSERT INTO \"MSGSRV\".rollout_work_lock (rollout_id) VALUES (?)", rolloutId);
    }

    /**
     * HostStep's end: holds the lock only for an instance called by a parallel multi-instance (the caller passes
     * {@code rejoinsInParallel}); the steps of one host's upgrade follow one another and need no lock, and taking
     * it at every step made every host of the rollout wait for every other.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void holdIfRejoiningInParallel(org.camunda.bpm.engine.delegate.DelegateExecution execution) {
        if (Boolean.TRUE.equals(execution.getVariable(REJOINS_IN_PARALLEL))) {
            hold((String) execution.getVariable("rolloutId"));
        }
    }

    /** Passed by a parallel multi-instance to the HostStep instances it calls. */
    public static final String REJOINS_IN_PARALLEL = "rejoinsInParallel";
}
