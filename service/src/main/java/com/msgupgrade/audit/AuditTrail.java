package com.msgupgrade.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The append-only audit trail. Each entry is written in the transaction of the event it records
 * and carries the hash of the previous entry of its rollout, so an edited or removed entry breaks
 * the chain. Entries of one rollout are serialized by a row lock on the rollout.
 * <p>
 * An entry is appended as its transaction commits (after the engine has flushed its own work), not where it is
 * recorded: the lock is then held for the append and the commit alone. Taken where the event happened, it was
 * held for the rest of the transaction, and every other writer of the rollout's trail, a gate's continuation or
 * the start of any host among them, queued behind the slowest. The entries of one transaction keep their order;
 * the chain's order is the order of the commits.
 */
@Component
public class AuditTrail {

    public static final String GENESIS = "0".repeat(64);

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    public AuditTrail(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        this.json = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public void record(String rolloutId, String actor, String kind, String host, String step, Map<String, ?> detail) {
        String detailJson = toJson(detail); // a detail that cannot be written fails the event's transaction at once
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            append(rolloutId, actor, kind, host, step, detailJson);
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void beforeCommit(boolean readOnly) {
                append(rolloutId, actor, kind, host, step, detailJson);
            }
        });
    }

    private void append(String rolloutId, String actor, String kind, String host, String step, String detailJson) {
        jdbc.queryForList("SELECT id FROM \"MSGSRV\".rollout WHERE id = ? FOR UPDATE", String.class, rolloutId);
        List<Map<String, Object>> last = jdbc.queryForList(
                "SELECT seq, hash FROM \"MSGSRV\".audit_event WHERE rollout_id = ? ORDER BY seq DESC LIMIT 1", rolloutId);
        long seq = last.isEmpty() ? 1 : ((Number) last.get(0).get("seq")).longValue() + 1;
        String prev = last.isEmpty() ? GENESIS : (String) last.get(0).get("hash");
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        AuditEntry entry = new AuditEntry(rolloutId, seq, at, actor, kind, host, step, detailJson, prev, null);
        entry = entry.withHash(hashOf(entry));
        jdbc.update("INSERT INTO \"MSGSRV\".audit_event (rollout_id, seq, recorded_at, actor, kind, host_name, step_id,"
                        + " detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
                rolloutId, seq, Timestamp.from(at), actor, kind, host, step, detailJson, prev, entry.hash());
        jdbc.update("UPDATE \"MSGSRV\".rollout SET audit_seq = ?, audit_hash = ? WHERE id = ?", seq, entry.hash(),
                rolloutId);
    }

    public List<AuditEntry> entries(String rolloutId) {
        return jdbc.query("SELECT * FROM \"MSGSRV\".audit_event WHERE rollout_id = ? ORDER BY seq",
                (rs, i) -> new AuditEntry(rs.getString("rollout_id"), rs.getLong("seq"),
                        rs.getTimestamp("recorded_at").toInstant(), rs.getString("actor"), rs.getString("kind"),
                        rs.getString("host_name"), rs.getString("step_id"), rs.getString("detail"),
                        rs.getString("prev_hash"), rs.getString("hash")),
                rolloutId);
    }

    /**
     * Recomputes the chain of a rollout: each entry's hash, its link to the previous one, the sequence
     * without gaps, and the head recorded with the rollout. Names the first entry that does not match.
     */
    public Verification verify(String rolloutId) {
        List<AuditEntry> entries = entries(rolloutId);
        String prev = GENESIS;
        long expectedSeq = 1;
        for (AuditEntry e : entries) {
            if (e.seq() != expectedSeq) {
                return Verification.broken(entries.size(), expectedSeq, "entry " + expectedSeq + " is missing");
            }
            if (!e.prevHash().equals(prev)) {
                return Verification.broken(entries.size(), e.seq(), "entry " + e.seq()
                        + " does not link to the entry before it");
            }
            if (!hashOf(e).equals(e.hash())) {
                return Verification.broken(entries.size(), e.seq(), "entry " + e.seq()
                        + " does not match its hash: a field was changed");
            }
            prev = e.hash();
            expectedSeq++;
        }
        List<Map<String, Object>> head = jdbc.queryForList(
                "SELECT audit_seq, audit_hash FROM \"MSGSRV\".rollout WHERE id = ?", rolloutId);
        if (!head.isEmpty()) {
            long headSeq = ((Number) head.get(0).get("audit_seq")).longValue();
            if (headSeq != entries.size() || (headSeq > 0 && !prev.equals(head.get(0).get("audit_hash")))) {
                return Verification.broken(entries.size(), Math.min(headSeq, entries.size() + 1),
                        "the chain ends at entry " + entries.size() + " but the rollout recorded entry " + headSeq
                                + " as its last: entries were removed from the end");
            }
        }
        return new Verification(true, entries.size(), null, "the chain of " + entries.size() + " entries is intact");
    }

    public record Verification(boolean valid, int entries, Long firstBadSeq, String message) {
        static Verification broken(int entries, long seq, String message) {
            return new Verification(false, entries, seq, message);
        }
    }

    static String hashOf(AuditEntry e) {
        String canonical = String.join("\u001f", e.rolloutId(), Long.toString(e.seq()),
                e.recordedAt().toString(), e.actor(), e.kind(), String.valueOf(e.host()), String.valueOf(e.step()),
                e.detail(), e.prevHash());
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private String toJson(Map<String, ?> detail) {
        try {
            return json.writeValueAsString(new TreeMap<>(detail));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit detail is not serializable", e);
        }
    }
}
