package com.msgupgrade.audit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.engine.history.UserOperationLogEntry;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.history.event.HistoryEvent;
import org.camunda.bpm.engine.impl.history.event.UserOperationLogEntryEventEntity;
import org.camunda.bpm.engine.impl.history.handler.HistoryEventHandler;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * What a person did to a rollout's processes through the engine itself (Cockpit, the engine's REST API: an
 * administrator's process-instance modification, a variable set, a job executed or its due date moved, an instance
 * cancelled…) goes into that rollout's audit trail, in the same transaction, under their name: such an act can move
 * a rollout past a gate without any decision, and the engine's own user operation log is not the hash-chained trail
 * auditors read. The engine writes an operation to that log only when a person is authenticated; the service's own
 * acts in a person's request run without it ({@link com.msgupgrade.security.AsTheService}). A task's own operations
 * (claim, complete…) are decisions, recorded as such ({@code DECISION}). The user operation log needs the history
 * level {@code full} (the service's default).
 */
@Component
class EngineOperationAudit extends AbstractProcessEnginePlugin {

    /** The operations on a rollout's processes, their jobs, variables and incidents that change its course. */
    static final Set<String> RECORDED = Set.of(
            UserOperationLogEntry.OPERATION_TYPE_MODIFY_PROCESS_INSTANCE,
            UserOperationLogEntry.OPERATION_TYPE_RESTART_PROCESS_INSTANCE,
            UserOperationLogEntry.OPERATION_TYPE_MIGRATE,
            UserOperationLogEntry.OPERATION_TYPE_DELETE,
            UserOperationLogEntry.OPERATION_TYPE_SUSPEND,
            UserOperationLogEntry.OPERATION_TYPE_ACTIVATE,
            UserOperationLogEntry.OPERATION_TYPE_SUSPEND_JOB,
            UserOperationLogEntry.OPERATION_TYPE_ACTIVATE_JOB,
            UserOperationLogEntry.OPERATION_TYPE_SET_JOB_RETRIES,
            UserOperationLogEntry.OPERATION_TYPE_EXECUTE,
            UserOperationLogEntry.OPERATION_TYPE_SET_DUEDATE,
            UserOperationLogEntry.OPERATION_TYPE_RECALC_DUEDATE,
            UserOperationLogEntry.OPERATION_TYPE_SET_PRIORITY,
            UserOperationLogEntry.OPERATION_TYPE_SET_VARIABLE,
            UserOperationLogEntry.OPERATION_TYPE_SET_VARIABLES,
            UserOperationLogEntry.OPERATION_TYPE_MODIFY_VARIABLE,
            UserOperationLogEntry.OPERATION_TYPE_REMOVE_VARIABLE,
            UserOperationLogEntry.OPERATION_TYPE_CREATE_INCIDENT,
            UserOperationLogEntry.OPERATION_TYPE_RESOLVE,
            UserOperationLogEntry.OPERATION_TYPE_CORRELATE_MESSAGE,
            UserOperationLogEntry.OPERATION_TYPE_DELETE_HISTORY,
            UserOperationLogEntry.OPERATION_TYPE_SET_REMOVAL_TIME);

    /** A task's own operations: decisions, recorded by the rules of decisions. */
    static final Set<String> TASK_ENTITIES = Set.of(UserOperationLogEntry.ENTITY_TYPE_TASK,
            UserOperationLogEntry.ENTITY_TYPE_IDENTITY_LINK, UserOperationLogEntry.ENTITY_TYPE_ATTACHMENT);

    private final ObjectProvider<AuditTrail> audit;
    private final ObjectProvider<org.camunda.bpm.engine.IdentityService> identities;

    EngineOperationAudit(ObjectProvider<AuditTrail> audit,
            ObjectProvider<org.camunda.bpm.engine.IdentityService> identities) {
        this.audit = audit;
        this.identities = identities;
    }

    @Override
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        com.msgupgrade.EngineHistory.addHandler(configuration, new Recording());
    }

    private final class Recording implements HistoryEventHandler {

        @Override
        public void handleEvent(HistoryEvent event) {
            if (!(event instanceof UserOperationLogEntryEventEntity op) || op.getUserId() == null
                    || !RECORDED.contains(op.getOperationType()) || TASK_ENTITIES.contains(op.getEntityType())) {
                return;
            }
            String instance = op.getRootProcessInstanceId() != null ? op.getRootProcessInstanceId()
                    : op.getProcessInstanceId();
            String rolloutId = instance == null ? null : rolloutOf(instance);
            if (rolloutId == null) {
                return;
            }
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("operation", op.getOperationType());
            detail.put("entity", String.valueOf(op.getEntityType()));
            detail.put("operationId", String.valueOf(op.getOperationId()));
            detail.put("processInstanceId", String.valueOf(op.getProcessInstanceId()));
            if (op.getJobId() != null) {
                detail.put("jobId", op.getJobId());
            }
            if (op.getProperty() != null) {
                // the names and values the engine logs: a variable's name, never its value; ids, dates, counts
                detail.put("property", op.getProperty());
                detail.put("from", String.valueOf(op.getOrgValue()));
                detail.put("to", String.valueOf(op.getNewValue()));
            }
            if (op.getAnnotation() != null && !op.getAnnotation().isBlank()) {
                detail.put("annotation", op.getAnnotation()); // why, as the operator wrote it (Cockpit, the REST API)
            }
            audit.getObject().record(rolloutId, com.msgupgrade.security.Groups.asKept(identities.getObject(),
                    op.getUserId()), "ENGINE_OPERATION",
                    op.getProcessInstanceId() == null ? null : hostOf(op.getProcessInstanceId()), null, detail);
        }

        @Override
        public void handleEvents(List<HistoryEvent> events) {
            events.forEach(this::handleEvent);
        }

        /** The host a process instance works on (a host's process, a step's), if it works on one. */
        private String hostOf(String processInstanceId) {
            ExecutionEntity execution = Context.getCommandContext().getExecutionManager()
                    .findExecutionById(processInstanceId);
            return execution != null && execution.getVariable("hostName") instanceof String host ? host : null;
        }

        /** The rollout a process instance works for: its business key (every process of a rollout carries it). */
        private String rolloutOf(String processInstanceId) {
            ExecutionEntity execution = Context.getCommandContext().getExecutionManager()
                    .findExecutionById(processInstanceId);
            if (execution != null) {
                return execution.getBusinessKey();
            }
            var historic = Context.getCommandContext().getHistoricProcessInstanceManager()
                    .findHistoricProcessInstance(processInstanceId);
            return historic == null ? null : historic.getBusinessKey();
        }
    }
}
