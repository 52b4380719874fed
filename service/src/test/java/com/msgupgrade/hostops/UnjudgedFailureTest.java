package com.msgupgrade.hostops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.contains;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.msgupgrade.catalog.StepId;
import com.msgupgrade.observability.UpgradeMetrics;
import com.msgupgrade.secrets.SecretResolver;
import org.junit.jupiter.api.Test;

/**
 * A step that fails without its run being judged goes to the operator's decision, not to an incident: a host that
 * answers the handling of the run with an error (after the engine's retries), a secret gone when a run an earlier try
 * prepared is launched again (at once: retrying would not bring it). Either way the run stays as the ledger has it.
 */
class UnjudgedFailureTest {

    private final HostStepService steps = mock(HostStepService.class);
    private final UpgradeMetrics metrics = mock(UpgradeMetrics.class);
    private final HostStepSettings settings = mock(HostStepSettings.class);
    private final HostStepService.StepRequest request = new HostStepService.StepRequest("r-1", "ms1",
            StepId.IMPORT_LDIF, 2, "run-x-1", null, "x");

    @Test
    void aSecretGoneWhenAPreparedRunIsLaunchedAgainFailsIntoTheOperatorsDecisionAtOnce() {
        when(settings.tries()).thenReturn(3);
        StepOutcome outcome = HostStepDelegates.reachable(steps, metrics, settings, request, () -> {
            throw new SecretResolver.SecretUnavailableException("secret 'ds-manager' is not configured", null);
        });
        assertThat(outcome.state()).isEqualTo(StepOutcome.State.FAILED);
        assertThat(outcome.failure()).contains("failed on host ms1").contains("secret 'ds-manager' is not configured")
                .contains("configure the secret, then retry");
        verify(steps).recordNotJudged(eq(request), eq("SECRET_UNAVAILABLE"), eq("FAILED"), contains("ds-manager"));
    }

    @Test
    void aHostAnsweringWithAnErrorIsRetriedByTheEngineBeforeTheOperatorDecides() {
        when(settings.tries()).thenReturn(1); // outside the job executor every try is the last; R1 says so too
        StepOutcome outcome = HostStepDelegates.reachable(steps, metrics, settings, request, () -> {
            throw new DetachedRunner.HostAnswerException("could not prepare and launch the run (exit 1): disk full");
        });
        assertThat(outcome.state()).isEqualTo(StepOutcome.State.FAILED);
        assertThat(outcome.failure()).contains("disk full").contains("after the engine's retries");
        verify(steps).recordNotJudged(eq(request), eq("HOST_ERROR"), eq("HOST_ERROR"), contains("disk full"));

        // a bug of the service's own is no host's answer: it stays the engine's (retried, then an incident)
        assertThatThrownBy(() -> HostStepDelegates.reachable(steps, metrics, settings, request, () -> {
            throw new NullPointerException("a bug");
        })).isInstanceOf(NullPointerException.class);
        verify(steps, never()).recordNotJudged(eq(request), eq("HOST_ERROR"), eq("HOST_ERROR"), contains("a bug"));
    }
}
