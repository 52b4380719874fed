package com.msgupgrade.rollout;

import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.history.event.HistoricProcessInstanceEventEntity;
import org.camunda.bpm.engine.impl.history.event.HistoryEvent;
import org.camunda.bpm.engine.impl.history.event.HistoryEventTypes;
import org.camunda.bpm.engine.impl.history.handler.HistoryEventHandler;
import org.springframework.stereotype.Component;

/**
 * A rollout, or a host's rollback, starts through the service's API only ({@code POST /api/rollouts},
 * {@code POST /api/rollouts/{id}/rollback}), which checks it, records who asked (ROLLOUT_REQUESTED,
 * ROLLBACK_REQUESTED: the requester may not approve it) and what it is about. A process of the service started any
 * other way, by anyone (Tasklist's "Start process", {@code /engine-rest/process-definition/.../start}, with or
 * without its listeners, Cockpit's restart of an ended instance), is refused: it would run the guide's commands past
 * those checks and its gates. The processes they call (a unit, a host's upgrade, a step) start within them.
 *
 * <p>The check is on the engine's own record of a process instance's start (a history event, produced however the
 * instance starts), before anything of it is stored: the command that started it fails whole.
 */
@Component
public class ProcessStarts extends AbstractProcessEnginePlugin {

    /** The service's processes ({@code processes/*.bpmn}). */
    public static final Set<String> SERVICE_PROCESSES = Set.of("Rollout", "UpgradeUnit", "UpgradeCluster",
            "HostUpgradeSolaris", "HostUpgradeLinux", "HostUpgradeLinux61", "HostRollbackSolaris", "HostStep");

    private static final ThreadLocal<Boolean> BY_THE_SERVICE = ThreadLocal.withInitial(() -> false);

    /** Starts a process of the service, as the service's API does once it checked and recorded the request. */
    static <T> T byTheService(Supplier<T> start) {
        boolean outer = BY_THE_SERVICE.get();
        BY_THE_SERVICE.set(true);
        try {
            return start.get();
        } finally {
            BY_THE_SERVICE.set(outer);
        }
    }

    @Override
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        com.msgupgrade.EngineHistory.addHandler(configuration, new Guard());
    }

    private static final class Guard implements HistoryEventHandler {

        @Override
        public void handleEvent(HistoryEvent event) {
            if (event instanceof HistoricProcessInstanceEventEntity start
                    && HistoryEventTypes.PROCESS_INSTANCE_START.getEventName().equals(start.getEventType())
                    && start.getSuperProcessInstanceId() == null && start.getSuperCaseInstanceId() == null
                    && SERVICE_PROCESSES.contains(start.getProcessDefinitionKey()) && !BY_THE_SERVICE.get()) {
                throw new AuthorizationException("a " + start.getProcessDefinitionKey() + " process is started"
                        + " through the service's API only (POST /api/rollouts, POST /api/rollouts/{id}/rollback),"
                        + " which checks the request and records who made it; nothing was started");
            }
        }

        @Override
        public void handleEvents(List<HistoryEvent> events) {
            events.forEach(this::handleEvent);
        }
    }
}
