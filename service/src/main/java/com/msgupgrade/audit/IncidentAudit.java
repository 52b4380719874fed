package com.msgupgrade.audit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.incident.DefaultIncidentHandler;
import org.camunda.bpm.engine.impl.incident.IncidentContext;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.runtime.Incident;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/** Every incident (a job that failed all its retries) goes into the audit trail of its rollout. */
@Component
class IncidentAudit extends AbstractProcessEnginePlugin {

    private final ObjectProvider<AuditTrail> audit;

    IncidentAudit(ObjectProvider<AuditTrail> audit) {
        this.audit = audit;
    }

    @Override
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        configuration.setCustomIncidentHandlers(List.of(
                new Recording(Incident.FAILED_JOB_HANDLER_TYPE),
                new Recording(Incident.EXTERNAL_TASK_HANDLER_TYPE)));
    }

    private final class Recording extends DefaultIncidentHandler {

        Recording(String type) {
            super(type);
        }

        @Override
        public Incident handleIncident(IncidentContext context, String message) {
            Incident incident = super.handleIncident(context, message);
            ExecutionEntity execution = context.getExecutionId() == null ? null
                    : Context.getCommandContext().getExecutionManager().findExecutionById(context.getExecutionId());
            if (execution != null && execution.getVariable("rolloutId") instanceof String rolloutId) {
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("incidentId", incident.getId());
                detail.put("type", incident.getIncidentType());
                detail.put("activity", String.valueOf(context.getActivityId()));
                detail.put("message", String.valueOf(message));
                audit.getObject().record(rolloutId, "system", "INCIDENT", (String) execution.getVariable("hostName"),
                        (String) execution.getVariable("stepId"), detail);
            }
            return incident;
        }
    }
}
