package com.msgupgrade;

import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.history.HistoryLevel;
import org.springframework.stereotype.Component;

/**
 * The service runs on the engine's full history only. Its audit trail reads the engine's history events: the
 * operations people start through the engine (the user operation log), an incident's resolution, and the start of a
 * process, which the service refuses when it did not start it itself. At a lower level the engine produces none or
 * some of them, and those parts of the trail, and the refusal, would be gone without a word: the engine refuses to
 * start instead, naming the setting.
 */
@Component
public class FullHistory extends AbstractProcessEnginePlugin {

    /**
     * Before the engine touches its database: a new one is not created at another level (it keeps its level), and
     * {@code auto}, which takes an existing database's, is refused too (the service does not guess it).
     */
    @Override
    public void postInit(ProcessEngineConfigurationImpl configuration) {
        refuseBelowFull(configuration.getHistoryLevel(), configuration.getHistory());
    }

    /** Once built: the level the engine runs at, whatever set it. */
    @Override
    public void postProcessEngineBuild(ProcessEngine engine) {
        ProcessEngineConfigurationImpl configuration = (ProcessEngineConfigurationImpl) engine
                .getProcessEngineConfiguration();
        refuseBelowFull(configuration.getHistoryLevel(), configuration.getHistory());
    }

    private static void refuseBelowFull(HistoryLevel level, String configured) {
        if (level == null || level.getId() != HistoryLevel.HISTORY_LEVEL_FULL.getId()) {
            throw new ProcessEngineException(refusal(level == null ? String.valueOf(configured) : level.getName()));
        }
    }

    static String refusal(String level) {
        return "the engine's history level is " + level + ", and the service needs full"
                + " (camunda.bpm.history-level: full): its audit trail reads the engine's history of operations,"
                + " incidents and process starts, and it refuses a process started outside its API on that history"
                + " (a database created at another level keeps its level: create it again at full)";
    }
}
