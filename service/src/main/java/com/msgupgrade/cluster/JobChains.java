package com.msgupgrade.cluster;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cfg.TransactionState;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.interceptor.CommandContextListener;
import org.camunda.bpm.engine.impl.interceptor.Session;
import org.camunda.bpm.engine.impl.interceptor.SessionFactory;
import org.camunda.bpm.engine.impl.jobexecutor.ExclusiveJobAddedNotification;
import org.camunda.bpm.engine.impl.jobexecutor.JobExecutor;
import org.camunda.bpm.engine.impl.jobexecutor.JobExecutorContext;
import org.camunda.bpm.engine.impl.jobexecutor.MessageAddedNotification;
import org.camunda.bpm.engine.impl.persistence.entity.JobEntity;
import org.camunda.bpm.engine.impl.persistence.entity.JobManager;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.springframework.stereotype.Component;

/**
 * A job goes on, in the same thread and as soon as it commits, with a job it created, the way the engine already
 * goes on with the next job of the same process instance.
 *
 * <p>A host's steps are each a process instance of their own ({@code HostStep}, called by the host's process): the
 * job that ends one step creates the job that starts the next, in another process instance, and the engine left
 * that job to the next acquisition — 10–40 ms later on a busy node, at every step of every host, and at every hop
 * from a gate's decision to the first command it lets go (the phase's groups, their units, each host's start). Now
 * the thread locks the job in the transaction that creates it and runs it next. Of several (a phase's units, its
 * hosts' post-upgrade steps) it takes one, of the highest priority, and leaves the others to the job executor, to run
 * in parallel. A job that fails creates none (its transaction rolls back); a node shutting down unlocks the job it
 * did not start, as the engine does.
 */
@Component
public class JobChains extends AbstractProcessEnginePlugin {

    @Override
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        List<SessionFactory> factories = configuration.getCustomSessionFactories() == null
                ? new ArrayList<>() : new ArrayList<>(configuration.getCustomSessionFactories());
        factories.add(new SessionFactory() {
            @Override
            public Class<?> getSessionType() {
                return JobManager.class;
            }

            @Override
            public Session openSession() {
                return new ChainingJobManager();
            }
        });
        configuration.setCustomSessionFactories(factories);
    }

    /** One per command (the engine's sessions are): the jobs this command created that could go on in this thread. */
    static final class ChainingJobManager extends JobManager {

        private final List<JobEntity> next = new ArrayList<>();

        @Override
        protected void hintJobExecutor(JobEntity job) {
            JobExecutor jobExecutor = Context.getProcessEngineConfiguration().getJobExecutor();
            JobExecutorContext executing = Context.getJobExecutorContext();
            if (!jobExecutor.isActive() || executing == null || !executing.isExecutingExclusiveJob()
                    || areInSameProcessInstance(job, executing.getCurrentJob()) // the engine goes on with those
                    || job.isSuspended() || !job.isExclusive() || !isJobDue(job)
                    || !isJobPriorityInJobExecutorPriorityRange(job.getPriority())) {
                super.hintJobExecutor(job);
                return;
            }
            if (next.isEmpty()) {
                Context.getCommandContext().registerCommandContextListener(new CommandContextListener() {
                    @Override
                    public void onCommandContextClose(CommandContext commandContext) {
                        decide(commandContext, jobExecutor, executing);
                    }

                    @Override
                    public void onCommandFailed(CommandContext commandContext, Throwable t) {
                        // rolled back: the jobs were never created
                    }
                });
            }
            next.add(job);
        }

        /**
         * Before the command's changes are written: the job of the highest priority (the first of those) is locked for
         * this thread, the others are left to the job executor.
         */
        private void decide(CommandContext commandContext, JobExecutor jobExecutor, JobExecutorContext executing) {
            JobEntity job = next.get(0);
            for (JobEntity other : next) {
                if (other.getPriority() > job.getPriority()) {
                    job = other;
                }
            }
            long now = ClockUtil.getCurrentTime().getTime();
            job.setLockExpirationTime(new Date(now + jobExecutor.getLockTimeInMillis()));
            job.setLockOwner(jobExecutor.getLockOwner());
            commandContext.getTransactionContext().addTransactionListener(TransactionState.COMMITTED,
                    new ExclusiveJobAddedNotification(job.getId(), executing));
            if (next.size() > 1) {
                commandContext.getTransactionContext().addTransactionListener(TransactionState.COMMITTED,
                        new MessageAddedNotification(jobExecutor));
            }
            next.clear();
        }
    }
}
