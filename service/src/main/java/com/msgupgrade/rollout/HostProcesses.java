package com.msgupgrade.rollout;

import com.msgupgrade.planning.Plan;
import com.msgupgrade.planning.Planner;
import org.springframework.stereotype.Component;

/** Which host process upgrades a host: {@code ${hostProcesses.keyFor(rolloutId, hostName)}} in Rollout.bpmn. */
@Component("hostProcesses")
public class HostProcesses {

    private final RolloutRepository rollouts;
    private final Planner planner;

    HostProcesses(RolloutRepository rollouts, Planner planner) {
        this.rollouts = rollouts;
        this.planner = planner;
    }

    public String keyFor(String rolloutId, String hostName) {
        Rollout rollout = rollouts.get(rolloutId);
        return planner.hostPlan(rollout.deployment(), rollout.targetRelease(), hostName)
                .map(Plan.HostPlan::processKey)
                .orElseThrow(() -> new IllegalStateException("no host process for " + hostName));
    }
}
