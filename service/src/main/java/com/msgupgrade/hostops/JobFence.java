package com.msgupgrade.hostops;

import java.util.Optional;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.persistence.entity.JobEntity;

/**
 * The engine's job that runs a step, as this thread holds it: its lock owner and the row's revision when the thread
 * began it. A job that outlives its lock (a long pause, slow SSH) may be taken again by another node or thread, which
 * may end its attempt (the host unreachable: the operator's decision opens, and is answered); the first one, going
 * on, must then launch nothing. The command ledger prepares a run only while the job's row is still the one this
 * thread began ({@link CommandLedger#prepared}); another acquisition, an end or a retry changed its revision.
 */
record JobFence(String jobId, String lockOwner, int revision) {

    /** The job the current engine command executes, if it executes one. */
    static Optional<JobFence> current() {
        CommandContext command = Context.getCommandContext();
        JobEntity job = command == null ? null : command.getCurrentJob();
        return job == null ? Optional.empty()
                : Optional.of(new JobFence(job.getId(), job.getLockOwner(), job.getRevision()));
    }
}
