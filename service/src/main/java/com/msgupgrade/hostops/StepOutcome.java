package com.msgupgrade.hostops;

import java.util.List;

/**
 * Where a step stands after an attempt to run or check it.
 *
 * @param failure what an operator needs to decide: host, step, exit code, output excerpt (no secret)
 * @param watched the command's launch is watched: the step's timer may wait the whole quick wait
 */
public record StepOutcome(State state, String runId, Integer exitCode, String failure, List<String> findings,
        boolean watched) {

    public enum State { RUNNING, DONE, SKIPPED, FAILED }

    StepOutcome(State state, String runId, Integer exitCode, String failure, List<String> findings) {
        this(state, runId, exitCode, failure, findings, false);
    }

    /** Still running; HostStep's timer waits the poll interval. */
    static StepOutcome running(String runId) {
        return new StepOutcome(State.RUNNING, runId, null, null, List.of());
    }

    /** Just launched and watched by {@link CommandWatcher}, which has the step checked as soon as it ended. */
    static StepOutcome watched(String runId) {
        return new StepOutcome(State.RUNNING, runId, null, null, List.of(), true);
    }

    public boolean finished() {
        return state != State.RUNNING;
    }
}
