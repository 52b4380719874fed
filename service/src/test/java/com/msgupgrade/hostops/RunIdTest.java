package com.msgupgrade.hostops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A run's id names its HostStep instance and attempt; the secret sweep reads the instance back from it. */
class RunIdTest {

    @Test
    void theInstanceIsReadBackFromTheRunIdWhateverHyphensItHas() {
        String instance = "0f65aadc-ec3c-11f1-b077-02fc00000001";
        assertThat(HostStepProcess.runId(instance, 3)).isEqualTo("run-" + instance + "-3");
        assertThat(HostStepProcess.instanceOfRun(HostStepProcess.runId(instance, 12))).isEqualTo(instance);
        assertThat(HostStepProcess.instanceOfRun(HostStepProcess.runId("4711", 1))).isEqualTo("4711");
        assertThat(HostStepProcess.attemptOfRun(HostStepProcess.runId(instance, 12))).isEqualTo(12);
    }

    @Test
    void somethingElseIsRefusedByName() {
        assertThatThrownBy(() -> HostStepProcess.instanceOfRun("job-4711-1")).hasMessageContaining("not a run id")
                .hasMessageContaining("job-4711-1");
        assertThatThrownBy(() -> HostStepProcess.instanceOfRun("run-4711")).hasMessageContaining("not a run id");
    }
}
