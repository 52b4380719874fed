package com.msgupgrade.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.msgupgrade.OwnTransaction;
import com.msgupgrade.support.Postgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What a host did is recorded in a transaction of its own ({@link AuditTrail#recordCommitted}), the entries of
 * threads recording at the same moment in one: the chain stays whole, each entry is there once, and an entry that
 * cannot be written fails alone. On PostgreSQL: the rows of one transaction share their {@code xmin}.
 */
class AuditGroupCommitTest {

    static DriverManagerDataSource dataSource;
    static JdbcTemplate jdbc;
    static AuditTrail audit;
    static TransactionTemplate transaction;
    static final ExecutorService threads = Executors.newFixedThreadPool(40);

    @BeforeAll
    static void database() {
        String url = Postgres.newServiceDatabase();
        dataSource = new DriverManagerDataSource(url, "postgres", "postgres");
        jdbc = new JdbcTemplate(dataSource);
        DataSourceTransactionManager transactions = new DataSourceTransactionManager(dataSource);
        transaction = new TransactionTemplate(transactions);
        audit = new AuditTrail(jdbc, new OwnTransaction(transactions));
    }

    @AfterAll
    static void stopThreads() {
        threads.shutdownNow();
    }

    static void rollout(String id) {
        jdbc.update("INSERT INTO \"MSGSRV\".rollout (id, deployment_name, target_release, deployment_snapshot,"
                + " requested_by, requested_at, state) VALUES (?, 'd', '6.3', '{}', 'operator', now(), 'RUNNING')", id);
    }

    @Test
    void entriesRecordedAtOnceAreAppendedTogetherAndTheChainStaysWhole() throws Exception {
        rollout("r-at-once");
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Void>> recorded = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int n = i;
            recorded.add(CompletableFuture.runAsync(() -> {
                awaitLatch(go);
                audit.recordCommitted("r-at-once", "system", "COMMAND", "st" + n, "stop-messaging-server",
                        Map.of("n", n));
            }, threads));
        }
        go.countDown();
        CompletableFuture.allOf(recorded.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        assertThat(audit.verify("r-at-once").valid()).isTrue();
        assertThat(audit.entries("r-at-once")).extracting(AuditEntry::host).hasSize(40).doesNotHaveDuplicates();
        assertThat(jdbc.queryForObject("SELECT count(DISTINCT xmin::text) FROM \"MSGSRV\".audit_event"
                + " WHERE rollout_id = 'r-at-once'", Integer.class)).as("transactions for 40 entries").isLessThan(20);
    }

    @Test
    void anEntryStandsWhateverBecomesOfTheCallersTransaction() {
        rollout("r-rolled-back");
        transaction.executeWithoutResult(status -> {
            audit.recordCommitted("r-rolled-back", "system", "COMMAND", "st1", "apply-core-patch", Map.of("ran", 1));
            status.setRollbackOnly();
        });
        assertThat(audit.entries("r-rolled-back")).singleElement().extracting(AuditEntry::kind).isEqualTo("COMMAND");
        assertThat(audit.verify("r-rolled-back").valid()).isTrue();
    }

    @Test
    void aTrailVerifiedWhileEntriesAreAppendedIsIntactAtEveryLook() throws Exception {
        rollout("r-live");
        audit.recordCommitted("r-live", "operator", "ROLLOUT_REQUESTED", null, null, Map.of());
        CompletableFuture<Void> appending = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 300; i++) {
                audit.recordCommitted("r-live", "system", "COMMAND", "st" + (i % 7), "s", Map.of("n", i));
            }
        }, threads);
        List<AuditTrail.Verification> looks = new ArrayList<>();
        while (!appending.isDone()) {
            looks.add(audit.verify("r-live"));
        }
        appending.get(30, TimeUnit.SECONDS);
        assertThat(looks).isNotEmpty().allSatisfy(look -> assertThat(look.valid()).as(look.message()).isTrue());
        AuditTrail.Snapshot last = audit.snapshot("r-live");
        assertThat(last.entries()).hasSize(301);
        assertThat(((Number) last.head().get("audit_seq")).intValue()).isEqualTo(301);
    }

    @Test
    void anEntryIsNeverRecordedBeforeTheOneBeforeItWhateverTheAppendingNodesClock() {
        rollout("r-skew");
        // appended by a node whose clock is an hour ahead
        java.time.Instant ahead = java.time.Instant.now().plusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        AuditEntry first = new AuditEntry("r-skew", 1, ahead, "system", "ROLLOUT_REQUESTED", null, null, "{}",
                AuditTrail.GENESIS, null);
        String hash = AuditTrail.hashOf(first);
        jdbc.update("INSERT INTO \"MSGSRV\".audit_event (rollout_id, seq, recorded_at, actor, kind, host_name, step_id,"
                + " detail, prev_hash, hash) VALUES ('r-skew', 1, ?, 'system', 'ROLLOUT_REQUESTED', NULL, NULL, '{}', ?,"
                + " ?)", java.sql.Timestamp.from(ahead), AuditTrail.GENESIS, hash);
        jdbc.update("UPDATE \"MSGSRV\".rollout SET audit_seq = 1, audit_hash = ? WHERE id = 'r-skew'", hash);

        audit.recordCommitted("r-skew", "system", "COMMAND", "st1", "s", Map.of("n", 1));

        assertThat(audit.entries("r-skew")).extracting(AuditEntry::recordedAt).containsExactly(ahead, ahead);
        assertThat(audit.verify("r-skew").valid()).isTrue();
    }

    @Test
    void aRolloutWithNoEntryAndNoPurgeRecordedIsNotIntact() {
        rollout("r-emptied");
        AuditTrail.Verification verification = audit.verify("r-emptied");
        assertThat(verification.valid()).isFalse();
        assertThat(verification.message()).contains("no entry");
    }

    @Test
    void whatIsWrittenWithAnEntryCommitsWithItOrNeitherDoes() {
        rollout("r-with");
        audit.recordCommitted("r-with", "system", "COMMAND", "st1", "s", Map.of("n", 1),
                () -> jdbc.update("UPDATE \"MSGSRV\".rollout SET state = 'PAUSED' WHERE id = 'r-with'"));
        assertThatThrownBy(() -> audit.recordCommitted("r-with", "system", "COMMAND", "st1", "s", Map.of("n", 2), () -> {
            jdbc.update("UPDATE \"MSGSRV\".rollout SET state = 'FAILED' WHERE id = 'r-with'");
            throw new IllegalStateException("run judged already");
        })).hasMessage("run judged already");

        assertThat(audit.entries("r-with")).singleElement().extracting(AuditEntry::detail).isEqualTo("{\"n\":1}");
        assertThat(jdbc.queryForObject("SELECT state FROM \"MSGSRV\".rollout WHERE id = 'r-with'", String.class))
                .isEqualTo("PAUSED");
        assertThat(audit.verify("r-with").valid()).isTrue();
    }

    @Test
    void anEntryThatCannotBeWrittenFailsAloneAndTheOthersOfItsGroupStand() throws Exception {
        rollout("r-bad");
        List<Thread> waiting = new ArrayList<>();
        CompletableFuture<Void> first;
        CompletableFuture<Void> good;
        CompletableFuture<Void> bad;
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch locked = new CountDownLatch(1);
        // another transaction holds the rollout's lock: the first entry's group waits for it, the next two queue
        CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> transaction.executeWithoutResult(status -> {
            jdbc.queryForList("SELECT id FROM \"MSGSRV\".rollout WHERE id = 'r-bad' FOR UPDATE", String.class);
            locked.countDown();
            awaitLatch(release);
        }), threads);
        awaitLatch(locked);
        first = CompletableFuture.runAsync(() -> audit.recordCommitted("r-bad", "system", "CHECK", "st1", "s",
                Map.of("n", 1)), threads);
        await().atMost(Duration.ofSeconds(10)).until(() -> lockWaits() == 1);
        good = record(waiting, "r-bad", "st2");
        bad = record(waiting, "r-bad", "h".repeat(100)); // longer than a host name may be
        await().atMost(Duration.ofSeconds(10)).until(() -> waiting.size() == 2
                && waiting.stream().allMatch(t -> t.getState() == Thread.State.WAITING));
        release.countDown();
        holder.get(10, TimeUnit.SECONDS);

        first.get(10, TimeUnit.SECONDS);
        good.get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS)).rootCause().hasMessageContaining("value too long");
        assertThat(audit.entries("r-bad")).extracting(AuditEntry::host).containsExactly("st1", "st2");
        assertThat(audit.verify("r-bad").valid()).isTrue();
    }

    private static CompletableFuture<Void> record(List<Thread> threadsOf, String rollout, String host) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                audit.recordCommitted(rollout, "system", "CHECK", host, "s", Map.of("host", host));
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        synchronized (threadsOf) {
            threadsOf.add(t);
        }
        t.start();
        return done;
    }

    private static int lockWaits() {
        return jdbc.queryForObject("SELECT count(*) FROM pg_locks WHERE NOT granted", Integer.class);
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
