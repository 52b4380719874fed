package com.msgupgrade.rollout;

import com.msgupgrade.inventory.Host;
import com.msgupgrade.planning.Plan;
import org.springframework.stereotype.Component;

/** What the host processes' gateways ask about a host, answered from the rollout's deployment snapshot. */
@Component("hostFacts")
public class HostFacts {

    private final RolloutRepository rollouts;
    private final RolloutPlans plans;
    private final com.msgupgrade.audit.AuditTrail audit;

    HostFacts(RolloutRepository rollouts, RolloutPlans plans, com.msgupgrade.audit.AuditTrail audit) {
        this.rollouts = rollouts;
        this.plans = plans;
        this.audit = audit;
    }

    /**
     * The rollback's "Directory Server changed?": the guide rolls back "the changes made to the Directory Server";
     * when the host's upgrade made none (it failed, or was rolled back, before its LDIF import), a restore would only
     * take away what the other hosts' upgrades imported, and the operator is not asked for one.
     */
    public boolean directoryChanged(String rolloutId, String hostName) {
        return rollouts.directoryChangedFor(rolloutId, hostName);
    }

    /** The restore not asked for ({@link #directoryChanged} false): in the audit trail, with why. */
    public void directoryNotRestored(org.camunda.bpm.engine.delegate.DelegateExecution execution) {
        String rolloutId = (String) execution.getVariable(RolloutProcess.ROLLOUT_ID);
        audit.record(rolloutId, "system", "DIRECTORY_RESTORE_NOT_ASKED", (String) execution.getVariable(
                RolloutProcess.HOST_NAME), null, java.util.Map.of("reason", "the host's LDIF import was neither run nor"
                        + " marked done by this rollout: its upgrade changed nothing in the Directory Server"));
    }

    /** The path is not certified (6.0) or cannot be rolled back (Linux): a person accepts the risk first. */
    public boolean riskToAccept(String rolloutId, String hostName) {
        return plans.host(rolloutId, hostName)
                .map(Plan.HostPlan::riskToAccept)
                .orElseThrow(() -> new IllegalStateException("host " + hostName + " is not part of rollout " + rolloutId));
    }

    /**
     * Whether any of these hosts (a cluster's, upgraded together under one approval) needs the risk accepted
     * ({@link #riskToAccept}): asked once for the cluster, before its approval. A standby already at 6.3 is the
     * cluster's but not the rollout's: nothing of it is upgraded.
     */
    public boolean anyRiskToAccept(String rolloutId, java.util.List<String> hostNames) {
        return hostNames.stream().anyMatch(host -> plans.host(rolloutId, host).map(Plan.HostPlan::riskToAccept)
                .orElse(false));
    }

    /** Per-host downtime approval, unless the rollout's policy approves downtime per tier. */
    public boolean hostApprovalRequired(String rolloutId) {
        return !com.msgupgrade.approval.ChangePolicy.PER_TIER.equals(rollouts.changePolicy(rolloutId).downtimePolicy());
    }

    public boolean hasLocales(String rolloutId, String hostName) {
        return host(rolloutId, hostName).hasLocales();
    }

    public boolean proxyAdminDiffers(String rolloutId, String hostName) {
        return host(rolloutId, hostName).proxyAdmin() != null;
    }

    private Host host(String rolloutId, String hostName) {
        return rollouts.get(rolloutId).deployment().host(hostName).orElseThrow(() -> new IllegalStateException(
                "host " + hostName + " is not part of rollout " + rolloutId));
    }
}
