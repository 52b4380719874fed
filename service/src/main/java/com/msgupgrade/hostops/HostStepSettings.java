package com.msgupgrade.hostops;

import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** Timing of the durable wait in HostStep.bpmn ({@code ${hostStepSettings.pollInterval}}). */
@Component("hostStepSettings")
public class HostStepSettings {

    private final Duration pollInterval;

    HostStepSettings(@Value("${msgsrv.runs.poll-interval}") Duration pollInterval) {
        this.pollInterval = pollInterval;
    }

    /** ISO-8601, as a BPMN timer duration wants it. */
    public String getPollInterval() {
        return pollInterval.toString();
    }
}
