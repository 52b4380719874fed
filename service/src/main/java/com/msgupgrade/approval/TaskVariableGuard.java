package com.msgupgrade.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.TaskService;

/**
 * A decision sets its own fields and nothing else. The engine's task API writes the variables sent with a
 * completion before the task's listeners judge it, and a candidate of a task may set its variables; the rules of
 * {@link Decisions} read the process's variables (the rollout, the host, who has approved already). So, on both
 * channels of the engine's REST API ({@code /engine-rest} and Tasklist's, {@link TasklistDecisionErrors}):
 * <ul>
 * <li>a completion (complete, submit-form, resolve) may set {@link #DECISION_FIELDS}; any other variable it sends
 * must hold the value the task already shows (Tasklist sends a form's read-only fields back as they are);</li>
 * <li>a task's variables are not written through the API at all, and a user task throws no BPMN error or
 * escalation through it (none of the processes catches one from a gate: the gate would be passed undecided);</li>
 * <li>a task is not delegated or resolved: a delegate's resolution sets the decision's variables, and its owner's
 * completion without any would be recorded with them, under the owner's name;</li>
 * <li>a task's candidates are not changed: who may decide it is its process's to say, and its escalation's.</li>
 * </ul>
 * A refused request changes nothing; it is answered 400 or 403 with the reason and recorded in the audit trail as a
 * refused decision, with who tried.
 */
@Priority(Priorities.AUTHORIZATION)
public class TaskVariableGuard extends TaskDecisionErrors implements ContainerRequestFilter {

    /** What a person decides on a task: the fields of the service's forms that are not read-only. */
    static final Set<String> DECISION_FIELDS = Set.copyOf(Decisions.DECISION_VARIABLES);

    private static final Pattern TASK_WRITE =
            Pattern.compile("task/([^/]+)/(variables|localVariables|bpmnError|bpmnEscalation)(/.*)?$");
    /** Delegation: a delegate resolves the task (its variables set), its owner completes it. */
    private static final Pattern TASK_HAND_OVER = Pattern.compile("task/([^/]+)/(delegate|resolve)$");
    /**
     * Who may decide a task: its candidates are the process's (and its escalation's, {@link Decisions#escalate}), not
     * added or removed through the API (an operator adding change-managers to a failed step's decision, say).
     */
    private static final Pattern TASK_CANDIDATES = Pattern.compile("task/([^/]+)/identity-links(/delete)?$");
    /** A task's own fields written (its owner, delegation state, due date…). */
    private static final Pattern TASK_UPDATE = Pattern.compile("task/([^/]+)$");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void filter(ContainerRequestContext request) throws IOException {
        String method = request.getMethod();
        if ("GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method)) {
            return;
        }
        Matcher handOver = TASK_HAND_OVER.matcher(routedPath(request.getUriInfo()));
        if (handOver.find()) {
            refuse(request, handOver.group(1), 403, "a task is decided by completing it, by the person the audit"
                    + " trail then names (" + handOver.group(2) + " is not accepted: a delegate's resolution would"
                    + " leave a decision that the owner's completion is recorded with)");
            return;
        }
        Matcher candidates = TASK_CANDIDATES.matcher(routedPath(request.getUriInfo()));
        if (candidates.find()) {
            refuse(request, candidates.group(1), 403, "who may decide a task is set by its process and its"
                    + " escalation: a candidate user or group is not added or removed through this API");
            return;
        }
        Matcher update = TASK_UPDATE.matcher(routedPath(request.getUriInfo()));
        if ("PUT".equals(method) && update.find()) {
            JsonNode delegation = bodyField(request, "delegationState");
            if (delegation != null && !delegation.isNull()) {
                refuse(request, update.group(1), 403, "a task is decided by completing it, by the person the audit"
                        + " trail then names (a delegation state is not set through this API)");
            }
            return;
        }
        Matcher write = TASK_WRITE.matcher(routedPath(request.getUriInfo()));
        if (write.find()) {
            refuse(request, write.group(1), 403, "the variables of a task are set by the service, and a task is"
                    + " decided by completing it (" + write.group(2) + " is not accepted through this API)");
            return;
        }
        Optional<String> task = decidedTask();
        if (task.isEmpty()) {
            return;
        }
        JsonNode variables = bodyField(request, "variables");
        if (variables == null || !variables.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = variables.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> sent = it.next();
            if (DECISION_FIELDS.contains(sent.getKey())) {
                continue;
            }
            Object current;
            try {
                current = currentValue(task.get(), sent.getKey());
            } catch (ProcessEngineException e) {
                return; // no such task: the engine's API answers the completion (404)
            }
            JsonNode value = sent.getValue() == null ? null : sent.getValue().get("value");
            if (!unchanged(value, current)) {
                refuse(request, task.get(), 400, "a decision sets only " + String.join(", ",
                        DECISION_FIELDS.stream().sorted().toList()) + ": the task's variable '" + sent.getKey()
                        + "' cannot be changed by deciding it");
                return;
            }
        }
    }

    /**
     * A field of the request's JSON body, the body left for the API to read; null when there is none (an empty body,
     * or one that is not JSON: the engine's API answers it as it does).
     */
    private static JsonNode bodyField(ContainerRequestContext request, String name) throws IOException {
        byte[] body = request.getEntityStream().readAllBytes();
        request.setEntityStream(new ByteArrayInputStream(body));
        try {
            return body.length == 0 ? null : JSON.readTree(body).get(name);
        } catch (IOException e) {
            return null;
        }
    }

    /** The variable as the task shows it, read by the service (whether the caller may decide is the engine's to say). */
    private Object currentValue(String taskId, String name) {
        return com.msgupgrade.security.AsTheService.call(bean(IdentityService.class),
                () -> bean(TaskService.class).getVariable(taskId, name));
    }

    /**
     * Whether the value sent is the variable's, as the API showed it: a string, number or boolean as its text, a
     * list or map (an object variable) as its JSON; a read-only field with nothing to show comes back empty.
     */
    static boolean unchanged(JsonNode sent, Object current) {
        if (sent == null || sent.isNull() || sent.isValueNode()) {
            String sentText = sent == null || sent.isNull() ? null : sent.asText();
            return Objects.equals(emptyAsNull(sentText), emptyAsNull(current == null ? null : String.valueOf(current)));
        }
        return current != null && sent.equals(JSON.valueToTree(current));
    }

    /** A read-only field with nothing to show comes back empty. */
    private static String emptyAsNull(String text) {
        return text == null || text.isEmpty() ? null : text;
    }

    private void refuse(ContainerRequestContext request, String taskId, int status, String reason) {
        if (!bean(Decisions.class).recordRefused(taskId, reason)) {
            request.abortWith(taskGone());
            return;
        }
        request.abortWith(answer(status, "DecisionRefused", reason));
    }
}
