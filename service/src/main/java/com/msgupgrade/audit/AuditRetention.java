package com.msgupgrade.audit;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The audit trail's own retention ({@code msgsrv.audit.retention}, default ten years), independent of
 * the engine's history time-to-live: whole chains of finished rollouts whose last entry is older than that are
 * purged, nothing else, ever. On PostgreSQL the purge announces itself to the append-only trigger.
 */
@Component
public class AuditRetention {

    private static final Logger log = LoggerFactory.getLogger(AuditRetention.class);

    private final JdbcTemplate jdbc;
    private final Duration retention;

    AuditRetention(JdbcTemplate jdbc, @Value("${msgsrv.audit.retention}") Duration retention) {
        this.jdbc = jdbc;
        this.retention = retention(retention);
    }

    /** The shortest retention the service takes: a mistyped one would purge every ended rollout's trail at once. */
    static final Duration SHORTEST = Duration.ofDays(1);

    /**
     * The retention, unless it is shorter than {@link #SHORTEST}: a plain number is read as milliseconds
     * ({@code 3650} meant as days), and zero or less would purge the trail of every ended rollout at the next purge.
     */
    static Duration retention(Duration retention) {
        if (retention == null || retention.compareTo(SHORTEST) < 0) {
            throw new IllegalArgumentException("msgsrv.audit.retention must be at least one day (ISO-8601, as P3650D;"
                    + " a plain number is read as milliseconds), was " + retention + ": a shorter one would purge the"
                    + " audit trail of every ended rollout");
        }
        return retention;
    }

    @Scheduled(cron = "${msgsrv.audit.purge-cron}")
    @Transactional
    public int purge() {
        return purge(Instant.now());
    }

    /** The purge as it would run at {@code now}. */
    int purge(Instant now) {
        Instant before = now.minus(retention);
        // counted from the trail's last entry (the rollout's end, or what was recorded on it since), not its request
        List<String> expired = jdbc.queryForList("SELECT id FROM \"MSGSRV\".rollout r WHERE requested_at < ? AND state IN "
                + com.msgupgrade.rollout.Rollout.endedSql() + " AND NOT EXISTS (SELECT 1 FROM \"MSGSRV\".audit_event e"
                + " WHERE e.rollout_id = r.id AND e.recorded_at >= ?)", String.class,
                Timestamp.from(before), Timestamp.from(before));
        if (expired.isEmpty()) {
            return 0;
        }
        if (AuditTrail.isPostgres(jdbc)) {
            jdbc.queryForList("SELECT set_config('msgsrv.audit_purge', 'on', true)");
        }
        int removed = 0;
        Timestamp purgedAt = Timestamp.from(Instant.now());
        for (String id : expired) {
            // what is removed, kept: the head the chain had (a purge of a chain purged before keeps the first record)
            jdbc.update("INSERT INTO \"MSGSRV\".audit_purge (rollout_id, entries, last_hash, retention, purged_at)"
                    + " SELECT id, audit_seq, audit_hash, ?, ? FROM \"MSGSRV\".rollout r WHERE id = ? AND audit_seq > 0"
                    + " AND NOT EXISTS (SELECT 1 FROM \"MSGSRV\".audit_purge p WHERE p.rollout_id = r.id)",
                    retention.toString(), purgedAt, id);
            removed += jdbc.update("DELETE FROM \"MSGSRV\".audit_event WHERE rollout_id = ?", id);
            jdbc.update("DELETE FROM \"MSGSRV\".audit_evidence WHERE rollout_id = ?", id);
            jdbc.update("UPDATE \"MSGSRV\".rollout SET audit_seq = 0, audit_hash = NULL WHERE id = ?", id);
        }
        log.info("audit retention {}: removed {} entries of {} rollouts ended, their last entry before {}", retention, removed,
                expired.size(), before);
        return removed;
    }
}
