package com.msgupgrade.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.msgupgrade.OwnTransaction;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Evidence kept on H2, the service's default database: once per rollout and text, also when two gates keep the same
 * text at the same moment (the empty warnings of every host's gate), neither gate's transaction failing for it.
 */
class AuditEvidenceOnH2Test {

    static JdbcTemplate jdbc;
    static AuditTrail audit;
    static TransactionTemplate transaction;

    @BeforeAll
    static void database() {
        String url = "jdbc:h2:mem:evidence-" + java.util.UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        Flyway.configure().dataSource(url, "sa", "").schemas("MSGSRV").defaultSchema("MSGSRV").createSchemas(true)
                .locations("classpath:db/migration/common", "classpath:db/migration/h2").load().migrate();
        DriverManagerDataSource dataSource = new DriverManagerDataSource(url, "sa", "");
        jdbc = new JdbcTemplate(dataSource);
        DataSourceTransactionManager transactions = new DataSourceTransactionManager(dataSource);
        transaction = new TransactionTemplate(transactions);
        audit = new AuditTrail(jdbc, new OwnTransaction(transactions));
    }

    @Test
    void aTextIsKeptOnceAndGivenBackByItsHash() {
        String sha = audit.keepEvidence("r-1", "stop-msg\npatchadd 120228-xx");
        assertThat(audit.keepEvidence("r-1", "stop-msg\npatchadd 120228-xx")).isEqualTo(sha)
                .isEqualTo(AuditTrail.sha256("stop-msg\npatchadd 120228-xx"));
        assertThat(audit.evidence("r-1", sha)).contains("stop-msg\npatchadd 120228-xx");
        assertThat(audit.evidence("r-2", sha)).as("another rollout's").isEmpty();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM \"MSGSRV\".audit_evidence", Integer.class)).isOne();
    }

    @Test
    void aChainIsAppendedVerifiedAndReadAsPurgedOnH2() {
        jdbc.update("INSERT INTO \"MSGSRV\".rollout (id, deployment_name, target_release, deployment_snapshot,"
                + " requested_by, requested_at, state) VALUES ('r-h2', 'd', '6.3', '{}', 'operator', CURRENT_TIMESTAMP,"
                + " 'RUNNING')");
        audit.recordCommitted("r-h2", "operator", "ROLLOUT_REQUESTED", null, null, java.util.Map.of());
        audit.recordCommitted("r-h2", "system", "COMMAND", "ms1", "s", java.util.Map.of("n", 1));
        assertThat(audit.verify("r-h2").valid()).isTrue();
        assertThat(audit.entries("r-h2")).hasSize(2);

        // purged (AuditRetention, which on H2 has no trigger to announce itself to)
        jdbc.update("INSERT INTO \"MSGSRV\".audit_purge (rollout_id, entries, last_hash, retention, purged_at) SELECT id,"
                + " audit_seq, audit_hash, 'PT0S', CURRENT_TIMESTAMP FROM \"MSGSRV\".rollout WHERE id = 'r-h2'");
        jdbc.update("DELETE FROM \"MSGSRV\".audit_event WHERE rollout_id = 'r-h2'");
        jdbc.update("UPDATE \"MSGSRV\".rollout SET audit_seq = 0, audit_hash = NULL WHERE id = 'r-h2'");
        AuditTrail.Verification purged = audit.verify("r-h2");
        assertThat(purged.valid()).isTrue();
        assertThat(purged.message()).contains("the chain of 2 entries was purged at");
    }

    @Test
    void twoGatesKeepingTheSameTextAtOnceBothCommit() throws Exception {
        CountDownLatch kept = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> transaction.execute(status -> {
            String sha = audit.keepEvidence("r-3", "");
            kept.countDown();
            await(release);
            return sha;
        }));
        assertThat(kept.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<String> second = new CompletableFuture<>();
        Thread secondGate = new Thread(() -> {
            try {
                second.complete(transaction.execute(status -> audit.keepEvidence("r-3", "")));
            } catch (RuntimeException e) {
                second.completeExceptionally(e);
            }
        });
        secondGate.start();
        // the second meets the first's row, not yet committed, and waits for it (H2 checks the key again and again)
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).pollInterval(
                java.time.Duration.ofMillis(10)).until(() -> second.isDone() || java.util.Arrays.stream(
                        secondGate.getStackTrace()).anyMatch(frame -> frame.getMethodName().equals("checkUnique")));
        assertThat(second.isDone()).as("the second gate waits for the first").isFalse();
        release.countDown();
        assertThat(first.get(20, TimeUnit.SECONDS)).isEqualTo(second.get(20, TimeUnit.SECONDS));
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM \"MSGSRV\".audit_evidence WHERE rollout_id = 'r-3'",
                Integer.class)).isOne();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
