package com.msgupgrade.rollout;

import com.msgupgrade.inventory.Host;
import org.springframework.stereotype.Component;

/** What the host processes' gateways ask about a host, answered from the rollout's deployment snapshot. */
@Component("hostFacts")
public class HostFacts {

    private final RolloutRepository rollouts;

    HostFacts(RolloutRepository rollouts) {
        this.rollouts = rollouts;
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
