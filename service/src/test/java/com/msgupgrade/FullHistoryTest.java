package com.msgupgrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngineConfiguration;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.impl.cfg.StandaloneInMemProcessEngineConfiguration;
import org.junit.jupiter.api.Test;

/** The engine starts at the full history level only: the service's audit and its start guard read that history. */
class FullHistoryTest {

    @Test
    void anEngineBelowFullHistoryIsRefusedNamingTheSetting() {
        for (String level : List.of(ProcessEngineConfiguration.HISTORY_AUDIT, ProcessEngineConfiguration.HISTORY_NONE,
                ProcessEngineConfiguration.HISTORY_ACTIVITY)) {
            assertThatThrownBy(() -> engine(level).close()).as(level).isInstanceOf(ProcessEngineException.class)
                    .hasMessageContaining("history level is " + level)
                    .hasMessageContaining("camunda.bpm.history-level: full");
        }
    }

    @Test
    void anEngineAtFullHistoryStarts() {
        ProcessEngine engine = engine(ProcessEngineConfiguration.HISTORY_FULL);
        try {
            assertThat(engine.getHistoryService().createHistoricProcessInstanceQuery().count()).isZero();
        } finally {
            engine.close();
        }
    }

    private static ProcessEngine engine(String level) {
        var configuration = new StandaloneInMemProcessEngineConfiguration();
        configuration.setJdbcUrl("jdbc:h2:mem:full-history-" + level + ";DB_CLOSE_DELAY=-1");
        configuration.setProcessEngineName("full-history-" + level);
        configuration.setHistory(level);
        configuration.setJobExecutorActivate(false);
        configuration.setProcessEnginePlugins(List.of(new FullHistory()));
        return configuration.buildProcessEngine();
    }
}
