package com.msgupgrade.hostops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.camunda.bpm.engine.impl.persistence.entity.MessageEntity;
import org.junit.jupiter.api.Test;

/**
 * When a step that cannot reach its host fails into the operator's decision instead of being retried by the engine:
 * on the last try of {@code msgsrv.runs.retry-cycle}, counted as Camunda counts it.
 */
class RetryCycleTest {

    @Test
    void countsTheTriesOfARetryCycleAsCamundaDoes() {
        assertThat(HostStepSettings.tries("R3/PT10S")).isEqualTo(3);
        assertThat(HostStepSettings.tries("R1/PT1S")).isEqualTo(1);
        assertThat(HostStepSettings.tries("PT1M,PT5M,PT10M")).isEqualTo(3);
        assertThatThrownBy(() -> HostStepSettings.tries("R0/PT1S")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("msgsrv.runs.retry-cycle");
    }

    /** A cycle the engine could not read is refused as the service starts, not when a host is first unreachable. */
    @Test
    void refusesACycleWithAnIntervalThatIsNoDuration() {
        for (String cycle : java.util.List.of("R3/10S", "foo", "PT1M,5M", "R2/-PT1S")) {
            assertThatThrownBy(() -> HostStepSettings.tries(cycle)).as(cycle)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("msgsrv.runs.retry-cycle")
                    .hasMessageContaining("'" + cycle + "'");
        }
    }

    @Test
    void aJobsFirstTryIsItsLastOnlyWhenTheCycleHasOneTry() {
        MessageEntity first = new MessageEntity();
        first.setRetries(3); // the engine's default, before the cycle applies at the first failure
        assertThat(HostStepDelegates.lastTry(first, 3)).isFalse();
        assertThat(HostStepDelegates.lastTry(first, 1)).as("R1: no retry will come").isTrue();

        MessageEntity retried = new MessageEntity();
        retried.setExceptionMessage("connection refused");
        retried.setRetries(2);
        assertThat(HostStepDelegates.lastTry(retried, 3)).isFalse();
        retried.setRetries(1);
        assertThat(HostStepDelegates.lastTry(retried, 3)).isTrue();
        assertThat(HostStepDelegates.lastTry(null, 3)).as("outside the job executor").isTrue();
    }
}
