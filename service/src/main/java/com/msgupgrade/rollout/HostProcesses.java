package com.msgupgrade.rollout;

import com.msgupgrade.planning.Plan;
import org.springframework.stereotype.Component;

/** Which host process upgrades a host: {@code ${hostProcesses.keyFor(rolloutId, hostName)}} in Rollout.bpmn. */
@Component("hostProcesses")
public class HostProcesses {

    private final RolloutPlans plans;

    HostProcesses(RolloutPlans plans) {
        this.plans = plans;
    }

    public String keyFor(String rolloutId, String hostName) {
        return plans.host(rolloutId, hostName)
                .map(Plan.HostPlan::processKey)
                .orElseThrow(() -> new IllegalStateException("no host process for " + hostName));
    }
}
