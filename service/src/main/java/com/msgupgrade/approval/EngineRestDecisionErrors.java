package com.msgupgrade.approval;

import jakarta.annotation.Priority;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.Map;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.exception.NullValueException;
import org.camunda.bpm.engine.rest.exception.RestException;
import org.camunda.bpm.engine.rest.exception.RestExceptionHandler;

/**
 * The engine REST API answers an exception from a task listener with 500; a refused decision is the
 * caller's mistake, so it is answered 400/403 with the reason, and a decision on a task that is gone
 * (already decided) 404. Everything else goes to Camunda's own handler unchanged.
 */
@Priority(1)
public class EngineRestDecisionErrors implements ExceptionMapper<RestException> {

    private static final Pattern TASK_DECISION = Pattern.compile("task/[^/]+/(complete|submit-form|resolve)$");

    private final RestExceptionHandler camunda = new RestExceptionHandler();

    @Context
    private UriInfo uri;

    @Override
    public Response toResponse(RestException exception) {
        boolean decision = uri != null && TASK_DECISION.matcher(uri.getPath()).find();
        for (Throwable t = exception; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DecisionRefusedException refused) {
                return answer(refused.status(), "DecisionRefused", refused.getMessage());
            }
            if (decision && (t instanceof NullValueException || t instanceof OptimisticLockingException)) {
                return answer(404, "TaskNotFound", "the task does not exist or was already decided");
            }
        }
        return camunda.toResponse(exception);
    }

    private static Response answer(int status, String type, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Map.of("type", type, "message", message)).build();
    }
}
