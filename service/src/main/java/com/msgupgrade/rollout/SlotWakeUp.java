package com.msgupgrade.rollout;

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
 * Units waiting for one of the rollout's slots (UpgradeUnit's durable timer {@code Timer_WaitForSlot}) are woken
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
    static final String WAIT_FOR_SLOT = "Timer_WaitForSlot";

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
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    wakeNow(rolloutId, count);
                }
            });
        } else {
            wakeNow(rolloutId, count);
        }
    }

    private void wakeNow(String rolloutId, int count) {
        List<String> waiting;
        try {
            waiting = ownTransaction.execute(status -> jdbc.queryForList("SELECT j.ID_ FROM ACT_RU_JOB j"
                    + " JOIN ACT_RU_JOBDEF d ON d.ID_ = j.JOB_DEF_ID_"
                    + " JOIN ACT_RU_EXECUTION e ON e.ID_ = j.PROCESS_INSTANCE_ID_"
                    + " WHERE d.ACT_ID_ = ? AND j.PROCESS_DEF_KEY_ = 'UpgradeUnit' AND e.BUSINESS_KEY_ = ?"
                    + " AND j.LOCK_OWNER_ IS NULL AND j.DUEDATE_ > ? ORDER BY j.DUEDATE_ LIMIT ?", String.class,
                    WAIT_FOR_SLOT, rolloutId, new java.sql.Timestamp(System.currentTimeMillis()), count));
        } catch (RuntimeException e) {
            log.warn("could not wake the units of rollout {} waiting for a slot (they ask again at their own time): {}",
                    rolloutId, e.getMessage());
            return;
        }
        // one timer at a time: one that a job executor took meanwhile (it fires anyway) does not hold up the others
        waiting.forEach(job -> timers.wake(job, "a unit of rollout " + rolloutId + " waiting for a slot"));
    }
}
