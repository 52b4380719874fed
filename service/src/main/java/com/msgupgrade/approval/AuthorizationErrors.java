package com.msgupgrade.approval;

import jakarta.annotation.Priority;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.regex.Matcher;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.rest.exception.ProcessEngineExceptionHandler;
import org.springframework.web.context.support.WebApplicationContextUtils;

/**
 * The engine refuses, by its authorizations, a task completion by someone who may not decide it (an
 * auditor, an operator on a change managers' gate): that attempt is recorded in the audit trail too,
 * then answered as Camunda answers it (403). A task that is gone by then was decided by someone else at the same
 * moment: 404, as for any decided task. On both channels of the engine's REST API: {@code /engine-rest} and the
 * webapps' own ({@code /camunda/api/engine}, Tasklist's), where Jersey makes it from its class name
 * ({@link TasklistDecisionErrors}), so it finds the service's beans through the servlet context.
 */
@Priority(1)
public class AuthorizationErrors implements ExceptionMapper<AuthorizationException> {

    private final ProcessEngineExceptionHandler camunda = new ProcessEngineExceptionHandler();

    @Context
    private UriInfo uri;

    @Context
    private ServletContext servletContext;

    @Override
    public Response toResponse(AuthorizationException exception) {
        Matcher m = EngineRestDecisionErrors.TASK_DECISION.matcher(uri == null ? "" : uri.getPath());
        if (m.find() && !WebApplicationContextUtils.getRequiredWebApplicationContext(servletContext)
                .getBean(Decisions.class).recordRefusedByEngine(m.group(1), exception.getMessage())) {
            // decided by someone else between reading the task and checking the caller's authorization on it
            return EngineRestDecisionErrors.taskGone();
        }
        return camunda.toResponse(exception);
    }
}
