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
        if (holdRow(rolloutId)) {
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
        if (!Boolean.TRUE.equals(execution.getVariable(REJOINS_IN_PARALLEL))) {
            return;
        }
        String rolloutId = (String) execution.getVariable("rolloutId");
        // the group comes in with the step (the caller passes it), not from the caller's scopes: reading those
        // would load the group's counters into the engine before the lock, and the rejoin would then update a
        // copy that another group member's commit had made stale (an optimistic locking failure)
        Object group = execution.getVariable(JOIN_GROUP);
        var caller = execution.getProcessInstance().getSuperExecution();
        if (group == null || caller == null || !holdRow(groupLock(rolloutId, group))) {
            hold(rolloutId);
            return;
        }
        // the last instance of its group ends the group too, which rejoins the multi-instance over the groups
        if (lastActiveInstance(caller.getParentId())) {
            hold(rolloutId);
        }
    }

    /**
     * The lock of one group of a phase's parallel multi-instance: its instances' rejoins update only their group's
     * counters, so they wait for one another, not for every other group's. Held on the rollout's lock instead, a
     * thousand steps ending at once (disabling mshttpd on every store) queued one after the other, each holding a job
     * thread while it waited: 42 of the 48 threads in thread dumps of a 1,000-host run.
     */
    static String groupLock(String rolloutId, Object group) {
        return rolloutId + "/" + group;
    }

    /** The group's number: the element variable of Rollout.bpmn's outer multi-instances, passed to each step. */
    static final String JOIN_GROUP = "joinGroup";

    /** Lock rows for the groups of a rollout of {@code hosts} hosts: as many as its largest phase has groups. */
    static java.util.List<String> groupLocks(String rolloutId, int hosts) {
        return java.util.stream.IntStream.range(0, RolloutPlan.groupSize(hosts) + 1)
                .mapToObj(g -> groupLock(rolloutId, g)).toList();
    }

    /** Locks the row; false when there is none (a rollout started before its groups had locks of their own). */
    private boolean holdRow(String key) {
        return !jdbc.queryForList("SELECT rollout_id FROM \"MSGSRV\".rollout_work_lock WHERE rollout_id = ? FOR UPDATE",
                String.class, key).isEmpty();
    }

    /**
     * Whether the instance whose call activity's parent execution is {@code parentId} is the last active one of its
     * multi-instance: the counter is on the multi-instance body, the parent or (above a concurrent child) the
     * parent's parent. Read under the group's lock, so that the group's earlier rejoins have committed; unknown
     * counts as last (the rollout's lock is taken, as before groups had locks).
     */
    private boolean lastActiveInstance(String parentId) {
        java.util.List<Long> active = jdbc.queryForList("SELECT LONG_ FROM ACT_RU_VARIABLE WHERE NAME_ ="
                + " 'nrOfActiveInstances' AND EXECUTION_ID_ IN (?, (SELECT PARENT_ID_ FROM ACT_RU_EXECUTION WHERE ID_ = ?))",
                Long.class, parentId, parentId);
        return active.size() != 1 || active.get(0) == null || active.get(0) <= 1;
    }

    /** Passed by a parallel multi-instance to the HostStep instances it calls. */
    public static final String REJOINS_IN_PARALLEL = "rejoinsInParallel";
}
