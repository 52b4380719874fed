package com.msgupgrade.approval;

import org.camunda.bpm.spring.boot.starter.rest.CamundaJerseyResourceConfig;
import org.springframework.stereotype.Component;

/**
 * Camunda's engine REST resources, plus the answer to refused decisions, the guard of a task's variables and the
 * refusal of events sent to the processes.
 */
@Component
class EngineRestConfig extends CamundaJerseyResourceConfig {

    @Override
    protected void registerAdditionalResources() {
        register(EngineRestDecisionErrors.class);
        register(EngineRestRuntimeErrors.class);
        register(AuthorizationErrors.class);
        register(TaskVariableGuard.class);
        register(EngineEventGuard.class);
    }
}
