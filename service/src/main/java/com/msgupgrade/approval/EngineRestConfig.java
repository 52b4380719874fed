package com.msgupgrade.approval;

import org.camunda.bpm.spring.boot.starter.rest.CamundaJerseyResourceConfig;
import org.springframework.stereotype.Component;

/** Camunda's engine REST resources, plus the answer to refused decisions. */
@Component
class EngineRestConfig extends CamundaJerseyResourceConfig {

    @Override
    protected void registerAdditionalResources() {
        register(EngineRestDecisionErrors.class);
        register(EngineRestRuntimeErrors.class);
        register(AuthorizationErrors.class);
    }
}
