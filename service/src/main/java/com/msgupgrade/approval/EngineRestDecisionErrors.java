package com.msgupgrade.approval;

import jakarta.annotation.Priority;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.exception.NullValueException;
import org.camunda.bpm.engine.rest.exception.RestException;
import org.camunda.bpm.engine.rest.exception.RestExceptionHandler;
import org.springframework.web.context.support.WebApplicationContextUtils;

/**
 * The engine REST API answers an exception from a task listener with 500; a refused decision is the
 * caller's mistake, so it is answered 400/403 with the reason, and a decision on a task that is gone
 * (already decided, by someone else at the same moment, perhaps on another node) 404, whatever the engine tripped
 * over. Everything else goes to Camunda's own handler unchanged. On both channels of the engine's REST API
 * ({@link TasklistDecisionErrors}).
 */
@Priority(1)
public class EngineRestDecisionErrors implements ExceptionMapper<RestException> {

    /** A task decided through the engine's REST API: complete, submit its form, resolve; the task's id first. */
    static final Pattern TASK_DECISION = Pattern.compile("task/([^/]+)/(complete|submit-form|resolve)$");

    private final RestExceptionHandler camunda = new RestExceptionHandler();

    @Context
    private UriInfo uri;

    @Context
    private ServletContext servletContext;

    @Override
    public Response toResponse(RestException exception) {
        for (Throwable t = exception; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DecisionRefusedException refused) {
                return answer(refused.status(), "DecisionRefused", refused.getMessage());
            }
        }
        return decidedMeanwhile(uri, servletContext, exception).orElseGet(() -> camunda.toResponse(exception));
    }

    /**
     * A decision that failed on a task that is gone now was beaten by another decision: 404, as for any decided
     * task (the engine may have tripped over the execution the other completion changed, or found no task).
     */
    static Optional<Response> decidedMeanwhile(UriInfo uri, ServletContext servletContext, Throwable failure) {
        Matcher decision = TASK_DECISION.matcher(uri == null ? "" : uri.getPath());
        if (!decision.find()) {
            return Optional.empty();
        }
        boolean gone = false;
        for (Throwable t = failure; t != null && !gone; t = t.getCause() == t ? null : t.getCause()) {
            gone = t instanceof NullValueException || t instanceof OptimisticLockingException;
        }
        if (!gone) {
            TaskService tasks = WebApplicationContextUtils.getRequiredWebApplicationContext(servletContext)
                    .getBean(TaskService.class);
            gone = tasks.createTaskQuery().taskId(decision.group(1)).count() == 0;
        }
        return gone ? Optional.of(taskGone()) : Optional.empty();
    }

    /** The answer to a decision on a task that does not exist or was already decided. */
    static Response taskGone() {
        return answer(404, "TaskNotFound", "the task does not exist or was already decided");
    }

    private static Response answer(int status, String type, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Map.of("type", type, "message", message)).build();
    }
}
