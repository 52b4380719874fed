package com.msgupgrade.approval;

import com.msgupgrade.rollout.RolloutRepository;
import java.time.Instant;
import java.util.Date;
import org.springframework.stereotype.Component;

/** {@code ${changeWindows.open(rolloutId)}} and the durable wait for the next window in the host processes. */
@Component("changeWindows")
public class ChangeWindows {

    private final RolloutRepository rollouts;

    ChangeWindows(RolloutRepository rollouts) {
        this.rollouts = rollouts;
    }

    public boolean open(String rolloutId) {
        return rollouts.changePolicy(rolloutId).open(Instant.now());
    }

    /** When the host waits for: the next window's start; none left: the host waits (a person aborts). */
    public Date nextStart(String rolloutId) {
        return Date.from(rollouts.changePolicy(rolloutId).nextStart(Instant.now())
                .orElseThrow(() -> new IllegalStateException("rollout " + rolloutId
                        + " has no maintenance window left: no host may start; abort or re-plan the rollout")));
    }
}
