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
                ProcessEngineConfiguration.HISTORY_ACTIVITY, ProcessEngineConfiguration.HISTORY_AUTO)) {
            assertThatThrownBy(() -> engine(level).close()).as(level).isInstanceOf(ProcessEngineException.class)
                    .hasMessageContaining("history level is " + level)
                    .hasMessageContaining("camunda.bpm.history-level: full");
            // refused before its database was touched: a new one is not created at the wrong level
            try (var connection = java.sql.DriverManager.getConnection(url(level), "sa", "")) {
                assertThat(connection.getMetaData().getTables(null, null, "ACT_GE_PROPERTY", null).next()).as(level)
                        .isFalse();
            } catch (java.sql.SQLException e) {
                throw new AssertionError(e);
            }
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

    private static String url(String level) {
        return "jdbc:h2:mem:full-history-" + level + ";DB_CLOSE_DELAY=-1";
    }

    private static ProcessEngine engine(String level) {
        var configuration = new StandaloneInMemProcessEngineConfiguration();
        configuration.setJdbcUrl(url(level));
        configuration.setProcessEngineName("full-history-" + level);
        configuration.setHistory(level);
        configuration.setJobExecutorActivate(false);
        configuration.setProcessEnginePlugins(List.of(new FullHistory()));
        return configuration.buildProcessEngine();
    }
}
