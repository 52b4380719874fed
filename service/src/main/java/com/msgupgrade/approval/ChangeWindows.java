package com.msgupgrade.approval;

import com.msgupgrade.audit.AuditTrail;
import com.msgupgrade.rollout.RolloutControl;
import com.msgupgrade.rollout.RolloutPlan;
import com.msgupgrade.rollout.RolloutProcess;
import com.msgupgrade.rollout.RolloutRepository;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.springframework.stereotype.Component;

/**
 * Whether an approved host may start now ({@code ${changeWindows.verdict(rolloutId)}}, at the host processes'
 * "In a change window?"), and the durable wait for the next moment it may ({@link #nextStart}: the host processes'
 * timer, and UpgradeCluster's before a node's or the standby's failover steps, whose verdict is
 * {@code RolloutControl.claimInWindow}).
 */
@Component("changeWindows")
public class ChangeWindows {

    /** The host starts now. */
    public static final String OPEN = "open";
    /** The host waits for {@link #nextStart}: a window's start, or a blackout's end. */
    public static final String WAIT = "wait";
    /** The host does not start: the rollout is aborting, or no moment is left to start in. */
    public static final String NEVER = "never";

    private final RolloutRepository rollouts;
    private final ApprovalSettings settings;
    private final RolloutControl control;
    private final AuditTrail audit;
    private final com.msgupgrade.rollout.RolloutLock work;
    private final RolloutPlan plan;
    private final com.msgupgrade.hostops.HostStepSettings stepSettings;

    ChangeWindows(RolloutRepository rollouts, ApprovalSettings settings, RolloutControl control, AuditTrail audit,
            com.msgupgrade.rollout.RolloutLock work, RolloutPlan plan,
            com.msgupgrade.hostops.HostStepSettings stepSettings) {
        this.stepSettings = stepSettings;
        this.work = work;
        this.plan = plan;
        this.rollouts = rollouts;
        this.settings = settings;
        this.control = control;
        this.audit = audit;
    }

    /**
     * {@link #OPEN} in a window of the rollout (or any time without one) and in no blackout, the rollout's own or
     * the service's as configured now; {@link #WAIT} when a later moment is; {@link #NEVER} when none is, or the
     * rollout is aborting (a host approved but held by a window or a blackout has changed nothing: an abort ends
     * it, as it ends a host not yet approved).
     */
    public String verdict(String rolloutId) {
        // under the rollout's work lock, as a claim: an abort either comes first and is seen, or waits for this
        // transaction and then finds its timer to wake
        work.hold(rolloutId);
        if (control.aborting(rolloutId)) {
            return NEVER;
        }
        ChangePolicy policy = rollouts.changePolicy(rolloutId);
        Instant now = Instant.now();
        if (policy.open(now, settings.blackouts())) {
            return OPEN;
        }
        return policy.nextStart(now, settings.blackouts()).isPresent() ? WAIT : NEVER;
    }

    /**
     * {@link #verdict} for a post-upgrade phase (enabling IMAP, disabling mshttpd: a change to the hosts, each a
     * restart of a service at most), at the rollout's "In a change window?" before it; {@link #OPEN} at once when the
     * phase has no step to run (the rollout aborting, or none of its hosts upgraded): nothing to hold.
     */
    public String phaseVerdict(String rolloutId, String phaseId) {
        if (plan.steps(rolloutId, phaseId).isEmpty()) {
            return OPEN;
        }
        String verdict = verdict(rolloutId);
        // paused: the phase waits for the resume (which wakes it), as a unit's claim does
        return OPEN.equals(verdict) && RolloutControl.PAUSED.equals(control.control(rolloutId)) ? WAIT : verdict;
    }

    /**
     * When a post-upgrade phase held by {@link #phaseVerdict} looks again: paused in a window, after the slot poll
     * interval (its resume wakes it sooner), else at {@link #nextStart}.
     */
    public Date phaseNextStart(String rolloutId) {
        // outside a window, its start is soon enough (the resume wakes the phase before it if it comes first)
        boolean held = RolloutControl.PAUSED.equals(control.control(rolloutId))
                && rollouts.changePolicy(rolloutId).open(Instant.now(), settings.blackouts());
        return held ? Date.from(Instant.now().plus(java.time.Duration.parse(stepSettings.getSlotPollInterval())))
                : nextStart(rolloutId);
    }

    /** The rollout's variable naming its post-upgrade phases that did not run ({@link #phaseNotRun}), if any. */
    public static final String PHASES_NOT_RUN = "phasesNotRun";

    /**
     * A post-upgrade phase left with no moment to run in ({@link #NEVER}): in the audit trail, with its hosts and
     * why, and in the rollout's {@link #PHASES_NOT_RUN}, so that it ends {@code FINISHED_WITH_ISSUES}, not
     * {@code COMPLETED}. Nothing was run on those hosts; their upgrade stands.
     */
    public void phaseNotRun(DelegateExecution execution, String phaseId) {
        String rolloutId = (String) execution.getVariable(RolloutProcess.ROLLOUT_ID);
        java.util.List<String> steps = plan.steps(rolloutId, phaseId);
        if (steps.isEmpty()) {
            return; // the rollout aborting (its verdict): the phase had nothing left to run
        }
        audit.record(rolloutId, "system", "PHASE_NOT_RUN", null, null, Map.of("phase", phaseId, "steps",
                String.join(" ", steps), "reason", RolloutControl.NO_MOMENT_LEFT
                        + ": the phase's step was run on none of its hosts"));
        Object before = execution.getProcessInstance().getVariable(PHASES_NOT_RUN);
        execution.getProcessInstance().setVariable(PHASES_NOT_RUN, before == null ? phaseId : before + " " + phaseId);
    }

    /**
     * The host processes' gateway before 2026-11-30 ({@code ${changeWindows.open(rolloutId)}}): kept for hosts of
     * rollouts under way when the service was upgraded, which evaluate their process definition's version.
     */
    public boolean open(String rolloutId) {
        // their meaning then: an aborting rollout's host went on to the window's wait, which an abort did not end
        return rollouts.changePolicy(rolloutId).open(Instant.now(), settings.blackouts());
    }

    /** When the host waits for: the next window's start, or the end of the blackout holding it. */
    public Date nextStart(String rolloutId) {
        return Date.from(rollouts.changePolicy(rolloutId).nextStart(Instant.now(), settings.blackouts())
                .orElseThrow(() -> new IllegalStateException("rollout " + rolloutId
                        + " has no maintenance window left: no host may start; abort or re-plan the rollout")));
    }

    /** A host that does not start ({@link #NEVER}), in the audit trail with why; nothing was changed on it. */
    public void notStarted(DelegateExecution execution) {
        String rolloutId = (String) execution.getVariable(RolloutProcess.ROLLOUT_ID);
        String why = control.aborting(rolloutId) ? "the rollout is aborting"
                : RolloutControl.NO_MOMENT_LEFT;
        audit.record(rolloutId, "system", "HOST_NOT_STARTED", (String) execution.getVariable(RolloutProcess.HOST_NAME),
                null, Map.of("reason", why + ": the host was approved, but nothing was changed on it"));
    }
}
