package com.msgupgrade.approval;

import jakarta.servlet.ServletContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.exception.NullValueException;
import org.springframework.web.context.support.WebApplicationContextUtils;

/**
 * What the exception mappers of the engine's REST API share about a task decision, on both of its channels
 * ({@code /engine-rest} and the webapps' own, {@link TasklistDecisionErrors}): which task the request decides, the
 * service's beans (Jersey makes the mappers itself, so they are found through the servlet context), and the answer
 * to a decision on a task already decided.
 */
public abstract class TaskDecisionErrors {

    /** A task decided through the engine's REST API: complete, submit its form, resolve; the task's id first. */
    private static final Pattern TASK_DECISION = Pattern.compile("task/([^/]+)/(complete|submit-form|resolve)$");

    @Context
    private UriInfo uri;

    @Context
    private ServletContext servletContext;

    /** The id of the task this request decides; empty for any other request. */
    protected Optional<String> decidedTask() {
        Matcher decision = TASK_DECISION.matcher(uri == null ? "" : routedPath(uri));
        return decision.find() ? Optional.of(decision.group(1)) : Optional.empty();
    }

    /**
     * The request's path as the API routes it: its segments without their matrix parameters, the empty ones (a
     * trailing or doubled slash) left out. The routing accepts {@code task/1/complete/} as {@code task/1/complete}:
     * a rule on the raw path would let the one pass that it stops the other.
     */
    protected static String routedPath(UriInfo uri) {
        return uri.getPathSegments(true).stream().map(jakarta.ws.rs.core.PathSegment::getPath)
                .filter(segment -> !segment.isEmpty()).collect(java.util.stream.Collectors.joining("/"));
    }

    protected <T> T bean(Class<T> type) {
        return WebApplicationContextUtils.getRequiredWebApplicationContext(servletContext).getBean(type);
    }

    /**
     * A decision that failed on a task that is gone now was beaten by another decision: 404, as for any decided
     * task (the engine may have tripped over the execution the other completion changed, or found no task).
     */
    protected Optional<Response> decidedMeanwhile(Throwable failure) {
        Optional<String> task = decidedTask();
        if (task.isEmpty()) {
            return Optional.empty();
        }
        boolean gone = false;
        for (Throwable t = failure; t != null && !gone; t = t.getCause() == t ? null : t.getCause()) {
            gone = t instanceof NullValueException || t instanceof OptimisticLockingException;
        }
        if (!gone) {
            gone = bean(TaskService.class).createTaskQuery().taskId(task.get()).count() == 0;
        }
        return gone ? Optional.of(taskGone()) : Optional.empty();
    }

    /**
     * The answer to a decision on a task that does not exist or was already decided; the attempt in the trail when
     * the task was one of a rollout's ({@link Decisions#recordDecidedMeanwhile}).
     */
    protected Response taskGone() {
        decidedTask().ifPresent(task -> bean(Decisions.class).recordDecidedMeanwhile(task));
        return taskGoneAnswer();
    }

    private static Response taskGoneAnswer() {
        return answer(404, "TaskNotFound", "the task does not exist or was already decided");
    }

    protected static Response answer(int status, String type, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Map.of("type", type, "message", message)).build();
    }
}
