package com.msgupgrade.approval;

import com.msgupgrade.audit.AuditEntry;
import com.msgupgrade.audit.AuditTrail;
import com.msgupgrade.observability.LogContext;
import com.msgupgrade.planning.Plan;
import com.msgupgrade.planning.Planner;
import com.msgupgrade.rollout.Rollout;
import com.msgupgrade.rollout.RolloutProcess;
import com.msgupgrade.rollout.RolloutRepository;
import com.msgupgrade.security.Groups;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.TaskService;
import org.springframework.context.annotation.Lazy;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The rules of every decision, whichever channel completes the task (Tasklist, engine REST, /api):
 * task listeners call {@link #open} on create and a check on complete. A refused completion throws,
 * so the engine rolls it back and the channel answers 4xx; the refusal itself is recorded in its own
 * transaction. An accepted decision is recorded in the completion's transaction.
 */
@Component("decisions")
public class Decisions {

    private static final Logger log = LoggerFactory.getLogger(Decisions.class);

    public static final String DECISION = "decision";
    public static final String COMMENT = "decisionComment";
    static final String BACKUP_REFERENCE = "backupReference";
    static final Set<String> GATE_CHOICES = Set.of("approve", "reject");
    static final String REJECTED_BY_DEADLINE = "rejectedByDeadline";
    static final Set<String> FAILURE_CHOICES = Set.of("retry", "rollback", "markDone", "abort");
    public static final String LINUX_NO_ROLLBACK = "An upgrade from Messaging Server 6.2p3 to Messaging Server 6.3 on"
            + " Linux cannot be rolled back (guide caution)";

    private final IdentityService identities;
    private final AuditTrail audit;
    private final RolloutRepository rollouts;
    private final com.msgupgrade.rollout.RolloutPlans plans;
    private final TaskService taskService;
    private final org.camunda.bpm.engine.HistoryService history;

    private final String escalationGroup;
    private final com.msgupgrade.rollout.RolloutControl control;
    private final com.msgupgrade.rollout.ProcessStatus status;
    private final com.msgupgrade.rollout.RolloutPlan rolloutPlan;

    Decisions(IdentityService identities, AuditTrail audit, RolloutRepository rollouts,
            com.msgupgrade.rollout.RolloutPlans plans,
            @Lazy TaskService taskService, @Lazy org.camunda.bpm.engine.HistoryService history, ApprovalSettings settings,
            com.msgupgrade.rollout.RolloutControl control, com.msgupgrade.rollout.ProcessStatus status,
            @Lazy com.msgupgrade.rollout.RolloutPlan rolloutPlan) {
        this.rolloutPlan = rolloutPlan;
        this.control = control;
        this.status = status;
        this.escalationGroup = settings.escalationGroup();
        this.identities = identities;
        this.taskService = taskService;
        this.history = history;
        this.audit = audit;
        this.rollouts = rollouts;
        this.plans = plans;
    }

    /** What a person sends with a decision, kept on the process by the engine's completion until cleared. */
    static final List<String> DECISION_VARIABLES = List.of(DECISION, COMMENT, BACKUP_REFERENCE);

    /**
     * On create: clears an earlier decision (a backup's reference with it: the gates that need one read it from
     * their own completion only), shows the evidence, records the host's state.
     */
    public void open(DelegateTask task, String hostState) {
        DECISION_VARIABLES.forEach(task.getExecution()::removeVariable);
        String rolloutId = rolloutId(task);
        String host = (String) task.getVariable(RolloutProcess.HOST_NAME);
        if (host != null) {
            if ("WAITING_DECISION".equals(hostState)) {
                rollouts.awaitDecision(rolloutId, host, (String) task.getVariable("failure"));
                control.hostFailed(rolloutId, host);
            } else {
                rollouts.updateHost(rolloutId, host, hostState, null);
            }
            hostPlan(rolloutId, host).ifPresent(plan -> {
                boolean rollback = task.getProcessDefinitionId().startsWith("HostRollbackSolaris");
                evidence(task, "plannedCommands", (rollback ? plan.rollbackSteps() : plan.steps()).stream()
                        .map(s -> s.stepId() + (s.runsOn() == null ? "" : " on " + s.runsOn())
                                + (s.when() == null ? "" : " (when " + s.when() + ")") + ":\n  " + s.command() + (s.secret() == null ? "" : "   [secret: " + s.secret() + "]"))
                        .collect(Collectors.joining("\n")));
                evidence(task, "warnings", String.join("\n", plan.warnings()));
            });
            precheckOutput(rolloutId, host).ifPresent(out -> {
                task.setVariableLocal("precheck", out);
                task.setVariableLocal("precheckSha256", audit.keepEvidence(rolloutId, out));
            });
            if (List.of("Task_ReviewConflicts", "Task_ReviewNodeConflicts").contains(task.getTaskDefinitionKey())) {
                // the guide: examine the new files for possible conflicts, whatever patch-config reported
                evidence(task, "patchConfigOutput", audit.lastCommandOutput(rolloutId, host,
                        com.msgupgrade.catalog.StepId.PATCH_CONFIG.id()).orElse("(no output recorded: patch-config was"
                        + " not run by this rollout, or was marked done by hand)"));
            }
        }
        if (host == null) {
            Rollout rollout = rollouts.get(rolloutId);
            Plan plan = plans.of(rolloutId);
            Object tier = task.getVariable("tier");
            // a unit's gate (a cluster's risk and failover, a symmetric pair's downtime) shows that unit's hosts
            Object unit = task.getVariable("unitId");
            List<String> unitHosts = unit == null ? null : rolloutPlan.hostsAndStandby(rolloutId, (String) unit);
            List<Plan.HostPlan> hosts = plan.hosts().stream().filter(h -> h.processKey() != null)
                    .filter(h -> unitHosts == null || unitHosts.contains(h.host()))
                    .filter(h -> tier == null || rollout.deployment().host(h.host()).map(com.msgupgrade.planning.Tiers::of)
                            .orElse("").equals(tier)).toList();
            evidence(task, "plannedCommands", hosts.stream().map(h -> h.host() + " (" + h.procedure() + "):\n"
                    + h.steps().stream().map(st -> "  " + (st.runsOn() == null ? "" : "[on " + st.runsOn() + "] ")
                            + st.command()).collect(Collectors.joining("\n")))
                    .collect(Collectors.joining("\n")));
            evidence(task, "warnings", hosts.stream().flatMap(h -> h.warnings().stream().map(w -> h.host() + ": " + w))
                    .distinct().collect(Collectors.joining("\n")));
            if ("Task_ConfirmDependencies".equals(task.getTaskDefinitionKey())) {
                evidence(task, "dependencies", plan.dependencies().stream().map(d -> d.order() + ". "
                        + d.component() + (d.required() ? " (required)" : " (optional)") + ": " + d.note())
                        .collect(Collectors.joining("\n")));
            }
            if (tier != null) {
                evidence(task, "downtime", hosts.stream().map(h -> h.host() + ": down from stop-msg until"
                        + " start-msg during its upgrade").collect(Collectors.joining("\n")));
            }
        }
        // what the gate shows, by the SHA-256 of each text, kept whole with the trail (GET …/audit/evidence/{sha256})
        audit.record(rolloutId, "system", "GATE_OPENED", host, null, Map.of("task", task.getTaskDefinitionKey(),
                "taskId", task.getId(), "name", String.valueOf(task.getName()), "evidence", shown(task)));
    }

    /** The evidence the gate shows, name → the SHA-256 of its whole text ({@link #evidence}). */
    private static Map<String, Object> shown(DelegateTask task) {
        Map<String, Object> shown = new java.util.TreeMap<>();
        task.getVariableNamesLocal().stream().filter(name -> name.endsWith("Sha256"))
                .forEach(name -> shown.put(name.substring(0, name.length() - "Sha256".length()),
                        task.getVariableLocal(name)));
        return shown;
    }

    /**
     * The configuration Directory Server is not offered for decommissioning: hosts of the deployment did not reach
     * 6.3 and still read it (guide, Post-Upgrade Tasks: "After all components have been migrated to 6.3 ... It can be
     * decommissioned"). Recorded, with the hosts, for the auditors and the next rollout.
     */
    public void decommissionNotOffered(org.camunda.bpm.engine.delegate.DelegateExecution execution) {
        String rolloutId = (String) execution.getVariable(com.msgupgrade.rollout.RolloutProcess.ROLLOUT_ID);
        List<String> hosts = rolloutPlan.notUpgraded(rolloutId);
        String named = String.join(", ", hosts.subList(0, Math.min(hosts.size(), 20)))
                + (hosts.size() > 20 ? " and " + (hosts.size() - 20) + " more" : "");
        audit.record(rolloutId, "system", "DECOMMISSION_NOT_OFFERED", null, null, Map.of("reason", "the configuration"
                + " Directory Server is still read by the hosts not at 6.3: " + named + "; decommission it once every"
                + " component is at 6.3"));
    }

    /** Camunda keeps string variables up to 4000 characters; longer evidence is cut, its full hash kept. */
    static final int EVIDENCE_LIMIT = 3800;

    /**
     * Evidence the gate shows: the task's variable (cut at {@link #EVIDENCE_LIMIT}), the SHA-256 of the whole text
     * ({@code <name>Sha256}), and the whole text kept with the rollout's audit trail under that hash.
     */
    private void evidence(DelegateTask task, String name, String text) {
        String full = text == null ? "" : text;
        task.setVariableLocal(name + "Sha256", audit.keepEvidence(rolloutId(task), full));
        task.setVariableLocal(name, full.length() <= EVIDENCE_LIMIT ? full : full.substring(0, EVIDENCE_LIMIT)
                + "\n… " + (full.length() - EVIDENCE_LIMIT) + " more characters: the whole plan is"
                + " GET /api/deployments/{name}/plan");
    }

    /** On complete of an approval gate: approve or reject, by a change manager who did not request the rollout. */
    public void gateDecision(DelegateTask task) {
        closedByAbort(task, decide(task, GATE_CHOICES, Groups.CHANGE_MANAGERS, "reject", true));
    }

    /**
     * On complete of a cluster node's review of its new configuration: as any gate. A rejection leaves the node
     * stopped and aborts the rollout (the unit's error end), in the reviewer's name: the abort is requested here,
     * while the reviewer is known, not by the unit's job after it.
     */
    public void nodeReviewDecision(DelegateTask task) {
        if ("reject".equals(closedByAbort(task, decide(task, GATE_CHOICES, Groups.CHANGE_MANAGERS, "reject", true)))
                && partOfTheRollout(task)) {
            control.abortAt(rolloutId(task), currentUser(), (String) task.getVariable(RolloutProcess.HOST_NAME), null);
        }
    }

    /** Who completes the task: the authenticated user, else the service ("system": a deadline's timer). */
    private String currentUser() {
        Authentication current = identities.getCurrentAuthentication();
        return current == null ? "system" : Groups.asKept(identities, current.getUserId());
    }

    /** The gates that let something start (a host, a cluster, a pair, a tier), before anything changes on a host. */
    static final Set<String> START_GATES = Set.of("Task_ApproveHostUpgrade", "Task_AcceptRisk", "Task_AcceptClusterRisk",
            "Task_ApproveFailover", "Task_ApproveSymmetricDowntime", "Task_ApproveTierDowntime");

    /**
     * A gate that lets something start, approved once the rollout is aborting (its approver had it open when the abort
     * came): nothing new starts, so the approval counts as a rejection, said so in the task's comment and the trail.
     * A review's approval is not touched: its host is under way and finishes.
     */
    private String closedByAbort(DelegateTask task, String decision) {
        String rolloutId = rolloutId(task);
        if (!"approve".equals(decision) || !START_GATES.contains(task.getTaskDefinitionKey())
                || !control.aborting(rolloutId)) {
            return decision;
        }
        task.setVariable(DECISION, "reject");
        task.setVariable(COMMENT, "approved after the rollout began aborting: nothing new starts");
        audit.record(rolloutId, "system", "GATE_CLOSED_BY_ABORT", (String) task.getVariable(RolloutProcess.HOST_NAME),
                null, Map.of("task", task.getTaskDefinitionKey(), "taskId", task.getId(),
                        "reason", "the rollout is aborting: the approval is taken as a rejection"));
        return "reject";
    }

    /** On complete of one CAB approval: a change manager who did not request the rollout, counted once. */
    public void cabDecision(DelegateTask task) {
        String approvers = String.valueOf(task.getVariable("cabApprovers"));
        Authentication current = identities.getCurrentAuthentication();
        String user = current == null ? null : Groups.asKept(identities, current.getUserId());
        boolean counted = user != null && List.of(approvers.split(",")).stream().anyMatch(a -> samePerson(a, user));
        String decision = decideWith(task, GATE_CHOICES, Groups.CHANGE_MANAGERS, "reject", true,
                counted ? user + " has already decided this rollout: one person counts once in the quorum" : null,
                Map.of(), 403);
        if (user != null && !"system".equals(user)) {
            task.setVariable("cabApprovers", approvers.isEmpty() ? user : approvers + "," + user);
        }
        if ("reject".equals(decision)) {
            task.setVariable("cabRejected", true);
        }
        // the engine keeps a completion's variables on the process, where the quorum's other tasks, open since the
        // CAB began, would read them: the next approver's completion without a decision would pass for this one's
        // (and Tasklist would show it them as chosen)
        DECISION_VARIABLES.forEach(task.getExecution()::removeVariable);
    }

    /** On complete of a tier's downtime approval (per-tier policy). */
    public void tierDecision(DelegateTask task) {
        if ("reject".equals(closedByAbort(task, decide(task, GATE_CHOICES, Groups.CHANGE_MANAGERS, "reject", true)))) {
            task.setVariable("tierRejected", true);
        }
    }

    /** The task-local variable an escalation sets: the group it escalated the gate to. */
    static final String ESCALATED_TO = "escalatedTo";

    /** A gate past its escalation deadline: raised in priority and offered to the escalation group too. */
    public void escalate(DelegateTask task) {
        task.setPriority(100);
        task.setVariableLocal(ESCALATED_TO, escalationGroup);
        task.addCandidateGroup(escalationGroup);
        audit.record(rolloutId(task), "system", "GATE_ESCALATED", (String) task.getVariable(RolloutProcess.HOST_NAME),
                null, Map.of("task", task.getTaskDefinitionKey(), "taskId", task.getId(), "escalatedTo", escalationGroup));
    }

    /** A gate past its final deadline is rejected, by the system, with the reason; never approved by time. */
    public void rejectAtDeadline(DelegateTask task) {
        task.setVariableLocal(REJECTED_BY_DEADLINE, true);
        task.setVariable(DECISION, "reject");
        task.setVariable(COMMENT, "rejected by the service: the approval deadline passed without a decision");
        task.complete();
    }

    /** On complete of a failure decision: retry, roll back (Solaris), mark done (with a comment) or abort, by an operator. */
    public void failureDecision(DelegateTask task) {
        String decision = decide(task, FAILURE_CHOICES, Groups.OPERATORS, "markDone", false);
        if ("rollback".equals(decision)) {
            String host = (String) task.getVariable(RolloutProcess.HOST_NAME);
            boolean supported = hostPlan(rolloutId(task), host).map(p -> Boolean.TRUE.equals(p.rollbackSupported()))
                    .orElse(false);
            if (!supported) {
                refuse(task, host, "rollback", LINUX_NO_ROLLBACK + ": host " + host + " cannot be rolled back");
            }
            if (hostPlan(rolloutId(task), host).map(p -> p.rollbackSteps().isEmpty()).orElse(true)) {
                refuse(task, host, "rollback", "host " + host + ": "
                        + com.msgupgrade.rollout.RolloutService.CLUSTER_NO_ROLLBACK);
            }
            if (!audit.anythingChanged(rolloutId(task), host)) {
                refuse(task, host, "rollback", "nothing has been changed on host " + host + " yet (no command that"
                        + " changes it was prepared, no step found done already or marked done): there is nothing to"
                        + " roll back, and a rollback would stop and restart it for nothing; decide retry, markDone"
                        + " or abort");
            }
            if (!stepOfSolarisUpgrade(task)) {
                refuse(task, host, "rollback", "only a failed step of the host's own upgrade can be answered by"
                        + " rolling the host back; this one is not (a rollback's, a cluster's or the rollout's): decide"
                        + " retry, markDone or abort, and roll the host back through POST /api/rollouts/{id}/rollback");
            }
        }
        String host = (String) task.getVariable(RolloutProcess.HOST_NAME);
        if ("rollback".equals(decision)) {
            // as a rollback asked for through the API: whoever asked does not approve it
            audit.record(rolloutId(task), currentUser(), ROLLBACK_REQUESTED, host, (String) task.getVariable("stepId"),
                    Map.of("by", currentUser(), "decidedOn", "the failed step " + task.getVariable("stepId")));
        }
        if ("abort".equals(decision)) {
            // as every host's end: in the trail, its slot freed under the rollout's work lock (a host that had ended
            // its procedure keeps the state it ended in: at 6.3); the rollout aborts, the hosts under way elsewhere
            // finishing their procedure (the error the step ends with stops this host's)
            status.hostState(rolloutId(task), host, rollouts.endDecision(rolloutId(task), host).orElse("ABORTED"));
            if (partOfTheRollout(task)) { // not a rollback requested through the API: it ends alone
                control.abortAt(rolloutId(task), currentUser(), host, null);
            }
        } else if (!"rollback".equals(decision)) {
            // a host that had ended its procedure (a later step failed on it) goes back to the state it ended in
            rollouts.endDecision(rolloutId(task), host).ifPresent(state -> status.hostState(rolloutId(task), host, state));
        }
    }

    /** Whether the task's process runs within the rollout's own process (not a rollback started on its own). */
    private static boolean partOfTheRollout(DelegateTask task) {
        var instance = task.getExecution().getProcessInstance();
        while (instance.getSuperExecution() != null) {
            instance = instance.getSuperExecution().getProcessInstance();
        }
        return instance.getProcessDefinitionId().startsWith(com.msgupgrade.rollout.RolloutProcess.KEY + ":");
    }

    /** The process that catches a rollback request is the Solaris host upgrade: the step must be one of its own. */
    static final String SOLARIS_UPGRADE = "HostUpgradeSolaris";

    /**
     * Whether the failed step was called by the Solaris upgrade of its host, whose event subprocess rolls the host
     * back. Called by anything else, the request would find nobody to catch it, and the engine would end the step
     * as if it had succeeded: the rollout would go on past it.
     */
    private static boolean stepOfSolarisUpgrade(DelegateTask task) {
        var caller = task.getExecution().getProcessInstance().getSuperExecution();
        return caller != null && caller.getProcessDefinitionId().startsWith(SOLARIS_UPGRADE + ":");
    }

    /**
     * A completion the engine's authorizations refused before any listener ran (e.g. an auditor): recorded
     * in its own transaction, with who tried and why. The task is looked up as the system, since the
     * caller may not read it.
     */
    public boolean recordRefusedByEngine(String taskId, String reason) {
        return recordRefused(taskId, "not authorized to decide this task: " + reason);
    }

    /**
     * A request on a task refused before the engine ran it ({@link TaskVariableGuard}), recorded as
     * {@link #recordRefusedByEngine} records one; false when the task does not exist (any more).
     */
    public boolean recordRefused(String taskId, String refusal) {
        Authentication caller = identities.getCurrentAuthentication();
        String actor = caller == null ? "anonymous" : Groups.asKept(identities, caller.getUserId());
        return com.msgupgrade.security.AsTheService.call(identities, () -> {
            var task = taskService.createTaskQuery().taskId(taskId).singleResult();
            if (task == null) {
                return false;
            }
            String rolloutId = (String) taskService.getVariable(taskId, RolloutProcess.ROLLOUT_ID);
            String host = (String) taskService.getVariable(taskId, RolloutProcess.HOST_NAME);
            if (rolloutId == null) {
                return true;
            }
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("task", task.getTaskDefinitionKey());
            detail.put("taskId", taskId);
            detail.put("refused", refusal);
            recordRefusal(rolloutId, actor, host, null, detail);
            return true;
        });
    }

    /**
     * A decision on a task another decision came first to (the task gone when this one came to complete it: two
     * approvers at the same moment, or a request sent again): in the trail as refused, under the caller's name, the
     * task's rollout and host read from the engine's history. Nothing when no such task ever was (a mistyped id).
     */
    public void recordDecidedMeanwhile(String taskId) {
        Authentication caller = identities.getCurrentAuthentication();
        if (caller == null) {
            return;
        }
        String actor = Groups.asKept(identities, caller.getUserId());
        List<String> callerGroups = caller.getGroupIds() == null ? List.of() : caller.getGroupIds();
        try {
            com.msgupgrade.security.AsTheService.call(identities, () -> {
                var task = history.createHistoricTaskInstanceQuery().taskId(taskId).singleResult();
                var instance = task == null ? null : history.createHistoricProcessInstanceQuery()
                        .processInstanceId(task.getProcessInstanceId()).singleResult();
                String rolloutId = instance == null ? null : instance.getBusinessKey();
                // a rollout that goes on, and a task its caller could decide: no entry in another's trail, nor in
                // an ended one's (whose retention counts from its last entry), by anyone who tries an old task id
                boolean goesOn = rolloutId != null && rollouts.find(rolloutId)
                        .filter(r -> !Rollout.ENDED.contains(r.state())).isPresent();
                boolean candidate = goesOn && history.createHistoricIdentityLinkLogQuery().taskId(taskId)
                        .type(org.camunda.bpm.engine.task.IdentityLinkType.CANDIDATE).list().stream()
                        .anyMatch(link -> link.getGroupId() != null && callerGroups.contains(link.getGroupId()));
                if (!candidate) {
                    return null;
                }
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("task", task.getTaskDefinitionKey());
                detail.put("taskId", taskId);
                detail.put("refused", "the task was decided meanwhile (another decision came first: its DECISION"
                        + " stands)");
                // the host the gate was opened for, as the trail recorded it
                recordRefusal(rolloutId, actor, audit.gateOpened(rolloutId, taskId).map(AuditEntry::host)
                        .orElse(null), null, detail, () -> {});
                return null;
            });
        } catch (RuntimeException e) {
            // the answer stays "decided meanwhile"; the attempt is only missing from the trail
            log.warn("could not record {}'s decision on task {}, decided meanwhile: {}", actor, taskId, e.toString());
        }
    }

    /** On complete of the Directory Server restore of a rollback: the backup restored must be named. */
    public void directoryRestored(DelegateTask task) {
        Object reference = task.getVariable(BACKUP_REFERENCE);
        String ref = reference == null ? "" : reference.toString().trim();
        task.setVariable(DECISION, "restored");
        decideWith(task, Set.of("restored"), Groups.OPERATORS, null, false,
                ref.isEmpty() ? "the reference of the restored backup is required" : null,
                Map.of(BACKUP_REFERENCE, ref), 400);
    }

    /** On complete of the dependency confirmation: an operator says what was upgraded. */
    public void dependenciesConfirmed(DelegateTask task) {
        decide(task, Set.of("confirmed"), Groups.OPERATORS, "confirmed", false);
    }

    /** On complete of the Directory Server backup: its reference is required (a rollback restores it). */
    public void directoryBackedUp(DelegateTask task) {
        Object reference = task.getVariable(BACKUP_REFERENCE);
        String ref = reference == null ? "" : reference.toString().trim();
        decideWith(task, Set.of("confirmed"), Groups.OPERATORS, null, false,
                ref.isEmpty() ? "the reference of the Directory Server backup is required" : null,
                Map.of(BACKUP_REFERENCE, ref), 400);
    }

    public void decommissioned(DelegateTask task) {
        decide(task, Set.of("confirmed"), Groups.OPERATORS, "confirmed", false);
        // kept with the rollout (the trail's entry goes with the audit retention): a rollback reads it
        rollouts.configDirectoryDecommissioned(rolloutId(task));
    }

    /** The sign-off that closes the change: a change manager other than the requester. */
    public void signOff(DelegateTask task) {
        task.setVariable(SIGN_OFF, decide(task, GATE_CHOICES, Groups.CHANGE_MANAGERS, "reject", true));
    }

    /** The rollout's sign-off decision (approve or reject), for the state it ends in. */
    public static final String SIGN_OFF = "signOff";

    /** On complete of the 6.1 configuration merge (Linux 6.1): by an operator, saying what was merged. */
    public void configurationMerged(DelegateTask task) {
        decide(task, Set.of("merged"), Groups.OPERATORS, "merged", false);
    }

    private String decide(DelegateTask task, Set<String> choices, String group, String needsComment,
            boolean requesterExcluded) {
        return decideWith(task, choices, group, needsComment, requesterExcluded, null, Map.of(), 400);
    }

    private void refuse(DelegateTask task, String host, String decision, String refusal) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("task", task.getTaskDefinitionKey());
        detail.put("taskId", task.getId());
        detail.put("decision", decision);
        detail.put("refused", refusal);
        Authentication current = identities.getCurrentAuthentication();
        recordRefusal(rolloutId(task), current == null ? "anonymous" : Groups.asKept(identities, current.getUserId()), host,
                (String) task.getVariable("stepId"), detail);
        throw new DecisionRefusedException(400, refusal);
    }

    /**
     * A refused attempt: in the audit trail, in a transaction of its own (the caller's is rolled back), and one line
     * in the log at INFO (the engine's own ERROR line about the exception is left out: {@link RefusedDecisionLogs}).
     */
    private void recordRefusal(String rolloutId, String actor, String host, String step, Map<String, Object> detail) {
        recordRefusal(rolloutId, actor, host, step, detail, () -> {});
    }

    /** {@link #recordRefusal}, with {@code alsoWritten} committed with the entry (the evidence it names). */
    private void recordRefusal(String rolloutId, String actor, String host, String step, Map<String, Object> detail,
            Runnable alsoWritten) {
        // the task's rollout, host and step on the line (an HTTP thread, the engine's command over or its task's
        // listener setting only the rollout), put back as they were afterwards
        Map<String, String> before = org.slf4j.MDC.getCopyOfContextMap();
        LogContext.set(LogContext.ROLLOUT, rolloutId);
        LogContext.set(LogContext.HOST, host);
        LogContext.set(LogContext.STEP, step);
        try {
            log.info("refused a decision by {} on {} ({}) of rollout {}: {}", actor, detail.get("task"),
                    detail.get("taskId"), rolloutId, detail.get("refused"));
            audit.recordCommitted(rolloutId, actor, "DECISION_REFUSED", host, step, detail, alsoWritten);
        } finally {
            for (String key : List.of(LogContext.ROLLOUT, LogContext.HOST, LogContext.STEP)) {
                LogContext.set(key, before == null ? null : before.get(key));
            }
        }
    }

    private String decideWith(DelegateTask task, Set<String> choices, String group, String needsComment,
            boolean requesterExcluded, String extraRefusal, Map<String, Object> extraDetail, int extraStatus) {
        String rolloutId = rolloutId(task);
        if (rolloutId == null) {
            // the task's variables are gone: someone else completed it between this request reading the task and
            // its listener reading them (two approvers at the same moment, on two nodes)
            throw new DecisionRefusedException(409, "task " + task.getId() + " was already decided");
        }
        String host = (String) task.getVariable(RolloutProcess.HOST_NAME);
        if (Boolean.TRUE.equals(task.getVariableLocal(REJECTED_BY_DEADLINE))) {
            audit.record(rolloutId, "system", "DECISION", host, null, Map.of("task", task.getTaskDefinitionKey(),
                    "taskId", task.getId(), "decision", "reject", "comment", String.valueOf(task.getVariable(COMMENT))));
            return "reject";
        }
        Authentication current = identities.getCurrentAuthentication();
        String user = current == null ? null : Groups.asKept(identities, current.getUserId());
        Object decisionValue = task.getVariable(DECISION);
        String decision = decisionValue == null ? null : decisionValue.toString();
        Object commentValue = task.getVariable(COMMENT);
        String comment = commentValue == null ? "" : commentValue.toString().trim();

        java.util.Optional<String> excluded = user == null || !requesterExcluded ? java.util.Optional.empty()
                : excludedAsRequester(user, task.getTaskDefinitionKey(), rolloutId, host);
        String refusal = null;
        int status = 400;
        if (user == null) {
            refusal = "a decision must be made by an authenticated person";
            status = 403;
        } else if (task instanceof org.camunda.bpm.engine.task.Task asTask && asTask.getDelegationState() != null) {
            // delegated by an update of the task (its owner and delegation state set): the delegate's resolution
            // left variables that this completion would be recorded with
            refusal = "the task was delegated (" + ((org.camunda.bpm.engine.task.Task) task).getDelegationState()
                    + "): a gate is decided by completing it,"
                    + " not through a delegate; set its delegation back (or have a change manager claim it) first";
            status = 403;
        } else if (!inGroup(current, user, group) && !(escalated(task, group)
                && inGroup(current, user, escalationGroup))) {
            refusal = user + " is not in group " + group + (escalated(task, group) ? " nor " + escalationGroup : "")
                    + " and cannot decide this task";
            status = 403;
        } else if (Groups.reserved(user)) {
            refusal = "the user name " + user + " is the service's own in the audit trail and cannot decide a task";
            status = 403;
        } else if (excluded.isPresent()) {
            refusal = excluded.get();
            status = 403;
        } else if (decision == null || !choices.contains(decision)) {
            refusal = "decision must be one of " + choices + ", was " + com.msgupgrade.web.Shown.quoted(decision);
        } else if (decision.equals(needsComment) && comment.isEmpty()) {
            refusal = "a comment is required to " + decision;
        } else if (tooLong(String.valueOf(commentValue), sentWith(task, extraDetail)).isPresent()) {
            // measured as sent: the engine stores the variable as it was sent, spaces around it included
            refusal = tooLong(String.valueOf(commentValue), sentWith(task, extraDetail)).get();
        } else if (extraRefusal != null) {
            refusal = extraRefusal;
            status = extraStatus;
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("task", task.getTaskDefinitionKey());
        detail.put("taskId", task.getId());
        detail.put("decision", refusal != null ? com.msgupgrade.web.Shown.quoted(decision) : decision);
        detail.put("comment", comment);
        detail.putAll(extraDetail);
        detail.put("evidenceSha256", AuditTrail.sha256(task.getVariableLocal("plannedCommandsSha256") + "\n"
                + task.getVariableLocal("warningsSha256") + "\n" + task.getVariable("conflicts")
                + "\n" + task.getVariable("failure") + "\n" + task.getVariableLocal("precheck")
                + (task.getVariableLocal("patchConfigOutputSha256") == null ? ""
                        : "\n" + task.getVariableLocal("patchConfigOutputSha256"))));
        // what was before the person, each text by its SHA-256, kept whole with the trail: the gate's own evidence,
        // and what its process showed with it (a failed step's output, patch-config's reported conflicts)
        Map<String, Object> before = shown(task);
        List<String> texts = new java.util.ArrayList<>();
        for (String shownByProcess : List.of("conflicts", "failure")) {
            if (task.getVariable(shownByProcess) != null) {
                String text = String.valueOf(task.getVariable(shownByProcess));
                before.put(shownByProcess, AuditTrail.sha256(text));
                texts.add(text);
            }
        }
        detail.put("evidence", before);
        // the texts kept with the entry that names them: a refusal's is committed on its own (this one rolls back)
        Runnable keepTexts = () -> texts.forEach(text -> audit.keepEvidence(rolloutId, text));
        if (refusal != null) {
            detail.replaceAll((key, value) -> value instanceof String text && text.length() > EVIDENCE_LIMIT
                    ? text.substring(0, EVIDENCE_LIMIT) + "… (" + text.length() + " characters)" : value);
            detail.put("refused", refusal);
            recordRefusal(rolloutId, user == null ? "anonymous" : user, host, (String) task.getVariable("stepId"),
                    detail, keepTexts);
            throw new DecisionRefusedException(status, refusal);
        }
        keepTexts.run();
        audit.record(rolloutId, user, "DECISION", host, (String) task.getVariable("stepId"), detail);
        return decision;
    }

    /**
     * What a person writes with a decision (its comment, a backup's reference) is kept as a task variable, which the
     * engine stores up to 4,000 characters, as evidence is ({@link #EVIDENCE_LIMIT}): a longer one is refused, on
     * every channel, before the engine fails on it.
     */
    /** The decision's own detail, and a backup's reference as it was sent (the engine stores it so). */
    private static Map<String, Object> sentWith(DelegateTask task, Map<String, Object> extraDetail) {
        Map<String, Object> sent = new LinkedHashMap<>(extraDetail);
        Object reference = task.getVariable(BACKUP_REFERENCE);
        if (reference != null) {
            sent.put(BACKUP_REFERENCE, reference);
        }
        return sent;
    }

    private static java.util.Optional<String> tooLong(String comment, Map<String, Object> extraDetail) {
        Map<String, Object> texts = new LinkedHashMap<>(Map.of("comment", comment));
        texts.putAll(extraDetail);
        return texts.entrySet().stream().filter(e -> String.valueOf(e.getValue()).length() > EVIDENCE_LIMIT).findFirst()
                .map(e -> "the " + e.getKey() + " must be at most " + EVIDENCE_LIMIT + " characters, was "
                        + String.valueOf(e.getValue()).length());
    }

    /**
     * Whether two user names are one person's. A directory (LDAP) finds a user whatever the case of the name typed at
     * the login, and the name typed is the one the request carries: "alice" and "Alice" are one person.
     */
    public static boolean samePerson(String one, String other) {
        return Groups.samePerson(one, other);
    }

    /**
     * Why the user may not decide that gate, four eyes: they requested the rollout, or, for a rollback's approval,
     * they asked for that rollback (through the API, or deciding "rollback" on the host's failed step); empty when
     * they may.
     */
    public java.util.Optional<String> excludedAsRequester(String user, String taskKey, String rolloutId, String host) {
        if (samePerson(user, rollouts.get(rolloutId).requestedBy())) {
            return java.util.Optional.of(user + " requested rollout " + rolloutId + " and cannot decide its gates");
        }
        if (ROLLBACK_APPROVAL.equals(taskKey) && host != null
                && samePerson(user, audit.lastActor(rolloutId, host, ROLLBACK_REQUESTED).orElse(null))) {
            return java.util.Optional.of(user + " asked for the rollback of " + host + " and cannot approve it");
        }
        return java.util.Optional.empty();
    }

    static final String ROLLBACK_APPROVAL = "Task_ApproveRollback";
    public static final String ROLLBACK_REQUESTED = "ROLLBACK_REQUESTED";

    private boolean inGroup(Authentication current, String user, String group) {
        return current.getGroupIds() != null && current.getGroupIds().contains(group) || memberOf(user, group);
    }

    /** A gate past its escalation deadline ({@link #escalate}): its escalation group decides it too. */
    private boolean escalated(DelegateTask task, String group) {
        // read from what the escalation itself set, not from the task's candidates, which are not the proof of it
        return !escalationGroup.equals(group) && escalationGroup.equals(task.getVariableLocal(ESCALATED_TO));
    }

    private boolean memberOf(String user, String group) {
        return identities.createGroupQuery().groupMember(user).groupId(group).count() > 0;
    }

    private java.util.Optional<Plan.HostPlan> hostPlan(String rolloutId, String host) {
        return plans.host(rolloutId, host);
    }

    /** What the host answered to the last pre-check (imsimta version) of this rollout, from the audit trail. */
    private java.util.Optional<String> precheckOutput(String rolloutId, String host) {
        return audit.lastCommandOutput(rolloutId, host, com.msgupgrade.catalog.StepId.VERIFY_CURRENT_VERSION.id());
    }

    private static String rolloutId(DelegateTask task) {
        return (String) task.getVariable(RolloutProcess.ROLLOUT_ID);
    }

    static List<String> choices(Set<String> set) {
        return List.copyOf(set);
    }
}
