package com.msgupgrade.approval;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.springframework.stereotype.Component;

/**
 * A refused decision is the caller's mistake, answered 400/403 with the reason and recorded in the audit trail;
 * the engine would also log it at ERROR (ENGINE-16004, "Exception while closing command context", with the
 * stack), which reads as a fault of the service to whoever watches its errors. Those lines are left out; every
 * other line of the engine is kept. {@link Decisions} logs each refusal at INFO instead.
 */
@Component
class RefusedDecisionLogs extends TurboFilter {

    /** The engine's logger of ENGINE-16004. */
    static final String COMMAND_CONTEXT = "org.camunda.bpm.engine.context";

    @PostConstruct
    void install() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (factory instanceof LoggerContext logback) {
            setName("refused-decisions");
            start();
            logback.addTurboFilter(this);
        }
    }

    @PreDestroy
    void uninstall() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
            logback.getTurboFilterList().remove(this);
        }
    }

    @Override
    public FilterReply decide(Marker marker, ch.qos.logback.classic.Logger logger, Level level, String format,
            Object[] params, Throwable t) {
        if (level != Level.ERROR || !COMMAND_CONTEXT.equals(logger.getName()) || format == null) {
            return FilterReply.NEUTRAL;
        }
        if (refused(t)) {
            return FilterReply.DENY;
        }
        if (params != null) {
            for (Object param : params) {
                if (param instanceof Throwable thrown && refused(thrown)) {
                    return FilterReply.DENY;
                }
            }
        }
        return FilterReply.NEUTRAL;
    }

    private static boolean refused(Throwable t) {
        for (Throwable cause = t; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof DecisionRefusedException) {
                return true;
            }
        }
        return false;
    }
}
