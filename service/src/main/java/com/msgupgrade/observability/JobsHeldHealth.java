package com.msgupgrade.observability;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * {@code jobsHeld}, this node's own: jobs its job executor acquired and still holds past their lock's expiry by
 * more than {@code msgsrv.health.max-job-delay}. A job executor that is alive ({@code jobExecutor}: UP) but whose
 * threads all hang (a database lock never granted, say) holds the jobs it took without running them, and takes no
 * more: the node is DOWN in {@code /actuator/health/node}, and a load balancer or an operator sees which node it is
 * (the cluster-wide {@code jobsDue} sees the jobs only once no other node takes them either).
 */
@Component("jobsHeld")
class JobsHeldHealth extends AbstractHealthIndicator {

    private final JdbcTemplate jdbc;
    private final Duration maxDelay;
    /** This node's job executor's lock owner, read at each check. */
    private volatile Supplier<String> lockOwner;

    JobsHeldHealth(JdbcTemplate jdbc, ProcessEngine engine, @Value("${msgsrv.health.max-job-delay}") Duration maxDelay) {
        super("the jobs this node holds could not be read");
        this.jdbc = jdbc;
        this.maxDelay = maxDelay;
        this.lockOwner = () -> ((ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration())
                .getJobExecutor().getLockOwner();
    }

    /** As if this node's job executor were {@code lockOwner}. */
    JobsHeldHealth as(String owner) {
        this.lockOwner = () -> owner;
        return this;
    }

    @Override
    protected void doHealthCheck(Health.Builder health) {
        Instant now = Instant.now();
        Map<String, Object> row = jdbc.queryForMap("SELECT COUNT(*) AS held, MIN(LOCK_EXP_TIME_) AS oldest FROM ACT_RU_JOB"
                + " WHERE LOCK_OWNER_ = ? AND LOCK_EXP_TIME_ < ?", lockOwner.get(), Timestamp.from(now));
        long held = ((Number) row.get("held")).longValue();
        Timestamp oldest = (Timestamp) row.get("oldest");
        long pastExpirySeconds = oldest == null ? 0 : Math.max(0, Duration.between(oldest.toInstant(), now).toSeconds());
        (pastExpirySeconds > maxDelay.toSeconds() ? health.down() : health.up()).withDetail("heldPastExpiry", held)
                .withDetail("oldestPastExpirySeconds", pastExpirySeconds).withDetail("lockOwner", lockOwner.get());
    }
}
