package com.msgupgrade.rollout;

import com.msgupgrade.approval.ChangePolicy;
import com.msgupgrade.catalog.StepId;
import com.msgupgrade.planning.Plan;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * What the rollout models ask of the plan ({@code ${rolloutPlan.batches(rolloutId, phaseId)}}): computed
 * from the rollout's deployment snapshot by the same planner as the dry run.
 */
@Component("rolloutPlan")
public class RolloutPlan {

    private final RolloutRepository rollouts;
    private final RolloutPlans plans;
    private final RolloutControl control;

    RolloutPlan(RolloutRepository rollouts, RolloutPlans plans, RolloutControl control) {
        this.rollouts = rollouts;
        this.plans = plans;
        this.control = control;
    }

    Plan plan(String rolloutId) {
        return plans.of(rolloutId);
    }

    public List<String> phaseIds(String rolloutId) {
        return plan(rolloutId).phases().stream().map(Plan.Phase::id).toList();
    }

    public String phaseKind(String rolloutId, String phaseId) {
        return phase(rolloutId, phaseId).kind();
    }

    /** Per-tier downtime policy: the first phase of each tier asks for its downtime approval. */
    public boolean needsTierApproval(String rolloutId, String phaseId) {
        if (control.aborting(rolloutId)) {
            return false; // nothing new starts: the tier's units end without starting their hosts
        }
        if (!ChangePolicy.PER_TIER.equals(rollouts.changePolicy(rolloutId).downtimePolicy())) {
            return false;
        }
        List<Plan.Phase> unitPhases = plan(rolloutId).phases().stream().filter(p -> p.kind().equals("units")).toList();
        Plan.Phase phase = phase(rolloutId, phaseId);
        return phase.kind().equals("units") && unitPhases.stream().filter(p -> p.tier().equals(phase.tier()))
                .findFirst().map(p -> p.id().equals(phaseId)).orElse(false);
    }

    public String tierOf(String rolloutId, String phaseId) {
        return phase(rolloutId, phaseId).tier();
    }

    public List<String> unitsOf(String rolloutId, String phaseId) {
        return phase(rolloutId, phaseId).units().stream().map(Plan.Unit::id).toList();
    }

    /**
     * The host steps of a post-upgrade phase, as "host/step", for the hosts that were upgraded; mshttpd is disabled
     * on a back end only once every webmail reading it is at 6.3 (guide: "after all components have been upgraded
     * for a Message Store"): a webmail left at 6.2p3 is MEM, which reads the back end through its mshttpd.
     */
    public List<String> steps(String rolloutId, String phaseId) {
        if (control.aborting(rolloutId)) {
            return List.of(); // nothing new starts
        }
        List<RolloutRepository.HostProgress> hosts = rollouts.hosts(rolloutId);
        java.util.Set<String> upgraded = hosts.stream().filter(h -> "UPGRADED".equals(h.state()))
                .map(RolloutRepository.HostProgress::host).collect(java.util.stream.Collectors.toSet());
        java.util.Set<String> notAt63 = hosts.stream().filter(h -> !"UPGRADED".equals(h.state()))
                .map(RolloutRepository.HostProgress::host).collect(java.util.stream.Collectors.toSet());
        java.util.Set<String> inRollout = hosts.stream().map(RolloutRepository.HostProgress::host)
                .collect(java.util.stream.Collectors.toSet());
        // a host the rollout did not upgrade was at 6.3 before it (a store a webmail reads: its IMAP enabled)
        return phase(rolloutId, phaseId).steps().stream()
                .filter(s -> upgraded.contains(s.host()) || !inRollout.contains(s.host()))
                .filter(s -> !StepId.DISABLE_MSHTTPD.id().equals(s.stepId()) || com.msgupgrade.planning.Ordering
                        .readersOf(plans.deployment(rolloutId), s.host()).stream().noneMatch(notAt63::contains))
                .map(s -> s.host() + "/" + s.stepId()).toList();
    }

    /** After the host's upgrade in its unit: it reached 6.3 and its webmail reads stores (Ordering). */
    public boolean configuresWebmailProxy(String rolloutId, String host) {
        return com.msgupgrade.planning.Ordering.configuresWebmailProxyWithItsUpgrade(plans.deployment(rolloutId), host)
                && "UPGRADED".equals(hostState(rolloutId, host));
    }

    /** The host's state in the rollout (UPGRADED, REJECTED, HALTED…). */
    public String hostState(String rolloutId, String host) {
        return rollouts.hostState(rolloutId, host)
                .orElseThrow(() -> new IllegalArgumentException("host " + host + " is not in rollout " + rolloutId));
    }

    /** The hosts of the rollout that reached 6.3 (UPGRADED): the final verification's. */
    public List<String> upgradedHosts(String rolloutId) {
        return rollouts.hosts(rolloutId).stream().filter(h -> "UPGRADED".equals(h.state()))
                .map(RolloutRepository.HostProgress::host).toList();
    }

    /** The hosts of the rollout that did not reach 6.3, each with its state (the hosts not in it were at 6.3). */
    public List<String> notUpgraded(String rolloutId) {
        return rollouts.hosts(rolloutId).stream().filter(h -> !"UPGRADED".equals(h.state()))
                .map(h -> h.host() + " (" + h.state() + ")").toList();
    }

    /** Every host of the deployment is at 6.3: the rollout's reached it, the others were there before. */
    public boolean allUpgraded(String rolloutId) {
        return notUpgraded(rolloutId).isEmpty();
    }

    /**
     * The work of a phase (its units, its hosts' post-upgrade steps, the final verification) runs in parallel in
     * groups of about the square root of its size, each group a multi-instance of its own: as one instance of a
     * parallel multi-instance ends, the engine looks at all its instances, and a thousand in one rejoined at eight
     * a second (a hundred at forty). The numbers of the groups of {@code items}, for the outer multi-instance.
     */
    public List<Integer> groups(List<?> items) {
        return groupNumbers(items);
    }

    /** Group {@code number} of {@code items}, for the inner multi-instance. */
    public <T> List<T> group(List<T> items, int number) {
        return groupOf(items, number);
    }

    public static List<Integer> groupNumbers(List<?> items) {
        int size = groupSize(items.size());
        return java.util.stream.IntStream.range(0, (items.size() + size - 1) / size).boxed().toList();
    }

    public static <T> List<T> groupOf(List<T> items, int number) {
        int size = groupSize(items.size());
        return List.copyOf(items.subList(Math.min(items.size(), number * size),
                Math.min(items.size(), (number + 1) * size)));
    }

    static int groupSize(int items) {
        return Math.max(1, (int) Math.ceil(Math.sqrt(items)));
    }

    public String hostOf(String hostStep) {
        return hostStep.substring(0, hostStep.indexOf('/'));
    }

    public String stepOf(String hostStep) {
        return hostStep.substring(hostStep.indexOf('/') + 1);
    }

    public String topology(String rolloutId, String unitId) {
        return unit(rolloutId, unitId).topology();
    }

    public List<String> hosts(String rolloutId, String unitId) {
        return unit(rolloutId, unitId).hosts();
    }

    /** The unit's hosts, a cluster's standby last. */
    public List<String> hostsAndStandby(String rolloutId, String unitId) {
        return unit(rolloutId, unitId).hostsAndStandby();
    }

    public String standby(String rolloutId, String unitId) {
        return unit(rolloutId, unitId).standby();
    }

    private Plan.Phase phase(String rolloutId, String phaseId) {
        return plan(rolloutId).phase(phaseId).orElseThrow(() -> new IllegalStateException(
                "rollout " + rolloutId + " has no phase " + phaseId));
    }

    private Plan.Unit unit(String rolloutId, String unitId) {
        return plan(rolloutId).unit(unitId).orElseThrow(() -> new IllegalStateException(
                "rollout " + rolloutId + " has no unit " + unitId));
    }
}
