package com.msgupgrade.rollout;

import com.msgupgrade.inventory.Deployment;
import java.time.Instant;

/** A requested upgrade of a deployment, with the deployment as it was when requested. */
public record Rollout(String id, String deploymentName, String targetRelease, Deployment deployment,
        String requestedBy, Instant requestedAt, String state, String processInstanceId) {}
