package com.msgupgrade.hostops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The failure an operator's task shows fits the engine's text variable (4,000 characters, past which the job's flush
 * fails and the step would become an incident): a long one keeps its head (why, the command) and its end (what the
 * command answered last).
 */
class FailureShownTest {

    @Test
    void aLongFailureIsCutInTheMiddleToFitTheEnginesTextVariable() {
        String failure = "Step 'Set the webmail proxy' failed on host web1: exit code 1\nCommand: " + "c".repeat(3000)
                + "\n" + "o".repeat(3000) + "\nlast line of the output";
        String shown = HostStepDelegates.shown(failure);
        assertThat(shown.length()).isLessThanOrEqualTo(HostStepDelegates.FAILURE_CHARS);
        assertThat(shown).startsWith("Step 'Set the webmail proxy' failed on host web1: exit code 1\nCommand: ccc")
                .endsWith("\nlast line of the output").contains("characters left out (the audit trail has the command's"
                        + " output)");
        assertThat(HostStepDelegates.shown("short")).isEqualTo("short");
        assertThat(HostStepDelegates.shown(null)).isNull();
    }
}
