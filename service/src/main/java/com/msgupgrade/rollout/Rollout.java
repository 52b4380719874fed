package com.msgupgrade.rollout;

import com.msgupgrade.inventory.Deployment;
import java.time.Instant;

/** A requested upgrade of a deployment, with the deployment as it was when requested. */
public record Rollout(String id, String deploymentName, String targetRelease, Deployment deployment,
        String requestedBy, Instant requestedAt, String state, String processInstanceId) {

    /** The states a rollout ends in: it has no work left (what retention may purge; what no longer blocks another). */
    public static final java.util.List<String> ENDED = java.util.List.of("COMPLETED", "FINISHED_WITH_ISSUES",
            "SIGN_OFF_REJECTED", "ABORTED", "REJECTED");

    /** Every state a rollout can be in, in the order it goes through them, the ended ones last. */
    public static final java.util.List<String> STATES = java.util.stream.Stream.concat(
            java.util.stream.Stream.of("REQUESTED", "AWAITING_APPROVAL", "RUNNING"), ENDED.stream()).toList();

    /** {@link #ENDED} as an SQL list: {@code ('COMPLETED', …)}. */
    public static String endedSql() {
        return sqlList(ENDED);
    }

    /** States (constants of the code, never input) as an SQL list: {@code ('A', 'B')}. */
    static String sqlList(java.util.List<String> states) {
        return "(" + String.join(", ", states.stream().map(s -> "'" + s + "'").toList()) + ")";
    }
}
