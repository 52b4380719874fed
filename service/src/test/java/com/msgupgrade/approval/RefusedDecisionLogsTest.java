package com.msgupgrade.approval;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.camunda.bpm.engine.ProcessEngineException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The engine's ERROR line about a refused decision is left out; every other line of the engine is kept. */
class RefusedDecisionLogsTest {

    private final LoggerContext logback = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final RefusedDecisionLogs filter = new RefusedDecisionLogs();
    private final ListAppender<ILoggingEvent> written = new ListAppender<>();
    private final ch.qos.logback.classic.Logger engine = logback.getLogger(RefusedDecisionLogs.COMMAND_CONTEXT);
    private final ch.qos.logback.classic.Logger other = logback.getLogger("org.camunda.bpm.engine.jobexecutor");

    @BeforeEach
    void install() {
        filter.install();
        written.start();
        engine.addAppender(written);
        other.addAppender(written);
    }

    @AfterEach
    void uninstall() {
        engine.detachAppender(written);
        other.detachAppender(written);
        filter.uninstall();
    }

    /** As Camunda's ContextLogger writes ENGINE-16004: the message, then the exception as the last argument. */
    private static void closingCommandContext(ch.qos.logback.classic.Logger logger, Throwable t) {
        logger.error("ENGINE-16004 Exception while closing command context: {}", t.getMessage(), t);
    }

    @Test
    void leavesOutTheEnginesErrorAboutARefusedDecisionOnly() {
        ProcessEngineException refused = new ProcessEngineException("ENGINE-03051 There was an exception while"
                + " invoking the TaskListener", new DecisionRefusedException(403, "one person counts once"));
        closingCommandContext(engine, refused);
        closingCommandContext(engine, new ProcessEngineException("Cannot find task with id 42: task is null"));
        closingCommandContext(other, refused);
        engine.warn("ENGINE-16004 {}", refused.getMessage(), refused);

        assertThat(written.list).extracting(ILoggingEvent::getLoggerName, ILoggingEvent::getLevel).containsExactly(
                org.assertj.core.groups.Tuple.tuple(RefusedDecisionLogs.COMMAND_CONTEXT, Level.ERROR),
                org.assertj.core.groups.Tuple.tuple("org.camunda.bpm.engine.jobexecutor", Level.ERROR),
                org.assertj.core.groups.Tuple.tuple(RefusedDecisionLogs.COMMAND_CONTEXT, Level.WARN));
        assertThat(written.list.get(0).getFormattedMessage()).contains("Cannot find task");
    }
}
