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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import com.msgupgrade.OwnTransaction;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The append-only audit trail. Each entry is written in the transaction of the event it records
 * and carries the hash of the previous entry of its rollout, so an edited or removed entry breaks
 * the chain. Entries of one rollout are serialized by a row lock on the rollout.
 * <p>
 * An entry is appended as its transaction commits (after the engine has flushed its own work), not where it is
 * recorded: the lock is then held for the append and the commit alone. Taken where the event happened, it was
 * held for the rest of the transaction, and every other writer of the rollout's trail, a gate's continuation or
 * the start of any host among them, queued behind the slowest. The entries of one transaction keep their order;
 * the chain's order is the order of the commits. What a host did is recorded in a transaction of its own
 * ({@link #recordCommitted}), several threads' entries in one.
 */
@Component
public class AuditTrail {

    public static final String GENESIS = "0".repeat(64);

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final TransactionTemplate ownTransaction;
    /** Reads of a rollout's trail and head that see one state of the database (PostgreSQL: one snapshot). */
    private final TransactionTemplate snapshots;
    /** Entries of {@link #recordCommitted} waiting to be appended; whoever holds {@code appending} appends them. */
    private final Queue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final ReentrantLock appending = new ReentrantLock();

    public AuditTrail(JdbcTemplate jdbc, OwnTransaction ownTransaction) {
        this.jdbc = jdbc;
        this.ownTransaction = ownTransaction;
        this.snapshots = new TransactionTemplate(ownTransaction.getTransactionManager());
        snapshots.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        snapshots.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        snapshots.setReadOnly(true);
        this.json = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public void record(String rolloutId, String actor, String kind, String host, String step, Map<String, ?> detail) {
        String detailJson = toJson(detail); // a detail that cannot be written fails the event's transaction at once
        List<Unwritten> entry = List.of(new Unwritten(rolloutId, actor, kind, host, step, detailJson));
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            append(rolloutId, entry);
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void beforeCommit(boolean readOnly) {
                append(rolloutId, entry);
            }
        });
    }

    /**
     * Records an entry in a transaction of its own, committed when this returns, whatever becomes of the caller's
     * transaction: what a host did. Entries recorded so by several threads of this node at the same moment are
     * appended together, in one transaction, each rollout's lock taken once, while the threads wait (a group
     * commit): one transaction each had queued on the lock, a second and more, when every store of a fleet-wide step
     * answered its read at once.
     */
    public void recordCommitted(String rolloutId, String actor, String kind, String host, String step,
            Map<String, ?> detail) {
        recordCommitted(rolloutId, actor, kind, host, step, detail, () -> {});
    }

    /**
     * {@link #recordCommitted(String, String, String, String, String, Map)}, with {@code alsoWritten} run in the
     * transaction that appends the entry: both are committed, or neither (a run's end in the command ledger with
     * its entry, so that a stop between the two cannot leave the run to be judged, and recorded, again).
     */
    public void recordCommitted(String rolloutId, String actor, String kind, String host, String step,
            Map<String, ?> detail, Runnable alsoWritten) {
        Pending entry = new Pending(new Unwritten(rolloutId, actor, kind, host, step, toJson(detail)), alsoWritten,
                new CompletableFuture<>());
        pending.add(entry);
        appending.lock();
        try {
            if (!entry.appended().isDone()) {
                appendPending();
            }
        } finally {
            appending.unlock();
        }
        try {
            entry.appended().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** An entry to append: the chain's fields are filled in as it is appended. */
    private record Unwritten(String rolloutId, String actor, String kind, String host, String step,
            String detailJson) {}

    private record Pending(Unwritten entry, Runnable alsoWritten, CompletableFuture<Void> appended) {}

    /** Appends every entry waiting, in one transaction; tells each waiting thread how it went. */
    private void appendPending() {
        List<Pending> batch = new ArrayList<>();
        for (Pending p = pending.poll(); p != null; p = pending.poll()) {
            batch.add(p);
        }
        // rollouts locked in the order of their ids, as every batch on every node does
        Map<String, List<Unwritten>> byRollout = new TreeMap<>();
        batch.forEach(p -> byRollout.computeIfAbsent(p.entry().rolloutId(), id -> new ArrayList<>()).add(p.entry()));
        try {
            ownTransaction.executeWithoutResult(status -> {
                byRollout.forEach(this::append);
                batch.forEach(p -> p.alsoWritten().run());
            });
            batch.forEach(p -> p.appended().complete(null));
        } catch (RuntimeException e) {
            if (batch.size() == 1) {
                batch.get(0).appended().completeExceptionally(e);
                return;
            }
            // one entry that cannot be written fails alone: each is appended again in a transaction of its own
            for (Pending p : batch) {
                try {
                    ownTransaction.executeWithoutResult(status -> {
                        append(p.entry().rolloutId(), List.of(p.entry()));
                        p.alsoWritten().run();
                    });
                    p.appended().complete(null);
                } catch (RuntimeException alone) {
                    p.appended().completeExceptionally(alone);
                }
            }
        }
    }

    /** Appends entries of one rollout to its chain, in their order, under the rollout's row lock. */
    private void append(String rolloutId, List<Unwritten> entries) {
        jdbc.queryForList("SELECT id FROM \"MSGSRV\".rollout WHERE id = ? FOR UPDATE", String.class, rolloutId);
        // the last entry (read as a Timestamp: H2 gives a TIMESTAMP WITH TIME ZONE to a map as an OffsetDateTime)
        List<AuditEntry> last = jdbc.query("SELECT * FROM \"MSGSRV\".audit_event WHERE rollout_id = ? ORDER BY seq DESC"
                + " LIMIT 1", (rs, i) -> entry(rs), rolloutId);
        long seq = last.isEmpty() ? 0 : last.get(0).seq();
        String prev = last.isEmpty() ? GENESIS : last.get(0).hash();
        // never before the entry before it: the nodes of a cluster append with their own clocks, which may differ
        Instant previous = last.isEmpty() ? Instant.EPOCH : last.get(0).recordedAt();
        List<Object[]> rows = new ArrayList<>();
        for (Unwritten u : entries) {
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            Instant at = now.isBefore(previous) ? previous : now;
            previous = at;
            AuditEntry entry = new AuditEntry(rolloutId, ++seq, at, u.actor(), u.kind(), u.host(), u.step(),
                    u.detailJson(), prev, null);
            prev = hashOf(entry);
            rows.add(new Object[] {rolloutId, seq, Timestamp.from(at), u.actor(), u.kind(), u.host(), u.step(),
                    u.detailJson(), entry.prevHash(), prev});
        }
        jdbc.batchUpdate("INSERT INTO \"MSGSRV\".audit_event (rollout_id, seq, recorded_at, actor, kind, host_name,"
                + " step_id, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)", rows);
        jdbc.update("UPDATE \"MSGSRV\".rollout SET audit_seq = ?, audit_hash = ? WHERE id = ?", seq, prev, rolloutId);
    }

    /**
     * Keeps an evidence text a gate showed (its planned commands, warnings, a command's output), whole, with the
     * rollout's trail, in the caller's transaction: an entry names it by the SHA-256 this returns (of its UTF-8
     * bytes), and {@link #evidence} gives it back. Kept once per rollout, however many gates showed it.
     */
    public String keepEvidence(String rolloutId, String text) {
        String sha256 = sha256(text);
        Timestamp now = Timestamp.from(Instant.now());
        if (isPostgres()) {
            jdbc.update("INSERT INTO \"MSGSRV\".audit_evidence (rollout_id, sha256, content, recorded_at)"
                    + " VALUES (?,?,?,?) ON CONFLICT DO NOTHING", rolloutId, sha256, text, now);
            return sha256;
        }
        try {
            // H2 (whose failed statement leaves the transaction usable): a text kept meanwhile by another gate, its
            // transaction committed while this one waited on the row, is the same text
            jdbc.update("INSERT INTO \"MSGSRV\".audit_evidence (rollout_id, sha256, content, recorded_at) SELECT ?, ?,"
                    + " ?, ? FROM (VALUES (1)) WHERE NOT EXISTS (SELECT 1 FROM \"MSGSRV\".audit_evidence WHERE"
                    + " rollout_id = ? AND sha256 = ?)", rolloutId, sha256, text, now, rolloutId, sha256);
        } catch (org.springframework.dao.DataIntegrityViolationException keptMeanwhile) {
            // the same key: the same text
        }
        return sha256;
    }

    private volatile Boolean postgres;

    private boolean isPostgres() {
        Boolean known = postgres;
        if (known == null) {
            known = isPostgres(jdbc);
            postgres = known;
        }
        return known;
    }

    /** An evidence text kept with the rollout's trail ({@link #keepEvidence}), by its SHA-256. */
    public java.util.Optional<String> evidence(String rolloutId, String sha256) {
        return jdbc.queryForList("SELECT content FROM \"MSGSRV\".audit_evidence WHERE rollout_id = ? AND sha256 = ?",
                String.class, rolloutId, sha256).stream().findFirst();
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the database is PostgreSQL (H2 otherwise: no triggers, its own upsert). */
    static boolean isPostgres(JdbcTemplate jdbc) {
        return Boolean.TRUE.equals(jdbc.execute((java.sql.Connection c) ->
                c.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres")));
    }

    /**
     * Of {@code steps}, the one the rollout's trail last records as done on the host: its command succeeded, its check
     * found it done already (done by hand before a retry, say), or an operator marked it done; empty when none is.
     */
    public java.util.Optional<String> lastDone(String rolloutId, String host, List<String> steps) {
        if (steps.isEmpty()) {
            return java.util.Optional.empty();
        }
        List<Object> args = new java.util.ArrayList<>(List.of(rolloutId, host));
        args.addAll(steps);
        return jdbc.queryForList("SELECT step_id FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND host_name = ? AND"
                + " step_id IN (" + String.join(", ", java.util.Collections.nCopies(steps.size(), "?")) + ") AND ("
                + "(kind = 'COMMAND' AND detail LIKE '%\"outcome\":\"SUCCEEDED\"%')"
                + " OR (kind = 'CHECK' AND detail LIKE '%\"outcome\":\"ALREADY_DONE\"%')"
                + " OR (kind = 'DECISION' AND detail LIKE '%\"markDone\"%')) ORDER BY seq DESC LIMIT 1", String.class,
                args.toArray()).stream().findFirst();
    }

    /**
     * The output excerpt of the latest command the rollout ran for that step on that host, as its audit entry holds it
     * (masked, cut to the excerpt's length); empty when there is none.
     */
    public java.util.Optional<String> lastCommandOutput(String rolloutId, String host, String step) {
        List<String> details = jdbc.queryForList("SELECT detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND"
                + " host_name = ? AND step_id = ? AND kind = 'COMMAND' ORDER BY seq DESC LIMIT 1", String.class,
                rolloutId, host, step);
        if (details.isEmpty()) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(new com.fasterxml.jackson.databind.ObjectMapper().readTree(details.get(0))
                    .path("outputExcerpt").asText());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return java.util.Optional.empty();
        }
    }

    /** The head of the rollout's chain as the rollout records it: its last entry's seq and hash (0 and none: empty). */
    public java.util.Optional<Map<String, Object>> head(String rolloutId) {
        return jdbc.queryForList("SELECT audit_seq, audit_hash FROM \"MSGSRV\".rollout WHERE id = ?", rolloutId)
                .stream().findFirst();
    }

    /**
     * Whether the rollout may have changed anything on the host: a changing command prepared for it in the command
     * ledger (whatever came of it: a launch whose answer was lost may have reached the host), a step found done
     * already (done by hand before), or a step an operator marked done.
     */
    public boolean anythingChanged(String rolloutId, String host) {
        return jdbc.queryForObject("SELECT (SELECT COUNT(*) FROM \"MSGSRV\".command_run WHERE rollout_id = ? AND"
                + " host_name = ?) + (SELECT COUNT(*) FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND host_name = ?"
                + " AND ((kind = 'CHECK' AND detail LIKE '%\"outcome\":\"ALREADY_DONE\"%')"
                + " OR (kind = 'DECISION' AND detail LIKE '%\"markDone\"%')))", Integer.class, rolloutId, host,
                rolloutId, host) > 0;
    }

    /** The entry that recorded the opening of a rollout's task (its host, its evidence); empty when there is none. */
    public java.util.Optional<AuditEntry> gateOpened(String rolloutId, String taskId) {
        return jdbc.query("SELECT * FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND kind = 'GATE_OPENED' AND"
                + " detail LIKE ? ORDER BY seq DESC", (rs, i) -> entry(rs), rolloutId, "%\"taskId\":\"" + taskId
                + "\"%").stream().findFirst();
    }

    /** Who recorded the rollout's latest entry of that kind for that host; empty when there is none. */
    public java.util.Optional<String> lastActor(String rolloutId, String host, String kind) {
        return jdbc.queryForList("SELECT actor FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND host_name = ? AND"
                + " kind = ? ORDER BY seq DESC LIMIT 1", String.class, rolloutId, host, kind).stream().findFirst();
    }

    /** The rollout's latest entry of that kind, whatever its host; empty when there is none. */
    public java.util.Optional<AuditEntry> last(String rolloutId, String kind) {
        return jdbc.query("SELECT * FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND kind = ? ORDER BY seq DESC"
                + " LIMIT 1", (rs, i) -> entry(rs), rolloutId, kind).stream().findFirst();
    }

    public List<AuditEntry> entries(String rolloutId) {
        return jdbc.query("SELECT * FROM \"MSGSRV\".audit_event WHERE rollout_id = ? ORDER BY seq",
                (rs, i) -> entry(rs), rolloutId);
    }

    private static AuditEntry entry(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new AuditEntry(rs.getString("rollout_id"), rs.getLong("seq"), rs.getTimestamp("recorded_at").toInstant(),
                rs.getString("actor"), rs.getString("kind"), rs.getString("host_name"), rs.getString("step_id"),
                rs.getString("detail"), rs.getString("prev_hash"), rs.getString("hash"));
    }

    /**
     * The rollout's entries up to {@code lastSeq} (0: every one, a trail older than the head's record), in order,
     * each given to {@code each}: read a few hundred at a time, each page in a short query of its own (entries up to
     * a head never change), so that neither the whole trail nor a database connection is held while a slow reader
     * takes them.
     */
    public void forEachEntry(String rolloutId, long lastSeq, java.util.function.Consumer<AuditEntry> each) {
        long upTo = lastSeq == 0 ? Long.MAX_VALUE : lastSeq;
        long after = 0;
        while (true) {
            List<AuditEntry> page = jdbc.query("SELECT * FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND seq > ?"
                    + " AND seq <= ? ORDER BY seq LIMIT " + PAGE, (rs, i) -> entry(rs), rolloutId, after, upTo);
            page.forEach(each);
            if (page.size() < PAGE) {
                return;
            }
            after = page.get(page.size() - 1).seq();
        }
    }

    private static final int PAGE = 500;

    /**
     * Recomputes the chain of a rollout: each entry's hash, its link to the previous one, the sequence
     * without gaps, and the head recorded with the rollout. Names the first entry that does not match.
     */
    public Verification verify(String rolloutId) {
        return snapshot(rolloutId).verification();
    }

    /**
     * A rollout's entries, the head its row records and their verification, read in one snapshot of the database:
     * an entry appended meanwhile (the rollout goes on) is in none of them, rather than found past the entries read.
     */
    public Snapshot snapshot(String rolloutId) {
        return snapshots.execute(status -> {
            // the head first, then the entries up to it: what a database that lets an append committed meanwhile into
            // the second read (H2's repeatable read) shows is then the same as PostgreSQL's snapshot (0: a trail older
            // than the head's record, every entry)
            Map<String, Object> head = head(rolloutId).orElse(Map.of());
            List<AuditEntry> entries = new ArrayList<>();
            forEachEntry(rolloutId, head.get("audit_seq") == null ? 0 : ((Number) head.get("audit_seq")).longValue(),
                    entries::add);
            List<Map<String, Object>> purged = jdbc.query("SELECT entries, last_hash, retention, purged_at"
                    + " FROM \"MSGSRV\".audit_purge WHERE rollout_id = ?", (rs, i) -> Map.of("entries",
                            rs.getLong("entries"), "last_hash", String.valueOf(rs.getString("last_hash")), "retention",
                            rs.getString("retention"), "purged_at", rs.getTimestamp("purged_at")), rolloutId);
            return new Snapshot(entries, head, verify(entries, head, purged.stream().findFirst()));
        });
    }

    /** {@link #snapshot}'s result: the entries, the head ({@code audit_seq}, {@code audit_hash}; empty: no rollout). */
    public record Snapshot(List<AuditEntry> entries, Map<String, Object> head, Verification verification) {}

    private static Verification verify(List<AuditEntry> entries, Map<String, Object> head,
            java.util.Optional<Map<String, Object>> purged) {
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
        String purge = purged.map(p -> "the chain of " + p.get("entries") + " entries was purged at "
                + ((Timestamp) p.get("purged_at")).toInstant() + " (audit retention " + p.get("retention")
                + "); its last entry's hash was " + p.get("last_hash")).orElse(null);
        if (!head.isEmpty()) {
            long headSeq = ((Number) head.get("audit_seq")).longValue();
            if (headSeq != entries.size() || (headSeq > 0 && !prev.equals(head.get("audit_hash")))) {
                return Verification.broken(entries.size(), Math.min(headSeq, entries.size() + 1),
                        "the chain ends at entry " + entries.size() + " but the rollout recorded entry " + headSeq
                                + " as its last: entries were removed from the end");
            }
            if (entries.isEmpty() && purge == null) {
                // a rollout's first entry (ROLLOUT_REQUESTED) is written in the transaction that creates it
                return Verification.broken(0, 1, "the rollout has no entry, and no purge of its trail is recorded:"
                        + " its entries were removed, head included");
            }
        }
        if (purge != null) {
            return new Verification(true, entries.size(), null, entries.isEmpty() ? purge
                    : purge + "; the chain of " + entries.size() + " entries recorded since is intact");
        }
        return new Verification(true, entries.size(), null, "the chain of " + entries.size() + " entries is intact");
    }

    public record Verification(boolean valid, int entries, Long firstBadSeq, String message) {
        static Verification broken(int entries, long seq, String message) {
            return new Verification(false, entries, seq, message);
        }

        /**
         * This verification of {@code chain}, and whether the chain still holds a head kept from an earlier export
         * (its seq and hash): a chain computed again from some entry on, head included, links, but no longer holds
         * the head kept before.
         */
        public Verification against(List<AuditEntry> chain, long seq, String hash) {
            if (!valid) {
                return this;
            }
            java.util.Optional<AuditEntry> kept = chain.stream().filter(e -> e.seq() == seq).findFirst();
            if (kept.isEmpty()) {
                return broken(entries, seq, "entry " + seq + " of the head kept is not in the chain of " + entries
                        + " entries: it was removed");
            }
            if (!kept.get().hash().equalsIgnoreCase(hash.trim())) {
                return broken(entries, seq, "entry " + seq + " does not have the hash of the head kept: the chain was"
                        + " written again from there or before");
            }
            return new Verification(true, entries, null, message + ", and holds the head kept (entry " + seq + ")");
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
