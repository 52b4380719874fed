package com.msgupgrade.planning;

import java.util.List;

/**
 * What a rollout will do, computed by the same code the rollout runs: per host the path, every step
 * with its exact command (secrets by name), every gate, every warning. {@code errors} non-empty: the
 * rollout is refused.
 */
public record Plan(String deployment, String target, List<HostPlan> hosts, List<String> errors) {

    public boolean runnable() {
        return errors.isEmpty();
    }

    public record HostPlan(String host, String os, String sourceRelease, String procedure, String processKey,
            Boolean certified, Boolean rollbackSupported, List<PlannedStep> steps, List<String> gates,
            List<String> warnings, List<PlannedStep> rollbackSteps) {

        /** A person must accept a risk before this host is touched: path not certified, or no rollback. */
        public boolean riskToAccept() {
            return Boolean.FALSE.equals(certified) || Boolean.FALSE.equals(rollbackSupported);
        }
    }

    /**
     * @param when the condition under which the step runs, when it does not always run
     */
    public record PlannedStep(String stepId, String title, String command, String secret, boolean mutating,
            boolean longRunning, String alreadyDoneCheck, String when) {}
}
