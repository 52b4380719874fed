package com.msgupgrade;

import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.history.handler.HistoryEventHandler;

/** The service's readers of the engine's history events, each added beside the others' (and the engine's own). */
public final class EngineHistory {

    private EngineHistory() {}

    /** Adds {@code handler} to the engine's custom history event handlers, before the engine is built. */
    public static void addHandler(ProcessEngineConfigurationImpl configuration, HistoryEventHandler handler) {
        List<HistoryEventHandler> handlers = new ArrayList<>();
        if (configuration.getCustomHistoryEventHandlers() != null) {
            handlers.addAll(configuration.getCustomHistoryEventHandlers());
        }
        handlers.add(handler);
        configuration.setCustomHistoryEventHandlers(handlers);
    }
}
