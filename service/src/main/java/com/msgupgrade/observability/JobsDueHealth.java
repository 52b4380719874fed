package com.msgupgrade.observability;

import java.time.Duration;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code jobsDue}: jobs that are due but no job executor has acquired. A few for a moment are normal;
 * the oldest one waiting longer than {@code msgsrv.health.max-job-delay} means rollouts are stalling. A job's wait
 * counts from this node's start at the earliest (a restart after an outage is not DOWN at once).
 * Nothing here reaches a host: the service's health does not depend on the fleet.
 */
@Component("jobsDue")
class JobsDueHealth extends AbstractHealthIndicator {

    private final JdbcTemplate jdbc;
    private final Duration maxDelay;
    /** When this node started: a job due before could not have been acquired by it before (a restart after an outage). */
    private volatile Instant started = Instant.now();

    JobsDueHealth(JdbcTemplate jdbc, @Value("${msgsrv.health.max-job-delay}") Duration maxDelay) {
        super("the jobs due could not be read"); // the database is unreachable: DOWN, with the error as detail
        this.jdbc = jdbc;
        this.maxDelay = maxDelay;
    }

    /** As if this node had started at {@code started}. */
    JobsDueHealth startedAt(Instant started) {
        this.started = started;
        return this;
    }

    @Override
    protected void doHealthCheck(Health.Builder health) {
        Timestamp now = Timestamp.from(Instant.now());
        // executable (retries left, active), due, and not locked by any job executor; waiting since it became due
        // (an asynchronous continuation has no due date: since it was created) or since its lock expired (a node
        // that acquired it died), whichever came last (no GREATEST over a lock never taken: H2's is null then)
        Map<String, Object> row = jdbc.queryForMap("SELECT COUNT(*) AS due, MIN(CASE WHEN LOCK_EXP_TIME_ IS NULL"
                + " THEN COALESCE(DUEDATE_, CREATE_TIME_) ELSE GREATEST(COALESCE(DUEDATE_, CREATE_TIME_), LOCK_EXP_TIME_)"
                + " END) AS oldest FROM ACT_RU_JOB"
                + " WHERE RETRIES_ > 0 AND SUSPENSION_STATE_ = 1 AND (DUEDATE_ IS NULL OR DUEDATE_ <= ?)"
                + " AND (LOCK_EXP_TIME_ IS NULL OR LOCK_EXP_TIME_ < ?)", now, now);
        long due = ((Number) row.get("due")).longValue();
        Timestamp oldest = (Timestamp) row.get("oldest");
        // counted from this node's start at the earliest: after an outage the jobs that came due meanwhile (the timers
        // of a whole night) wait for a job executor from its start, not from before it
        long oldestSeconds = oldest == null ? 0 : Math.max(0, (now.getTime() - Math.max(oldest.getTime(),
                started.toEpochMilli())) / 1000);
        (oldestSeconds > maxDelay.toSeconds() ? health.down() : health.up()).withDetail("due", due)
                .withDetail("oldestDueSeconds", oldestSeconds).withDetail("maxDelaySeconds", maxDelay.toSeconds());
    }
}
