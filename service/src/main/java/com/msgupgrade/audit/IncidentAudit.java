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
        com.msgupgrade.EngineHistory.addHandler(configuration, new Resolutions());
    }

    private final class Recording extends DefaultIncidentHandler {

        Recording(String type) {
            super(type);
        }

        @Override
        public Incident handleIncident(IncidentContext context, String message) {
            Incident incident = super.handleIncident(context, message);
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("incidentId", incident.getId());
            detail.put("type", incident.getIncidentType());
            detail.put("activity", String.valueOf(context.getActivityId()));
            if (context.getConfiguration() != null) {
                detail.put("jobId", context.getConfiguration()); // what a SET_JOB_RETRIES entry names
            }
            detail.put("message", String.valueOf(message));
            record(context, "system", "INCIDENT", detail);
            return incident;
        }

        private void record(IncidentContext context, String actor, String kind, Map<String, Object> detail) {
            IncidentAudit.this.record(context.getExecutionId(), actor, kind, detail);
        }
    }

    private void record(String executionId, String actor, String kind, Map<String, Object> detail) {
        ExecutionEntity execution = executionId == null ? null
                : Context.getCommandContext().getExecutionManager().findExecutionById(executionId);
        if (execution != null && execution.getVariable("rolloutId") instanceof String rolloutId) {
            audit.getObject().record(rolloutId, actor, kind, (String) execution.getVariable("hostName"),
                    (String) execution.getVariable("stepId"), detail);
        }
    }

    /**
     * An incident resolved: its job given retries again (an operator's retry, recorded under their name, with the
     * reason they gave) or its cause gone. Read from the engine's history event of it, which costs no query (the
     * engine asks an incident handler to resolve incidents as every job ends). An incident deleted with its process
     * (the process cancelled) is in the trail as that operation.
     */
    private final class Resolutions implements org.camunda.bpm.engine.impl.history.handler.HistoryEventHandler {

        @Override
        public void handleEvent(org.camunda.bpm.engine.impl.history.event.HistoryEvent event) {
            if (event instanceof org.camunda.bpm.engine.impl.history.event.HistoricIncidentEventEntity incident
                    && org.camunda.bpm.engine.impl.history.event.HistoryEventTypes.INCIDENT_RESOLVE.getEventName()
                            .equals(incident.getEventType())) {
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("incidentId", incident.getId());
                detail.put("type", incident.getIncidentType());
                detail.put("activity", String.valueOf(incident.getActivityId()));
                if (incident.getConfiguration() != null) {
                    detail.put("jobId", incident.getConfiguration());
                }
                if (incident.getAnnotation() != null && !incident.getAnnotation().isBlank()) {
                    detail.put("annotation", incident.getAnnotation());
                }
                String user = Context.getCommandContext().getAuthenticatedUserId();
                record(incident.getExecutionId(), user == null ? "system" : user, "INCIDENT_RESOLVED", detail);
            }
        }

        @Override
        public void handleEvents(List<org.camunda.bpm.engine.impl.history.event.HistoryEvent> events) {
            events.forEach(this::handleEvent);
        }
    }
}
