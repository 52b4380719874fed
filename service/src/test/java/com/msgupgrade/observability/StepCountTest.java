package com.msgupgrade.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A step is counted once: when the transaction that judged it commits. A job whose transaction fails after a read
 * or a check was judged is run again, and counts its step then.
 */
class StepCountTest {

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final UpgradeMetrics metrics = new UpgradeMetrics(registry, null, null, null);
    final TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(
            new DriverManagerDataSource("jdbc:h2:mem:steps-" + java.util.UUID.randomUUID(), "sa", "")));

    @Test
    void aStepJudgedInATransactionThatFailsIsNotCountedAndItsNextTryIs() {
        transaction.executeWithoutResult(status -> {
            metrics.stepEnded("verify-current-version", "SUCCEEDED", Duration.ofMillis(40));
            assertThat(count("SUCCEEDED")).as("not before the commit").isZero();
            status.setRollbackOnly();
        });
        assertThat(count("SUCCEEDED")).isZero();

        transaction.executeWithoutResult(status -> metrics.stepEnded("verify-current-version", "SUCCEEDED",
                Duration.ofMillis(40)));
        assertThat(count("SUCCEEDED")).isEqualTo(1);
        assertThat(registry.get("msgsrv.host.step.duration").tag("step", "verify-current-version").timer().count())
                .isEqualTo(1);
    }

    @Test
    void aChangingCommandsJudgementCommittedOnItsOwnIsCountedAtOnce() {
        transaction.executeWithoutResult(status -> {
            metrics.stepEndedCommitted("apply-core-patch", "FAILED", Duration.ofSeconds(3));
            status.setRollbackOnly();
        });
        assertThat(registry.get("msgsrv.host.steps").tag("step", "apply-core-patch").tag("outcome", "FAILED")
                .counter().count()).isEqualTo(1);
    }

    private double count(String outcome) {
        var counter = registry.find("msgsrv.host.steps").tag("step", "verify-current-version").tag("outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }
}
