package com.msgupgrade.rollout;

import com.msgupgrade.planning.Plan;
import com.msgupgrade.planning.Planner;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The plan of a rollout, computed once from its deployment snapshot (which never changes) and kept for the
 * many questions the models ask of it; the most recent rollouts' plans are kept, older ones recomputed.
 */
@Component
public class RolloutPlans {

    private static final int KEPT = 32;

    private final RolloutRepository rollouts;
    private final Planner planner;
    private final RecentlyUsed<String, Plan> plans = new RecentlyUsed<>(KEPT);
    private final RecentlyUsed<String, com.msgupgrade.inventory.Deployment> deployments = new RecentlyUsed<>(KEPT);

    RolloutPlans(RolloutRepository rollouts, Planner planner) {
        this.rollouts = rollouts;
        this.planner = planner;
    }

    public Plan of(String rolloutId) {
        Plan plan = plans.get(rolloutId);
        if (plan == null) {
            Rollout rollout = rollouts.get(rolloutId);
            plan = planner.plan(rollout.deployment(), rollout.targetRelease());
            plans.put(rolloutId, plan);
        }
        return plan;
    }

    /** The rollout's deployment snapshot. */
    public com.msgupgrade.inventory.Deployment deployment(String rolloutId) {
        com.msgupgrade.inventory.Deployment deployment = deployments.get(rolloutId);
        if (deployment == null) {
            deployment = rollouts.get(rolloutId).deployment();
            deployments.put(rolloutId, deployment);
        }
        return deployment;
    }

    public Optional<Plan.HostPlan> host(String rolloutId, String hostName) {
        return of(rolloutId).hosts().stream().filter(h -> h.host().equals(hostName)).findFirst();
    }
}
