package com.msgupgrade.approval;

import com.msgupgrade.security.Groups;
import com.msgupgrade.web.InvalidRequestException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.exception.NullValueException;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.task.Task;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The service's own channel for decisions: {@code GET /api/approvals} lists what the caller may decide,
 * {@code POST /api/approvals/{taskId}} decides. It completes the task as the caller, through the engine
 * with its authorizations, so the same rules (task listeners) hold as in Tasklist and the engine REST API.
 */
@RestController
@RequestMapping("/api/approvals")
class ApprovalController {

    private final TaskService tasks;
    private final IdentityService identities;
    private final Decisions decisions;

    ApprovalController(TaskService tasks, IdentityService identities, Decisions decisions) {
        this.tasks = tasks;
        this.identities = identities;
        this.decisions = decisions;
    }

    /** {@code backupReference}: the Directory Server backup's, for the tasks that record or restore one. */
    record DecisionRequest(String decision, String comment, String backupReference) {}

    @GetMapping
    List<Map<String, Object>> list(Authentication user) {
        return as(user, () -> {
            List<String> groups = groupsOf(user.getName());
            if (groups.isEmpty()) {
                return List.of();
            }
            List<Map<String, Object>> result = new ArrayList<>();
            // a task claimed in Tasklist (its assignee set) is still the caller's to decide: listed, with its assignee
            for (Task task : tasks.createTaskQuery().taskCandidateGroupIn(groups).includeAssignedTasks().active()
                    .orderByTaskCreateTime().asc().list()) {
                Map<String, Object> variables;
                boolean changeManagersGate;
                try {
                    variables = tasks.getVariables(task.getId());
                    changeManagersGate = tasks.getIdentityLinksForTask(task.getId()).stream()
                            .anyMatch(link -> Groups.CHANGE_MANAGERS.equals(link.getGroupId()));
                } catch (NullValueException decidedMeanwhile) {
                    continue; // decided by someone else since the query: no longer open
                }
                if (changeManagersGate && variables.get("rolloutId") != null && decisions.excludedAsRequester(
                        user.getName(), task.getTaskDefinitionKey(), (String) variables.get("rolloutId"),
                        (String) variables.get("hostName")).isPresent()) {
                    continue; // a requester may not decide the gates of their own rollout, nor approve their rollback
                }
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("taskId", task.getId());
                item.put("gate", task.getTaskDefinitionKey());
                item.put("name", task.getName());
                item.put("rolloutId", variables.get("rolloutId"));
                item.put("host", variables.get("hostName"));
                item.put("created", task.getCreateTime());
                item.put("priority", task.getPriority());
                item.put("assignee", task.getAssignee());
                for (String evidence : List.of("plannedCommands", "warnings", "conflicts", "failure", "downtime",
                        "configurationDiff", "tier", "patchConfigOutput", "precheck", "dependencies")) {
                    if (variables.get(evidence) != null) {
                        item.put(evidence, variables.get(evidence));
                    }
                }
                result.add(item);
            }
            return result;
        });
    }

    @PostMapping("/{taskId}")
    ResponseEntity<?> decide(@PathVariable String taskId, @RequestBody(required = false) DecisionRequest request,
            Authentication user) {
        if (request == null || request.decision() == null) {
            as(user, () -> decisions.recordRefused(taskId, "no decision was given"));
            throw new InvalidRequestException("no decision", List.of("decision is required (approve or reject for a gate;"
                    + " the task's own choices for an operator's task: README, Approvals)"));
        }
        Map<String, Object> variables = new HashMap<>();
        variables.put("decision", request.decision());
        variables.put("decisionComment", request.comment() == null ? "" : request.comment());
        if (request.backupReference() != null) {
            variables.put(Decisions.BACKUP_REFERENCE, request.backupReference());
        }
        try {
            as(user, () -> {
                tasks.complete(taskId, variables);
                return null;
            });
            return ResponseEntity.noContent().build();
        } catch (AuthorizationException e) {
            if (tasks.createTaskQuery().taskId(taskId).count() == 0) {
                // decided by someone else between reading the task and checking this caller's authorization on it
                return decidedMeanwhile(user, taskId);
            }
            // recorded as the engine's REST API records it: every attempt is in the trail
            if (!as(user, () -> decisions.recordRefusedByEngine(taskId, e.getMessage()))) {
                return decidedMeanwhile(user, taskId);
            }
            return problem(HttpStatus.FORBIDDEN, user.getName() + " may not decide task " + taskId);
        } catch (NullValueException | org.camunda.bpm.engine.OptimisticLockingException e) {
            return decidedMeanwhile(user, taskId);
        } catch (org.camunda.bpm.engine.SuspendedEntityInteractionException e) {
            return problem(HttpStatus.CONFLICT, "task " + taskId + " cannot be decided now: its process is"
                    + " suspended (by an administrator, in Cockpit or through the engine's API); decide it once the"
                    + " process is activated again");
        } catch (ProcessEngineException e) {
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof DecisionRefusedException refused) {
                    return refused.status() == 409 ? decidedMeanwhile(user, taskId)
                            : problem(HttpStatus.valueOf(refused.status()), refused.getMessage());
                }
            }
            return decidedMeanwhile(user, taskId, e);
        } catch (RuntimeException e) {
            // the engine trips over an execution another node's completion just changed
            return decidedMeanwhile(user, taskId, e);
        }
    }

    /** Whatever failed, a task that is gone now was decided by someone else meanwhile: that is the answer. */
    private ResponseEntity<?> decidedMeanwhile(Authentication user, String taskId, RuntimeException failure) {
        if (tasks.createTaskQuery().taskId(taskId).count() == 0) {
            return decidedMeanwhile(user, taskId);
        }
        throw failure;
    }

    /** 409, and the attempt in the trail: every decision sent is there, the one that came second too. */
    private ResponseEntity<?> decidedMeanwhile(Authentication user, String taskId) {
        as(user, () -> {
            decisions.recordDecidedMeanwhile(taskId);
            return null;
        });
        return problem(HttpStatus.CONFLICT, "task " + taskId + " does not exist or was already decided");
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String detail) {
        return ResponseEntity.status(status).body(ProblemDetail.forStatusAndDetail(status, detail));
    }

    private List<String> groupsOf(String user) {
        return identities.createGroupQuery().groupMember(user).list().stream().map(Group::getId).toList();
    }

    private <T> T as(Authentication user, java.util.function.Supplier<T> work) {
        identities.setAuthentication(user.getName(), groupsOf(user.getName()));
        try {
            return work.get();
        } finally {
            identities.clearAuthentication();
        }
    }
}
