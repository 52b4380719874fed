package com.msgupgrade.hostops;

import java.util.Optional;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.persistence.entity.JobEntity;

/**
 * The engine's job that runs a step, as this thread holds it: locked by this node's job executor, at the row's
 * revision when the thread began it. A job that outlives its lock (a long pause, slow SSH, a wait in the executor's
 * queue) may be taken again by another node or thread, which may end its attempt (the host unreachable: the
 * operator's decision opens, and is answered); the first one, going on, must then launch nothing. The command ledger
 * prepares a run only while the job's row is still locked by this node at that revision ({@link
 * CommandLedger#prepared}, the check and the ledger's row in one transaction); another acquisition, an end or a retry
 * changed it. (Between the ledger's row and the launch, the ledger's key and the host's guard stop a second run.)
 */
record JobFence(String jobId, String lockOwner, int revision) {

    /**
     * The job the current engine command executes, if it executes one: as this node's job executor must hold it (a
     * job run by hand, outside the executor, unlocked).
     */
    static Optional<JobFence> current() {
        CommandContext command = Context.getCommandContext();
        JobEntity job = command == null ? null : command.getCurrentJob();
        if (job == null) {
            return Optional.empty();
        }
        // run by this node's job executor: the row must be locked by it, not by the node that took the job again
        // before this thread began it (the engine executes a job whoever locks it now)
        String owner = Context.getJobExecutorContext() != null
                ? Context.getProcessEngineConfiguration().getJobExecutor().getLockOwner() : job.getLockOwner();
        return Optional.of(new JobFence(job.getId(), owner, job.getRevision()));
    }
}
