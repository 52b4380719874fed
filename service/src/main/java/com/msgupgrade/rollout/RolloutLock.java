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
 * commit, the row lock of the rollout (the one the audit trail takes too) lets them rejoin one after the other.
 */
@Component("rolloutLock")
public class RolloutLock {

    private final JdbcTemplate jdbc;

    RolloutLock(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public void hold(String rolloutId) {
        jdbc.queryForList("SELECT id FROM \"MSGSRV\".rollout WHERE id = ? FOR UPDATE", String.class, rolloutId);
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
