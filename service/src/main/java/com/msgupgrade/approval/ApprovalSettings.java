package com.msgupgrade.approval;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param quorum          distinct change managers who must approve a rollout (CAB)
 * @param deadlines       per gate (form id): when it is escalated, and when it is rejected (never approved)
 * @param escalationGroup the group an escalated gate is offered to as well
 */
@ConfigurationProperties("msgsrv.approvals")
public record ApprovalSettings(int quorum, Deadline defaultDeadline, Map<String, Deadline> deadlines,
        String escalationGroup, List<ChangePolicy.Period> blackouts) {

    public ApprovalSettings {
        if (quorum < 1) {
            throw new IllegalArgumentException("msgsrv.approvals.quorum must be at least 1, is " + quorum);
        }
        // positive only: application.yaml gives both parts, so one given alone (reject-after: PT4H) meets the other's
        // default, and an escalation after the rejection then means none
        checked(defaultDeadline, "msgsrv.approvals.default-deadline", false);
        deadlines = byGate(deadlines, defaultDeadline);
        blackouts = blackouts == null ? List.of() : List.copyOf(blackouts);
        for (int i = 0; i < blackouts.size(); i++) {
            ChangePolicy.Period b = blackouts.get(i);
            if (b == null || !b.wellFormed()) {
                // a change freeze that silently does not hold is worse than a service that does not start
                throw new IllegalArgumentException("msgsrv.approvals.blackouts[" + i + "] "
                        + (b == null ? "is empty" : b.shown()) + ": a blackout needs a start before its end");
            }
        }
    }

    public record Deadline(Duration escalateAfter, Duration rejectAfter) {}

    /**
     * The gates (form ids) whose deadlines the processes read ({@code approvalDeadlines.rejectAfter('…')}); a deadline
     * for another name (a misspelt gate) would never apply, and is refused.
     */
    static final java.util.Set<String> GATES = java.util.Set.of("AcceptRisk", "ApproveClusterUpgrade",
            "ApproveHostUpgrade", "ApproveRollback", "ApproveRollout", "ApproveSymmetricDowntime",
            "ApproveTierDowntime", "ReviewConflicts", "SignOff");

    /**
     * Each part of a deadline, when given, positive; with {@code inOrder}, escalation, when both are given, before the
     * rejection.
     */
    private static void checked(Deadline deadline, String property, boolean inOrder) {
        if (deadline == null) {
            return;
        }
        if (deadline.escalateAfter() != null) {
            com.msgupgrade.Settings.positive(deadline.escalateAfter(), property + ".escalate-after");
        }
        if (deadline.rejectAfter() != null) {
            com.msgupgrade.Settings.positive(deadline.rejectAfter(), property + ".reject-after");
        }
        if (inOrder && deadline.escalateAfter() != null && deadline.rejectAfter() != null
                && deadline.escalateAfter().compareTo(deadline.rejectAfter()) >= 0) {
            throw new IllegalArgumentException(property + ": escalate-after (" + deadline.escalateAfter() + ") must come"
                    + " before reject-after (" + deadline.rejectAfter() + "), or the gate is rejected unescalated");
        }
    }

    /**
     * The gate's deadline, its form id compared without case: a map key given as an environment variable
     * ({@code MSGSRV_APPROVALS_DEADLINES_APPROVEHOSTUPGRADE_REJECTAFTER}) reaches Spring in lower case.
     */
    Deadline deadline(String gate) {
        return deadlines.getOrDefault(gate.toLowerCase(java.util.Locale.ROOT), defaultDeadline);
    }

    /**
     * The per-gate deadlines by their form id in lower case, each part left out taken from the default; a gate given
     * twice (in two cases: a file's and an environment variable's) is refused, naming it.
     */
    private static Map<String, Deadline> byGate(Map<String, Deadline> deadlines, Deadline defaults) {
        Map<String, Deadline> byGate = new java.util.HashMap<>();
        (deadlines == null ? Map.<String, Deadline>of() : deadlines).forEach((gate, deadline) -> {
            String key = gate.toLowerCase(java.util.Locale.ROOT);
            if (GATES.stream().noneMatch(known -> known.equalsIgnoreCase(gate))) {
                throw new IllegalArgumentException("msgsrv.approvals.deadlines." + gate + ": no gate has that form id;"
                        + " the gates with deadlines are " + new java.util.TreeSet<>(GATES));
            }
            if (byGate.containsKey(key)) {
                throw new IllegalArgumentException("msgsrv.approvals.deadlines: the deadline of " + gate + " is given"
                        + " twice (its form id in two cases); give it once");
            }
            // as given: a part left out and taken from the default may come after the other (no escalation then)
            checked(deadline, "msgsrv.approvals.deadlines." + gate, true);
            byGate.put(key, defaults == null ? deadline : new Deadline(
                    deadline.escalateAfter() != null ? deadline.escalateAfter() : defaults.escalateAfter(),
                    deadline.rejectAfter() != null ? deadline.rejectAfter() : defaults.rejectAfter()));
        });
        return Map.copyOf(byGate);
    }

    /** One element per approval the quorum needs: the collection of the CAB's multi-instance task. */
    public List<Integer> quorumSlots() {
        return IntStream.rangeClosed(1, quorum).boxed().toList();
    }
}
