package com.msgupgrade.approval;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.camunda.bpm.spring.boot.starter.property.CamundaBpmProperties;
import org.camunda.bpm.webapp.impl.engine.EngineRestApplication;
import org.glassfish.jersey.server.ServerProperties;
import org.glassfish.jersey.servlet.ServletContainer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.stereotype.Component;

/**
 * Tasklist completes a task through the webapps' own engine API ({@code /camunda/api/engine}), not through
 * {@code /engine-rest}: the same answers to refused decisions there ({@link EngineRestDecisionErrors}: 400/403 with
 * the reason instead of 500, 404 for a task decided meanwhile, also {@link EngineRestRuntimeErrors};
 * {@link AuthorizationErrors}: an attempt refused by the engine's authorizations recorded in the audit trail).
 * Camunda's webapp initializer registers that API as the servlet "Engine Api" unless one of that name exists;
 * whichever of the two initializers runs first, the servlet gets the exception mappers.
 */
@Component
@ConditionalOnProperty(prefix = "camunda.bpm.webapp", name = "enabled", matchIfMissing = true) // as the webapps
class TasklistDecisionErrors implements ServletContextInitializer {

    /** The servlet's name in {@code CamundaBpmWebappInitializer}. */
    static final String ENGINE_API = "Engine Api";

    private final CamundaBpmProperties camunda;

    TasklistDecisionErrors(CamundaBpmProperties camunda) {
        this.camunda = camunda;
    }

    @Override
    public void onStartup(ServletContext servletContext) {
        ServletRegistration api = servletContext.getServletRegistration(ENGINE_API);
        if (api == null) {
            // as Camunda's initializer would register it; it then leaves this one as it is
            api = servletContext.addServlet(ENGINE_API, ServletContainer.class);
            api.addMapping(camunda.getWebapp().getApplicationPath() + "/api/engine/*");
            api.setInitParameter("jakarta.ws.rs.Application", EngineRestApplication.class.getName());
        }
        String mappers = Stream.of(EngineRestDecisionErrors.class, EngineRestRuntimeErrors.class,
                AuthorizationErrors.class, TaskVariableGuard.class, EngineEventGuard.class).map(Class::getName).collect(Collectors.joining(","));
        if (!api.setInitParameter(ServerProperties.PROVIDER_CLASSNAMES, mappers)) {
            throw new IllegalStateException("the servlet \"" + ENGINE_API + "\" already names its providers ("
                    + api.getInitParameter(ServerProperties.PROVIDER_CLASSNAMES) + "): refused decisions in Tasklist"
                    + " would be answered 500 and not audited");
        }
    }
}
