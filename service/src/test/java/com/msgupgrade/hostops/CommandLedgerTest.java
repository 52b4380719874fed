package com.msgupgrade.hostops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.msgupgrade.OwnTransaction;
import com.msgupgrade.audit.AuditEntry;
import com.msgupgrade.audit.AuditTrail;
import com.msgupgrade.support.Postgres;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * A run's judgement is written with its {@code COMMAND} entry, in one transaction: a run is judged, and recorded in
 * the audit trail, once, even when two tries of its step judge it (a job taken again after its lock ran out).
 */
class CommandLedgerTest {

    static JdbcTemplate jdbc;
    static CommandLedger ledger;
    static AuditTrail audit;

    @BeforeAll
    static void database() {
        String url = Postgres.newServiceDatabase();
        DriverManagerDataSource dataSource = new DriverManagerDataSource(url, "postgres", "postgres");
        jdbc = new JdbcTemplate(dataSource);
        OwnTransaction own = new OwnTransaction(new DataSourceTransactionManager(dataSource));
        ledger = new CommandLedger(jdbc, own);
        audit = new AuditTrail(jdbc, own);
        jdbc.update("INSERT INTO \"MSGSRV\".rollout (id, deployment_name, target_release, deployment_snapshot,"
                + " requested_by, requested_at, state) VALUES ('r1', 'd', '6.3', '{}', 'operator', now(), 'RUNNING')");
    }

    @Test
    void aRunJudgedTwiceKeepsItsFirstJudgementAndOneEntry() {
        String runId = "run-p1-1";
        ledger.prepared(runId, "r1", "st1", "apply-core-patch", 1, "patchadd 120228-xx", "node-a", null,
                Optional.empty());
        ledger.launched(runId);

        judge(runId, 0, "SUCCEEDED");
        assertThatThrownBy(() -> judge(runId, 1, "FAILED")).hasMessageContaining("judged already");

        assertThat(ledger.find(runId)).get().satisfies(run -> {
            assertThat(run.state()).isEqualTo(CommandLedger.State.FINISHED);
            assertThat(run.outcome()).isEqualTo("SUCCEEDED");
            assertThat(run.exitCode()).isZero();
        });
        assertThat(audit.entries("r1")).filteredOn(e -> e.detail().contains(runId)).singleElement()
                .satisfies(entry -> assertThat(entry.detail()).contains("\"outcome\":\"SUCCEEDED\""));
        assertThat(audit.verify("r1").valid()).isTrue();
    }

    @Test
    void aStepThatFailedBeforeItsRunWasPreparedIsRecordedWithNoRowToJudge() {
        judge("run-p2-1", 1, "FAILED"); // its secret not configured: the command never ran
        assertThat(ledger.find("run-p2-1")).isEmpty();
        assertThat(audit.entries("r1")).filteredOn(e -> e.detail().contains("run-p2-1")).hasSize(1);
    }

    /** What HostStepService does as it judges a changing command's run. */
    private static void judge(String runId, int exitCode, String outcome) {
        audit.recordCommitted("r1", "system", "COMMAND", "st1", "apply-core-patch",
                Map.of("runId", runId, "exitCode", exitCode, "outcome", outcome),
                () -> ledger.finished(runId, exitCode, outcome, "", ""));
    }
}
