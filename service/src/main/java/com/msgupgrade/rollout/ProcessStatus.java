package com.msgupgrade.rollout;

import com.msgupgrade.audit.AuditTrail;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Called from execution listeners in the BPMN models ({@code ${processStatus.host(execution, 'UPGRADED')}}):
 * keeps the rollout's and its hosts' states in the service's tables and in the audit trail.
 */
@Component("processStatus")
public class ProcessStatus {

    private final RolloutRepository rollouts;
    private final AuditTrail audit;

    private final RolloutControl control;

    private final SlotWakeUp slots;

    private final RolloutLock work;

    private final RolloutPlans plans;

    private final InventoryReleases inventory;

    ProcessStatus(RolloutRepository rollouts, AuditTrail audit, RolloutControl control, SlotWakeUp slots,
            RolloutLock work, RolloutPlans plans, InventoryReleases inventory) {
        this.inventory = inventory;
        this.plans = plans;
        this.work = work;
        this.slots = slots;
        this.control = control;
        this.rollouts = rollouts;
        this.audit = audit;
    }

    public void host(DelegateExecution execution, String state) {
        hostNamed(execution, (String) execution.getVariable(RolloutProcess.HOST_NAME), state);
    }

    /**
     * A rollback requested: the state the host had ended its procedure in (UPGRADED), if it had, is kept on the
     * rollback's process, for a rejection to give back.
     */
    public void rollbackRequested(DelegateExecution execution) {
        String rolloutId = (String) execution.getVariable(RolloutProcess.ROLLOUT_ID);
        String host = (String) execution.getVariable(RolloutProcess.HOST_NAME);
        rollouts.hostState(rolloutId, host).filter(RolloutRepository.RESTING::contains)
                .ifPresent(state -> execution.setVariable(STATE_BEFORE_ROLLBACK, state));
        hostState(rolloutId, host, "ROLLBACK_REQUESTED");
    }

    /**
     * A rollback rejected: the host is as it was, and so is its state (UPGRADED: at 6.3, registered so at the
     * rollout's end), else ROLLBACK_REJECTED; the rejection is in the trail as its decision.
     */
    public void rollbackRejected(DelegateExecution execution) {
        Object before = execution.getVariable(STATE_BEFORE_ROLLBACK);
        host(execution, before instanceof String state ? state : "ROLLBACK_REJECTED");
        if ("UPGRADED".equals(before)) {
            // the rollout may have ended, and registered its hosts, while this one waited for the decision
            inventory.releaseChanged((String) execution.getVariable(RolloutProcess.ROLLOUT_ID),
                    (String) execution.getVariable(RolloutProcess.HOST_NAME));
        }
    }

    /** The rollback process's variable: the state its host had ended its procedure in before the request. */
    static final String STATE_BEFORE_ROLLBACK = "stateBeforeRollback";

    /** The state of a host named explicitly (cluster choreography: the node or the standby). */
    public void hostNamed(DelegateExecution execution, String host, String state) {
        hostState((String) execution.getVariable(RolloutProcess.ROLLOUT_ID), host, state);
    }

    /**
     * A host's new state, in the current transaction. A state that frees the host's slot takes the rollout's work
     * lock first, as a claim does ({@link RolloutControl#claim}): a unit claiming at the same moment either sees
     * the slot free, or has committed its wait before this transaction commits and is found by the wake-up that
     * follows the commit. Without the lock, a unit that had seen the slot still taken could commit its wait after
     * the wake-up had looked for waiting units, and wait for its own poll with a slot free.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void hostState(String rolloutId, String host, String state) {
        boolean freesSlot = !RolloutControl.BUSY.contains(state);
        if (freesSlot) {
            work.hold(rolloutId);
        }
        rollouts.updateHost(rolloutId, host, state, null);
        audit.record(rolloutId, "system", "HOST_STATE", host, null, Map.of("state", state));
        if (freesSlot) {
            slots.wake(rolloutId, 1); // the host no longer holds a slot: the unit that waited longest may start
        }
        if ("ROLLED_BACK".equals(state)) {
            inventory.releaseChanged(rolloutId, host);
        }
    }

    /**
     * Every host of the execution's unit ({@code unitId}), a cluster's standby included: its gate was rejected, so
     * none of them is upgraded (a host holding the unit's slot frees it).
     */
    public void unitHosts(DelegateExecution execution, String state) {
        String rolloutId = (String) execution.getVariable(RolloutProcess.ROLLOUT_ID);
        List<String> inRollout = rollouts.hosts(rolloutId).stream().map(RolloutRepository.HostProgress::host).toList();
        // a standby already at 6.3 is the unit's but not the rollout's
        plans.of(rolloutId).unit((String) execution.getVariable("unitId")).ifPresent(unit -> unit.hostsAndStandby()
                .stream().filter(inRollout::contains).forEach(host -> hostState(rolloutId, host, state)));
    }

    /**
     * A host's work ended with an abort decided on it (its unit's or its step's error boundary): the rollout is
     * aborting, if nobody had said so yet (a rejected review of a cluster node), and the other hosts under way finish.
     */
    public void abortedAtHost(DelegateExecution execution) {
        control.abortAt((String) execution.getVariable(RolloutProcess.ROLLOUT_ID), "system",
                (String) execution.getVariable(RolloutProcess.HOST_NAME), "unit " + execution.getVariable("unitId"));
    }

    /** A tier's downtime rejected: REJECTED, or ABORTED when the rollout was aborting (the gate closed by it). */
    public void rolloutStoppedAtTier(DelegateExecution execution) {
        rollout(execution, control.aborting((String) execution.getVariable(RolloutProcess.ROLLOUT_ID)) ? "ABORTED"
                : "REJECTED");
    }

    /**
     * At the end of the rollout: SIGN_OFF_REJECTED when the change managers did not accept the change (whatever its
     * hosts' states: they may be rolled back), else COMPLETED when every host reached 6.3, else FINISHED_WITH_ISSUES.
     */
    public void rolloutFinished(DelegateExecution execution) {
        String rolloutId = (String) execution.getVariable(RolloutProcess.ROLLOUT_ID);
        // a post-upgrade phase left without a window (ChangeWindows.phaseNotRun) is an issue as a host not upgraded is
        boolean allUpgraded = rollouts.hosts(rolloutId).stream().allMatch(h -> "UPGRADED".equals(h.state()))
                && execution.getVariable(com.msgupgrade.approval.ChangeWindows.PHASES_NOT_RUN) == null;
        rollout(execution, control.aborting(rolloutId) ? "ABORTED"
                : "reject".equals(execution.getVariable(com.msgupgrade.approval.Decisions.SIGN_OFF)) ? "SIGN_OFF_REJECTED"
                : allUpgraded ? "COMPLETED" : "FINISHED_WITH_ISSUES");
    }

    public void rollout(DelegateExecution execution, String state) {
        String rolloutId = (String) execution.getVariable(RolloutProcess.ROLLOUT_ID);
        // the work lock before the rollout's row: an abort ends the units too, and their end takes the work lock
        work.hold(rolloutId);
        if (!List.of("AWAITING_APPROVAL", "RUNNING").contains(state)) {
            control.recordUnpatchedStandbys(rolloutId); // however it ended
            // a host the rollout never reached (rejected or aborted before it, a later tier) was not started: its
            // state says so, rather than PENDING for ever (no unit waits for a slot any more: nothing to wake)
            for (String host : rollouts.hostsIn(rolloutId, "PENDING")) {
                rollouts.updateHost(rolloutId, host, "NOT_STARTED", null);
                audit.record(rolloutId, "system", "HOST_STATE", host, null, Map.of("state", "NOT_STARTED"));
            }
            // a host whose failed step's decision ended with the rollout (an abort during the final verification or
            // a post-upgrade phase withdraws the others' open decisions): the state it had ended its procedure in
            // (at 6.3: registered so), else ABORTED, rather than waiting for a decision nobody can give
            for (String host : rollouts.hostsIn(rolloutId, "WAITING_DECISION")) {
                if (rollouts.ownRollbackGoesOn(rolloutId, host)) {
                    continue; // its decision is its rollback's, requested through the API, which goes on
                }
                String back = rollouts.endDecision(rolloutId, host).orElse("ABORTED");
                rollouts.updateHost(rolloutId, host, back, null);
                audit.record(rolloutId, "system", "HOST_STATE", host, null, Map.of("state", back, "why",
                        "its failed step's decision was withdrawn with the rollout's end (" + state + ")"));
            }
        }
        rollouts.updateState(rolloutId, state);
        audit.record(rolloutId, "system", "ROLLOUT_STATE", null, null, Map.of("state", state));
        if (Rollout.ENDED.contains(state)) {
            inventory.rolloutEnded(rolloutId);
        }
    }
}
