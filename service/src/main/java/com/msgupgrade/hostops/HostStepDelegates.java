package com.msgupgrade.hostops;

import static com.msgupgrade.hostops.HostStepProcess.*;

import com.msgupgrade.catalog.StepId;
import com.msgupgrade.observability.UpgradeMetrics;
import com.msgupgrade.rollout.RolloutRepository;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The delegates of HostStep: map variables, call {@link HostStepService}, map the outcome back.
 * {@code runHostStep} starts or re-attaches; {@code checkHostStep} polls after a durable wait.
 */
@Configuration
class HostStepDelegates {

    @Bean
    JavaDelegate runHostStep(HostStepService steps, RolloutRepository rollouts, UpgradeMetrics metrics,
            HostStepSettings settings) {
        return execution -> {
            HostStepService.StepRequest request = request(execution);
            rollouts.updateHostStep(request.rolloutId(), request.hostName(), request.step().id());
            apply(execution, reachable(steps, metrics, settings, request, () -> steps.run(request)));
        };
    }

    /**
     * As a step is requested, before its job: the host's connection is made while the engine gets to the job
     * (the first step on a host otherwise waits for the SSH handshake).
     */
    @Bean
    org.camunda.bpm.engine.delegate.ExecutionListener connectAhead(HostStepService steps) {
        return execution -> steps.connectAhead((String) execution.getVariable(ROLLOUT_ID),
                (String) execution.getVariable(HOST_NAME));
    }

    /** Before a host of a unit starts: sets {@code slot} to go, wait or skip (see RolloutControl#claim). */
    @Bean
    JavaDelegate claimHostSlot(com.msgupgrade.rollout.RolloutControl control) {
        return execution -> execution.setVariable("slot", control.claim((String) execution.getVariable(ROLLOUT_ID),
                (String) execution.getVariable(HOST_NAME)));
    }

    @Bean
    JavaDelegate checkHostStep(HostStepService steps, UpgradeMetrics metrics, HostStepSettings settings) {
        return execution -> {
            // the run being waited for: this attempt's, or an earlier attempt's that a retry re-attached to
            String runId = (String) execution.getVariable(RUN_ID);
            HostStepService.StepRequest request = runId == null ? request(execution) : request(execution).withRunId(runId);
            apply(execution, reachable(steps, metrics, settings, request, () -> steps.check(request)));
        };
    }

    /**
     * A host that cannot be reached (refused, dropped, timed out) is first retried by the engine
     * (failedJobRetryTimeCycle, {@code msgsrv.runs.retry-cycle}); on the job's last try the step fails into an
     * operator's decision instead of an incident nobody decides on. Host key and authentication problems go
     * there at once: retrying does not fix them. A run started before stays in the ledger: a retry re-attaches.
     * Such a step ends with the outcome UNREACHABLE in the metrics (its time: this last try's), and in the audit
     * trail ({@link HostStepService#recordNotJudged}). The same for a host that answers the handling of a run (its
     * preparation, launch, status, stop) with an error ({@link DetachedRunner.HostAnswerException}): retried, then the
     * operator's decision, as {@code HOST_ERROR}.
     */
    static StepOutcome reachable(HostStepService steps, UpgradeMetrics metrics, HostStepSettings settings,
            HostStepService.StepRequest request, java.util.function.Supplier<StepOutcome> step) {
        java.time.Instant started = java.time.Instant.now();
        try {
            return step.get();
        } catch (com.msgupgrade.ssh.RemoteShellException e) {
            boolean lastTry = lastTry(currentJob(), settings.tries());
            if (e.isTransient() && !lastTry) {
                throw e;
            }
            String reason = e.getMessage() + (e.isTransient() ? " (after the engine's retries)" : "");
            return unjudged(steps, metrics, request, started, "HOST_UNREACHABLE", "UNREACHABLE", reason,
                    "could not reach host " + request.hostName() + ": " + reason);
        } catch (DetachedRunner.HostAnswerException e) {
            if (!lastTry(currentJob(), settings.tries())) {
                throw e;
            }
            String reason = e.getMessage() + " (after the engine's retries)";
            return unjudged(steps, metrics, request, started, "HOST_ERROR", "HOST_ERROR", reason, "failed on host "
                    + request.hostName() + ": the host answered the service's handling of the run with an error: "
                    + reason + ". Whether the step's command ran is in the audit trail's HOST_ERROR entry (its run's"
                    + " state); look at the host's work directory before deciding");
        } catch (com.msgupgrade.secrets.SecretResolver.SecretUnavailableException e) {
            // a run an earlier try prepared, launched again (its try died before the launch), and its secret gone
            // since: nothing was launched by this try, the run stays as the ledger has it, for a retry to launch once
            // the secret is configured (a launch of a new run meets a missing secret before its ledger row, and is
            // judged failed there); retrying now would not bring the secret
            String reason = e.getMessage() + "; this try launched nothing: configure the secret, then retry";
            return unjudged(steps, metrics, request, started, "SECRET_UNAVAILABLE", "FAILED", reason,
                    "failed on host " + request.hostName() + ": " + reason);
        }
    }

    /**
     * A step failed without its run being judged: counted under {@code outcome}, recorded in the trail as {@code kind}
     * with {@code reason}, and failed into the operator's decision with the step named before {@code what}.
     */
    private static StepOutcome unjudged(HostStepService steps, UpgradeMetrics metrics,
            HostStepService.StepRequest request, java.time.Instant started, String kind, String outcome, String reason,
            String what) {
        metrics.stepEnded(request.step().id(), outcome, java.time.Duration.between(started, java.time.Instant.now()));
        steps.recordNotJudged(request, kind, outcome, reason);
        return new StepOutcome(StepOutcome.State.FAILED, request.runId(), null, "Step '" + request.step().title()
                + "' (" + request.step().id() + ") " + what, java.util.List.of());
    }

    /** What the engine stores of a text variable, at most (4,000 characters; a longer one fails the job's flush). */
    static final int FAILURE_CHARS = 3800;

    /**
     * The failure as the operator's task shows it: its head (why, the command) and its end (what the command answered
     * last), cut in the middle past {@link #FAILURE_CHARS}; the whole output is in the audit trail.
     */
    static String shown(String failure) {
        if (failure == null || failure.length() <= FAILURE_CHARS) {
            return failure;
        }
        String cut = "\n… " + (failure.length() - FAILURE_CHARS + 200) + " characters left out (the audit trail has"
                + " the command's output) …\n";
        int head = FAILURE_CHARS / 2;
        return failure.substring(0, head) + cut + failure.substring(failure.length() - (FAILURE_CHARS - head
                - cut.length()));
    }

    private static org.camunda.bpm.engine.impl.persistence.entity.JobEntity currentJob() {
        var context = org.camunda.bpm.engine.impl.context.Context.getJobExecutorContext();
        return context == null ? null : context.getCurrentJob();
    }

    /**
     * Whether the job's try is its last: Camunda sets a job's retries from its cycle at its first failure
     * (DefaultJobRetryCmd: a first execution has no exception recorded), so on its first try the job still has the
     * engine's default (3), whatever the cycle says; with a cycle of one try ({@code R1/…}) that try is the last.
     * No job (run outside the job executor): the last.
     */
    static boolean lastTry(org.camunda.bpm.engine.impl.persistence.entity.JobEntity job, int tries) {
        if (job == null) {
            return true;
        }
        boolean firstTry = job.getExceptionByteArrayId() == null && job.getExceptionMessage() == null;
        return firstTry ? tries <= 1 : job.getRetries() <= 1;
    }

    private static HostStepService.StepRequest request(DelegateExecution execution) {
        Number attemptValue = (Number) execution.getVariable(ATTEMPT);
        int attempt = attemptValue == null ? 1 : attemptValue.intValue();
        if (attemptValue == null) {
            execution.setVariable(ATTEMPT, attempt);
        }
        String runId = runId(execution.getProcessInstanceId(), attempt);
        return new HostStepService.StepRequest((String) execution.getVariable(ROLLOUT_ID),
                (String) execution.getVariable(HOST_NAME), StepId.of((String) execution.getVariable(STEP_ID)),
                attempt, runId, (String) execution.getVariable(PEER_HOST_NAME), execution.getProcessInstanceId());
    }

    private static void apply(DelegateExecution execution, StepOutcome outcome) {
        StepVariables.set(execution, RUN_ID, outcome.runId());
        // read in this transaction only: by the gateway after the task, and by the wait's timer as it is set
        StepVariables.setForThisTransaction(execution, STEP_STATE, outcome.state().name());
        StepVariables.setForThisTransaction(execution, COMMAND_WATCHED, outcome.watched());
        // what the operator deciding on a failed step is shown; cleared when a retry of the step went well
        boolean failed = outcome.state() == StepOutcome.State.FAILED;
        // none when the command gave no exit status (timed out, held back, its run lost, its secret missing)
        StepVariables.set(execution, EXIT_CODE, failed && outcome.exitCode() != null && outcome.exitCode() >= 0
                ? outcome.exitCode() : null);
        StepVariables.set(execution, FAILURE, failed ? shown(outcome.failure()) : null);
        if (StepId.PATCH_CONFIG.id().equals(execution.getVariable(STEP_ID)) && outcome.finished()) {
            // known only from the output of a patch-config that ran and succeeded here: unknown (null) after a failure
            // (an operator may mark it done) or when it had run before (PatchConfigReview reviews it then)
            execution.setVariable(CONFLICTS_FOUND, outcome.state() == StepOutcome.State.DONE
                    ? !outcome.findings().isEmpty() : null);
            execution.setVariable(CONFLICTS, String.join("\n", outcome.findings()));
        }
        if (StepId.COMPARE_CONFIGURATIONS.id().equals(execution.getVariable(STEP_ID)) && outcome.finished()) {
            execution.setVariable(CONFIGURATION_DIFF, String.join("\n", outcome.findings()));
        }
    }
}
