package com.msgupgrade.approval;

import jakarta.annotation.Priority;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.camunda.bpm.engine.rest.exception.ExceptionHandler;

/**
 * A decision that failed with an exception that is neither the engine's nor the REST layer's (a
 * NullPointerException in the engine, tripping over an execution that another node's completion of the same task
 * just changed): 404 if the task is gone, as for any decided task, instead of 500. Anything else goes to Camunda's
 * handler of every other exception, which answered it before.
 */
@Priority(1)
public class EngineRestRuntimeErrors extends TaskDecisionErrors implements ExceptionMapper<RuntimeException> {

    private final ExceptionHandler camunda = new ExceptionHandler();

    @Override
    public Response toResponse(RuntimeException exception) {
        return decidedMeanwhile(exception).orElseGet(() -> camunda.toResponse(exception));
    }
}
