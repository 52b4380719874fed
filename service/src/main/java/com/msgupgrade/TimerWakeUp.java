package com.msgupgrade;

import java.util.Date;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.jobexecutor.JobExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * Makes a durable timer due now, in a transaction of its own, and tells this node's job executor, so that what
 * waits on it (a step's check, a unit waiting for a slot) goes on at once instead of when the timer was due. A
 * timer that a job executor took meanwhile is firing anyway; any other failure leaves it to fire at its own time.
 */
@Component
public class TimerWakeUp {

    private static final Logger log = LoggerFactory.getLogger(TimerWakeUp.class);

    private final ManagementService management;
    private final ProcessEngine engine;
    private final OwnTransaction ownTransaction;

    private final IdentityService identities;

    TimerWakeUp(@Lazy ManagementService management, @Lazy ProcessEngine engine, OwnTransaction ownTransaction,
            @Lazy IdentityService identities) {
        this.identities = identities;
        this.management = management;
        this.engine = engine;
        this.ownTransaction = ownTransaction;
    }

    /** True when the timer was made due (or was firing already). */
    public boolean wake(String timerJobId, String what) {
        try {
            // the service's own act, whoever's request it happens in: not a person's change of the timer
            ownTransaction.executeWithoutResult(status -> com.msgupgrade.security.AsTheService.call(identities, () -> {
                management.setJobDuedate(timerJobId, new Date());
                return null;
            }));
        } catch (OptimisticLockingException e) {
            log.debug("the timer of {} changed meanwhile (it is firing): {}", what, e.getMessage());
            return true;
        } catch (RuntimeException e) {
            if (management.createJobQuery().jobId(timerJobId).count() == 0) {
                log.debug("the timer of {} fired meanwhile", what);
                return true;
            }
            log.warn("could not wake {} (its timer fires at its own time): {}", what, e.getMessage());
            return false;
        }
        hintJobExecutor();
        return true;
    }

    /** Tells this node's job executor that a job is due now (it looks at once instead of at its next poll). */
    public void hintJobExecutor() {
        JobExecutor jobExecutor = ((ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration())
                .getJobExecutor();
        if (jobExecutor != null && jobExecutor.isActive()) {
            jobExecutor.jobWasAdded();
        }
    }
}
