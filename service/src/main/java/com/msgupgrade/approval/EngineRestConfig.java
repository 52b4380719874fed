package com.msgupgrade.approval;

import org.camunda.bpm.spring.boot.starter.rest.CamundaJerseyResourceConfig;
import org.springframework.stereotype.Component;

/** Camunda's engine REST resources, plus the answer to refused decisions. */
@Component
class EngineRestConfig extends CamundaJerseyResourceConfig {

    private final Decisions decisions;

    EngineRestConfig(Decisions decisions) {
        this.decisions = decisions;
    }

    @Override
    protected void registerAdditionalResources() {
        register(EngineRestDecisionErrors.class);
        register(new AuthorizationErrors(decisions));
    }
}
