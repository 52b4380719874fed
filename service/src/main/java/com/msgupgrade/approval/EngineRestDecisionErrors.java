package com.msgupgrade.approval;

import jakarta.annotation.Priority;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.camunda.bpm.engine.rest.exception.RestException;
import org.camunda.bpm.engine.rest.exception.RestExceptionHandler;

/**
 * The engine REST API answers an exception from a task listener with 500; a refused decision is the
 * caller's mistake, so it is answered 400/403 with the reason, and a decision on a task that is gone
 * (already decided, by someone else at the same moment, perhaps on another node) 404, whatever the engine tripped
 * over. Everything else goes to Camunda's own handler unchanged. On both channels of the engine's REST API
 * ({@link TasklistDecisionErrors}).
 */
@Priority(1)
public class EngineRestDecisionErrors extends TaskDecisionErrors implements ExceptionMapper<RestException> {

    private final RestExceptionHandler camunda = new RestExceptionHandler();

    @Override
    public Response toResponse(RestException exception) {
        for (Throwable t = exception; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DecisionRefusedException refused) {
                // already decided (its variables gone under the listener: the other decision came first): as any
                // decision on a task that is gone, 404 on this API; /api/approvals answers 409
                return refused.status() == 409 ? taskGone()
                        : answer(refused.status(), "DecisionRefused", refused.getMessage());
            }
        }
        return decidedMeanwhile(exception).orElseGet(() -> camunda.toResponse(exception));
    }
}
