package com.msgupgrade.hostops;

import java.util.List;

/**
 * Where a step stands after an attempt to run or check it.
 *
 * @param failure what an operator needs to decide: host, step, exit code, output excerpt (no secret)
 */
public record StepOutcome(State state, String runId, Integer exitCode, String failure, List<String> findings) {

    public enum State { RUNNING, DONE, SKIPPED, FAILED }

    static StepOutcome running(String runId) {
        return new StepOutcome(State.RUNNING, runId, null, null, List.of());
    }

    public boolean finished() {
        return state != State.RUNNING;
    }
}
