package com.msgupgrade.approval;

import jakarta.annotation.Priority;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.Optional;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.rest.exception.ProcessEngineExceptionHandler;

/**
 * The engine refuses, by its authorizations, a task completion by someone who may not decide it (an
 * auditor, an operator on a change managers' gate): that attempt is recorded in the audit trail too,
 * then answered as Camunda answers it (403). A task that is gone by then was decided by someone else at the same
 * moment: 404, as for any decided task. On both channels of the engine's REST API: {@code /engine-rest} and the
 * webapps' own ({@code /camunda/api/engine}, Tasklist's, {@link TasklistDecisionErrors}).
 */
@Priority(1)
public class AuthorizationErrors extends TaskDecisionErrors implements ExceptionMapper<AuthorizationException> {

    private final ProcessEngineExceptionHandler camunda = new ProcessEngineExceptionHandler();

    @Override
    public Response toResponse(AuthorizationException exception) {
        Optional<String> task = decidedTask();
        if (task.isPresent() && !bean(Decisions.class).recordRefusedByEngine(task.get(), exception.getMessage())) {
            // decided by someone else between reading the task and checking the caller's authorization on it
            return taskGone();
        }
        return camunda.toResponse(exception);
    }
}
