package com.msgupgrade.approval;

import jakarta.annotation.Priority;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.Map;
import org.camunda.bpm.engine.rest.exception.RestException;
import org.camunda.bpm.engine.rest.exception.RestExceptionHandler;

/**
 * The engine REST API answers an exception from a task listener with 500; a refused decision is the
 * caller's mistake, so it is answered 400/403/409 with the reason. Everything else goes to Camunda's own
 * handler unchanged.
 */
@Priority(1)
public class EngineRestDecisionErrors implements ExceptionMapper<RestException> {

    private final RestExceptionHandler camunda = new RestExceptionHandler();

    @Override
    public Response toResponse(RestException exception) {
        for (Throwable t = exception; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DecisionRefusedException refused) {
                return Response.status(refused.status()).type(MediaType.APPLICATION_JSON_TYPE)
                        .entity(Map.of("type", "DecisionRefused", "message", refused.getMessage())).build();
            }
        }
        return camunda.toResponse(exception);
    }
}
