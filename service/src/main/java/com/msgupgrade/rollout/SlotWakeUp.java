package com.msgupgrade.rollout;

import com.msgupgrade.observability.LogContext;
import java.sql.Timestamp;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import com.msgupgrade.OwnTransaction;
import com.msgupgrade.TimerWakeUp;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Units waiting for one of the rollout's slots (UpgradeUnit's and UpgradeCluster's durable timers) are woken
 * when a slot frees, instead of each asking again every {@code msgsrv.rollout.slot-poll-interval}: a thousand
 * waiting units polling every few seconds kept the job executor and the rollout's row lock busy for nothing. The
 * units that waited longest have their timers made due now, after the transaction that freed the slot commits;
 * the poll interval stays as the fallback (a wake-up lost to a crash, or to a unit that started waiting at the
 * same moment). A timer already due is left out: it fires anyway, and picking it again (a woken timer's due date,
 * now, is the earliest of all) made a second slot freed before it fired wake nobody.
 */
@Component
public class SlotWakeUp {

    private static final Logger log = LoggerFactory.getLogger(SlotWakeUp.class);
    /** The timers of UpgradeUnit's hosts and UpgradeCluster's nodes; of a cluster's start and of its standby. */
    static final String WAIT_FOR_SLOT = "Timer_WaitForSlot";
    static final String WAIT_FOR_CLUSTER_SLOT = "Timer_WaitForClusterSlot";
    static final String WAIT_FOR_STANDBY_SLOT = "Timer_WaitForStandbySlot";

    private final JdbcTemplate jdbc;
    private final TimerWakeUp timers;
    private final TransactionTemplate ownTransaction;

    SlotWakeUp(JdbcTemplate jdbc, TimerWakeUp timers, OwnTransaction ownTransaction) {
        this.jdbc = jdbc;
        this.timers = timers;
        this.ownTransaction = ownTransaction;
    }

    /** Wakes up to {@code count} waiting units of the rollout once the current transaction has committed. */
    public void wake(String rolloutId, int count) {
        afterCommit(() -> LogContext.inRollout(rolloutId, () -> wakeNow(rolloutId, count)));
    }

    /** Runs {@code work} once the current transaction has committed; at once without one. */
    static void afterCommit(Runnable work) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    work.run();
                }
            });
        } else {
            work.run();
        }
    }

    private void wakeNow(String rolloutId, int count) {
        int woken = 0;
        try {
            // a candidate another wake-up took first (two slots freed at the same moment) is passed over for the next
            for (int round = 0; round < 3 && woken < count; round++) {
                // every waiting unit (an abort: Integer.MAX_VALUE) without overflowing into a negative LIMIT
                List<String> waiting = waiting(rolloutId, (int) Math.min(Integer.MAX_VALUE, (long) count - woken + 4));
                for (String job : waiting) {
                    if (woken < count && makeDue(job)) {
                        woken++;
                    }
                }
                if (waiting.isEmpty()) {
                    break;
                }
            }
        } catch (RuntimeException e) {
            log.warn("could not wake the units of rollout {} waiting for a slot (they ask again at their own time): {}",
                    rolloutId, e.getMessage());
        }
        if (woken > 0) {
            timers.hintJobExecutor();
        }
    }

    /** The timer of an approved host waiting for a change window (or a blackout's end) in the host processes. */
    static final String WAIT_FOR_CHANGE_WINDOW = "Timer_WaitForChangeWindow";
    /** UpgradeCluster's: a node's, and the standby's, before their failover steps. */
    static final String WAIT_FOR_NODE_WINDOW = "Timer_WaitForNodeWindow";
    static final String WAIT_FOR_STANDBY_WINDOW = "Timer_WaitForStandbyWindow";
    /** The rollout's own, before a post-upgrade phase. */
    static final String WAIT_FOR_PHASE_WINDOW = "Timer_WaitForPhaseWindow";

    /**
     * An abort: the rollout's approved hosts waiting for a window are woken (once the abort commits), to end
     * without starting rather than when their window opens, days later perhaps; so is a post-upgrade phase waiting
     * for one, which then has nothing to run.
     */
    public void wakeHeldByWindows(String rolloutId) {
        wakeTimers(rolloutId, WAIT_FOR_CHANGE_WINDOW, WAIT_FOR_NODE_WINDOW, WAIT_FOR_STANDBY_WINDOW,
                WAIT_FOR_PHASE_WINDOW);
    }

    /** A resume: a post-upgrade phase held by the pause looks again (once the resume commits). */
    public void wakePhaseHeldByPause(String rolloutId) {
        wakeTimers(rolloutId, WAIT_FOR_PHASE_WINDOW);
    }

    private void wakeTimers(String rolloutId, String... activityIds) {
        String in = String.join(", ", java.util.Collections.nCopies(activityIds.length, "?"));
        Runnable wake = () -> {
            try {
                Timestamp now = new Timestamp(System.currentTimeMillis());
                Object[] arguments = java.util.stream.Stream.of(new Object[] {now, now}, activityIds,
                        new Object[] {rolloutId}).flatMap(java.util.Arrays::stream).toArray();
                int woken = ownTransaction.execute(status -> jdbc.update("UPDATE ACT_RU_JOB SET DUEDATE_ = ?,"
                        + " REV_ = REV_ + 1 WHERE DUEDATE_ > ? AND LOCK_OWNER_ IS NULL AND ID_ IN (SELECT j.ID_ FROM"
                        + " ACT_RU_JOB j JOIN ACT_RU_JOBDEF d ON d.ID_ = j.JOB_DEF_ID_ JOIN ACT_RU_EXECUTION e"
                        + " ON e.ID_ = j.PROCESS_INSTANCE_ID_ WHERE d.ACT_ID_ IN (" + in + ") AND e.BUSINESS_KEY_ = ?)",
                        arguments));
                if (woken > 0) {
                    timers.hintJobExecutor();
                }
            } catch (RuntimeException e) {
                log.warn("could not wake what waits in rollout {} at {} (it looks again when its timer is due):"
                        + " {}", rolloutId, String.join(", ", activityIds), e.getMessage());
            }
        };
        afterCommit(() -> LogContext.inRollout(rolloutId, wake));
    }

    private List<String> waiting(String rolloutId, int limit) {
        return ownTransaction.execute(status -> jdbc.queryForList("SELECT j.ID_ FROM ACT_RU_JOB j"
                + " JOIN ACT_RU_JOBDEF d ON d.ID_ = j.JOB_DEF_ID_"
                + " JOIN ACT_RU_EXECUTION e ON e.ID_ = j.PROCESS_INSTANCE_ID_"
                + " WHERE d.ACT_ID_ IN (?, ?, ?) AND j.PROCESS_DEF_KEY_ IN ('UpgradeUnit', 'UpgradeCluster')"
                + " AND e.BUSINESS_KEY_ = ? AND j.LOCK_OWNER_ IS NULL AND j.DUEDATE_ > ? ORDER BY j.DUEDATE_ LIMIT ?",
                String.class, WAIT_FOR_SLOT, WAIT_FOR_CLUSTER_SLOT, WAIT_FOR_STANDBY_SLOT, rolloutId,
                new Timestamp(System.currentTimeMillis()), limit));
    }

    /**
     * Makes the timer due now if it is still waiting: not due yet and not taken by a job executor. One statement,
     * so that of two wake-ups at the same moment only one wakes a given unit (the engine's own {@code setJobDuedate}
     * would let both, the second waking nobody). The revision goes up as the engine's own updates do, so a job
     * executor holding the job as it was cannot act on it.
     */
    private boolean makeDue(String job) {
        Timestamp now = new Timestamp(System.currentTimeMillis());
        return ownTransaction.execute(status -> jdbc.update("UPDATE ACT_RU_JOB SET DUEDATE_ = ?, REV_ = REV_ + 1"
                + " WHERE ID_ = ? AND DUEDATE_ > ? AND LOCK_OWNER_ IS NULL", now, job, now)) == 1;
    }
}
