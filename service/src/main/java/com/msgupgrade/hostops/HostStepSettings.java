package com.msgupgrade.hostops;

import static com.msgupgrade.Settings.notNegative;
import static com.msgupgrade.Settings.positive;

import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** Timing of the durable wait in HostStep.bpmn ({@code ${hostStepSettings.pollInterval}}). */
@Component("hostStepSettings")
public class HostStepSettings {

    private final Duration pollInterval;
    private final Duration quickWait;
    private final Duration slotPollInterval;
    private final String retryCycle;
    private final int tries;
    private final Duration shortCommandTimeout;
    private final Duration longCommandTimeout;

    HostStepSettings(@Value("${msgsrv.runs.poll-interval}") Duration pollInterval,
            @Value("${msgsrv.runs.quick-wait}") Duration quickWait,
            @Value("${msgsrv.rollout.slot-poll-interval:PT30S}") Duration slotPollInterval,
            @Value("${msgsrv.runs.retry-cycle:R3/PT10S}") String retryCycle,
            @Value("${msgsrv.runs.short-command-timeout:PT5M}") Duration shortCommandTimeout,
            @Value("${msgsrv.runs.long-command-timeout:PT2H}") Duration longCommandTimeout) {
        this.pollInterval = positive(pollInterval, "msgsrv.runs.poll-interval");
        this.quickWait = notNegative(quickWait, "msgsrv.runs.quick-wait");
        this.slotPollInterval = positive(slotPollInterval, "msgsrv.rollout.slot-poll-interval");
        this.retryCycle = retryCycle;
        this.tries = tries(retryCycle);
        this.shortCommandTimeout = positive(shortCommandTimeout, "msgsrv.runs.short-command-timeout");
        this.longCommandTimeout = positive(longCommandTimeout, "msgsrv.runs.long-command-timeout");
    }

    /** How long a detached command may run before it is killed and the step fails into an operator's decision. */
    public Duration timeoutOf(com.msgupgrade.catalog.HostCommand command) {
        return command.longRunning() ? longCommandTimeout : shortCommandTimeout;
    }

    /**
     * How many times the engine runs a job with this retry cycle in all: its repetitions ({@code R3/PT10S}: 3), or its
     * intervals ({@code PT1M,PT5M}: 2), as Camunda's retry strategy counts them.
     */
    static int tries(String cycle) {
        java.util.regex.Matcher repeat = java.util.regex.Pattern.compile("R(\\d+)/(.+)").matcher(cycle.trim());
        if (repeat.matches()) {
            int n = Integer.parseInt(repeat.group(1));
            if (n < 1) {
                throw new IllegalArgumentException("msgsrv.runs.retry-cycle must run a job at least once: " + cycle);
            }
            interval(repeat.group(2), cycle);
            return n;
        }
        String[] intervals = cycle.split(",");
        for (String interval : intervals) {
            interval(interval, cycle);
        }
        return intervals.length;
    }

    /** One interval of the retry cycle, an ISO-8601 duration not negative, or a failure naming the setting. */
    private static void interval(String interval, String cycle) {
        try {
            if (!Duration.parse(interval.trim()).isNegative()) {
                return;
            }
        } catch (java.time.format.DateTimeParseException e) {
            // named below
        }
        throw new IllegalArgumentException("msgsrv.runs.retry-cycle must be R<tries>/<interval> (as R3/PT10S) or"
                + " intervals separated by commas (as PT1M,PT5M), each an ISO-8601 duration; '" + interval.trim()
                + "' in '" + cycle + "' is not one");
    }

    /** {@link #tries} of {@code msgsrv.runs.retry-cycle}. */
    int tries() {
        return tries;
    }

    /** How the engine retries a host action that could not reach its host, before an operator decides. */
    public String getRetryCycle() {
        return retryCycle;
    }

    /** How often a unit waiting for a slot (paused rollout, all slots busy) asks again. */
    public String getSlotPollInterval() {
        return slotPollInterval.toString();
    }

    /** ISO-8601, as a BPMN timer duration wants it. */
    public String getPollInterval() {
        return pollInterval.toString();
    }

    /**
     * HostStep's wait for its command (ISO-8601): after a launch that {@link CommandWatcher} watches, the quick
     * wait (the watcher makes the timer due as soon as the command ended); otherwise the poll interval.
     */
    public String waitFor(org.camunda.bpm.engine.delegate.DelegateExecution execution) {
        boolean watched = Boolean.TRUE.equals(execution.getVariable(HostStepProcess.COMMAND_WATCHED));
        return (watched && quickWait.compareTo(pollInterval) > 0 ? quickWait : pollInterval).toString();
    }
}
