package com.msgupgrade.approval;

import org.camunda.bpm.engine.BadUserRequestException;

/**
 * A decision the rules refuse. Thrown from task listeners, so it holds whichever channel completes
 * the task; the engine wraps it, and {@link EngineRestDecisionErrors} answers it as {@link #status()}.
 */
public class DecisionRefusedException extends BadUserRequestException {

    /** 400: the decision itself is invalid; 403: this person may not decide; 409: already decided. */
    private final int status;

    public DecisionRefusedException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
