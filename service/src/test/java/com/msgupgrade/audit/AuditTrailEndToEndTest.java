package com.msgupgrade.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.msgupgrade.simulator.CommandLogEntry;
import com.msgupgrade.simulator.HostSpec;
import com.msgupgrade.simulator.SimulatedFleet;
import com.msgupgrade.simulator.SimulatedHost;
import com.msgupgrade.support.Api;
import com.msgupgrade.support.FleetSupport;
import com.msgupgrade.support.Flow;
import com.msgupgrade.support.FreshPostgres;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The audit trail of a real rollout: complete (every decision, every command with its exit code, as the
 * host's commands.log shows), exportable as JSON and CSV, tamper-evident, readable by the right people,
 * and still whole after the engine's history cleanup removed the rollout.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "msgsrv.demo=true",
        "msgsrv.runs.poll-interval=PT1S",
        "camunda.bpm.generic-properties.properties.history-cleanup-strategy=endTimeBased"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ContextConfiguration(initializers = FreshPostgres.class)
class AuditTrailEndToEndTest {

    static final SimulatedFleet fleet = FleetSupport.start("audit", "127.0.0.61", List.of(
            HostSpec.solaris("ms1", "6.2p3", List.of("store")).withLocales(List.of("de"))));
    static final ObjectMapper JSON = new ObjectMapper();
    /** Simulated commands a command line of the catalog can invoke. */
    static final Set<String> HOST_COMMANDS = Set.of("stop-msg", "start-msg", "imsimta", "patchadd", "patchrm",
            "showrev", "rpm", "patch-config", "install-newconfig", "uninstall-newconfig", "configutil", "ldapmodify",
            "useconfig", "configure", "pgrep", "zonename");

    /**
     * Commands a command line runs to decide what it does next ({@code pgrep … || start-msg imap}): their own exit
     * status, which may well be 1, is not the line's.
     */
    static final Set<String> PROBES = Set.of("pgrep", "zonename");

    @DynamicPropertySource
    static void fleetProperties(DynamicPropertyRegistry registry) {
        FleetSupport.register(registry, fleet);
    }

    @AfterAll
    void stopFleet() {
        fleet.close();
    }

    @Autowired
    TestRestTemplate rest;
    @Autowired
    TaskService tasks;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    PlatformTransactionManager transactions;
    @Autowired
    HistoryService history;
    @Autowired
    RepositoryService repository;
    @Autowired
    IdentityService identities;

    String rolloutId;
    List<Map<String, Object>> exported;

    @BeforeAll
    void runARollout() {
        Api api = new Api(rest);
        Flow flow = new Flow(api, tasks);
        flow.deploy("audited", FleetSupport.deploymentJson(fleet), List.of("ms1"), d -> ((com.fasterxml.jackson.databind.node.ObjectNode)
                d.withArray("hosts").get(0)).putObject("proxyAdmin").put("user", "webproxy").put("passwordSecret", "proxy-admin"));
        fleet.host("ms1").setFault("ldapmodify", "fail-once", "1");
        rolloutId = flow.startApproved("audited");
        assertThat(flow.decide(rolloutId, "Task_ApproveHostUpgrade", "operator", Map.of("decision", "approve")))
                .isEqualTo(HttpStatus.FORBIDDEN);
        flow.approve(rolloutId, "Task_ApproveHostUpgrade");
        // a refused decision names the failure it was shown: kept with its entry, though its own transaction rolled back
        assertThat(flow.decide(rolloutId, "Task_DecideOnFailure", "operator", Map.of("decision", "maybe")))
                .isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(flow.decide(rolloutId, "Task_DecideOnFailure", "operator", Map.of("decision", "retry")))
                .isEqualTo(HttpStatus.NO_CONTENT);
        flow.finish(rolloutId);
        // the trail's last entry: the deployment registered at the release the rollout brought its host to
        exported = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> exportJson("auditor"), rows -> !rows.isEmpty()
                        && "INVENTORY_UPDATED".equals(rows.get(rows.size() - 1).get("kind")));
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> exportJson(String user) {
        return new Api(rest).call(user, HttpMethod.GET, "/api/rollouts/" + rolloutId + "/audit", null, List.class)
                .getBody();
    }

    private Map<String, Object> verify() {
        return new Api(rest).getMap("auditor", "/api/rollouts/" + rolloutId + "/audit/verify");
    }

    @Test
    @Order(1)
    void exportsEveryDecisionAndEveryCommandAsTheHostRanThem() {
        assertThat(exported).anySatisfy(r -> assertThat(r).containsEntry("kind", "DECISION")
                .containsEntry("actor", "approver1").containsEntry("decision", "approve"));
        assertThat(exported).anySatisfy(r -> assertThat(r).containsEntry("kind", "DECISION_REFUSED")
                .containsEntry("actor", "operator"));
        assertThat(exported).anySatisfy(r -> assertThat(r).containsEntry("kind", "DECISION")
                .containsEntry("actor", "operator").containsEntry("decision", "retry"));

        // every command the host logged is in the trail, with the same exit code, as often as it ran
        SimulatedHost ms1 = fleet.host("ms1");
        Map<String, List<Integer>> fromHost = new HashMap<>();
        for (CommandLogEntry e : ms1.commandLog()) {
            fromHost.computeIfAbsent(e.command(), k -> new ArrayList<>()).add(e.exitCode());
        }
        Map<String, List<Integer>> fromTrail = new HashMap<>();
        for (Map<String, Object> r : exported) {
            if (!List.of("COMMAND", "CHECK").contains(r.get("kind"))) {
                continue;
            }
            assertThat(r.get("exitCode")).as("exit code of " + r.get("command")).isNotNull();
            assertThat((String) r.get("outputSha256")).hasSize(64);
            for (String invoked : invokedCommands((String) r.get("command"))) {
                // a line of several commands ends with the exit code of the last; the earlier ones succeeded
                fromTrail.computeIfAbsent(invoked, k -> new ArrayList<>()).add((Integer) r.get("exitCode"));
            }
        }
        assertThat(fromTrail.keySet()).isEqualTo(fromHost.keySet());
        fromHost.forEach((command, exits) -> {
            if (PROBES.contains(command)) {
                assertThat(fromTrail.get(command)).as(command).hasSameSizeAs(exits);
            } else {
                assertThat(fromTrail.get(command)).as(command).containsExactlyInAnyOrderElementsOf(exits);
            }
        });
        assertThat(fromHost.get("ldapmodify")).containsExactly(1, 0);
    }

    /** The simulated host commands a catalog command line invokes, in order. */
    static List<String> invokedCommands(String commandLine) {
        List<String> invoked = new ArrayList<>();
        for (String word : commandLine.split("[\\s;|&(){}`]+")) {
            String name = word.replace("'", "");
            name = name.substring(name.lastIndexOf('/') + 1);
            if (HOST_COMMANDS.contains(name)) {
                invoked.add(name);
            }
        }
        return invoked;
    }

    @Test
    @Order(2)
    void exportsTheSameRowsAsCsvThatAStandardParserReadsFieldForField() throws Exception {
        String csv = new Api(rest).call("auditor", HttpMethod.GET, "/api/rollouts/" + rolloutId + "/audit?format=csv",
                null, String.class).getBody();
        List<CSVRecord> records = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(csv)).getRecords();
        assertThat(records).hasSize(exported.size());
        for (int i = 0; i < records.size(); i++) {
            for (String column : AuditExport.COLUMNS) {
                Object expected = exported.get(i).get(column);
                String text = expected == null ? "" : expected.toString();
                assertThat(records.get(i).get(column)).as(column + " of row " + i).isEqualTo(
                        AuditExport.READ_OUT_OF_DETAIL.contains(column) ? AuditExport.notAFormula(text) : text);
            }
        }
        // output excerpts with quotes, commas and newlines survived: the detail column is JSON again
        assertThat(records).anySatisfy(r -> assertThat(r.get("detail")).contains("\\n").contains(","));
        for (CSVRecord r : records) {
            assertThat(JSON.readTree(r.get("detail")).isObject()).isTrue();
        }
    }

    /**
     * An auditor verifies the chain from the CSV export alone, with the rule the README gives: each hash the SHA-256
     * (hex) of rolloutId, seq, recordedAt, actor, kind, host, step, detail and prevHash joined by U+001F (an empty host
     * or step as the text "null"), the first prevHash 64 zeros, and the last entry the head the export's headers name.
     */
    @Test
    @Order(2)
    void anAuditorVerifiesTheChainFromTheCsvExportAlone() throws Exception {
        var response = new Api(rest).call("auditor", HttpMethod.GET, "/api/rollouts/" + rolloutId + "/audit?format=csv",
                null, String.class);
        List<CSVRecord> records = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(response.getBody())).getRecords();
        String prev = "0".repeat(64);
        for (CSVRecord r : records) {
            assertThat(r.get("prevHash")).as("link of entry " + r.get("seq")).isEqualTo(prev);
            String canonical = String.join("\u001f", r.get("rolloutId"), r.get("seq"), r.get("recordedAt"),
                    r.get("actor"), r.get("kind"), r.get("host").isEmpty() ? "null" : r.get("host"),
                    r.get("step").isEmpty() ? "null" : r.get("step"), r.get("detail"), r.get("prevHash"));
            String hash = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(canonical.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            assertThat(r.get("hash")).as("hash of entry " + r.get("seq")).isEqualTo(hash);
            prev = hash;
        }
        assertThat(records).isNotEmpty().allSatisfy(r -> assertThat(r.get("rolloutId")).isEqualTo(rolloutId));
        assertThat(response.getHeaders().getFirst("Audit-Head-Seq")).isEqualTo(String.valueOf(records.size()));
        assertThat(response.getHeaders().getFirst("Audit-Head-Hash")).isEqualTo(prev);
    }

    @Test
    @Order(3)
    void verifiesTheChainAndNamesTheEntryWhoseAnyColumnWasChanged() {
        assertThat(verify()).containsEntry("valid", true);
        long seq = 5;
        Map<String, Object> original = jdbc.queryForMap(
                "SELECT * FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND seq = ?", rolloutId, seq);
        // every column but the surrogate key id, which is not evidence (entries are ordered by seq)
        Map<String, String> tamper = Map.of(
                "rollout_id", "'r-other'", "seq", "seq + 1000", "recorded_at", "recorded_at + INTERVAL '1' SECOND",
                "actor", "'mallory'", "kind", "'TAMPERED'", "host_name", "'ms9'", "step_id", "'tampered-step'",
                "detail", "'{}'", "prev_hash", "'" + "1".repeat(64) + "'", "hash", "'" + "2".repeat(64) + "'");
        tamper.forEach((column, value) -> {
            tamper("UPDATE \"MSGSRV\".audit_event SET " + column + " = " + value
                    + " WHERE rollout_id = ? AND seq = ?", rolloutId, seq);
            Map<String, Object> result = verify();
            assertThat(result).as(column).containsEntry("valid", false);
            assertThat(((Number) result.get("firstBadSeq")).longValue()).as(column).isEqualTo(seq);
            restore(original);
            assertThat(verify()).as("restored " + column).containsEntry("valid", true);
        });
    }

    /**
     * Changes or deletions past the append-only trigger (V2), which refuses an ordinary UPDATE or DELETE: as a
     * superuser could (or a session announcing itself as the purge). The chain must show them all the same.
     */
    private void tamper(String sql, Object... args) {
        assertThatThrownBy(() -> jdbc.update(sql, args)).hasMessageContaining("audit_event is append-only");
        pastTheTrigger(sql, args);
    }

    private void pastTheTrigger(String sql, Object... args) {
        new TransactionTemplate(transactions).executeWithoutResult(tx -> {
            jdbc.execute("SET LOCAL session_replication_role = replica"); // triggers off, for this transaction
            jdbc.update(sql, args);
        });
    }

    private void restore(Map<String, Object> o) {
        pastTheTrigger("DELETE FROM \"MSGSRV\".audit_event WHERE id = ?", o.get("id"));
        jdbc.update("INSERT INTO \"MSGSRV\".audit_event (id, rollout_id, seq, recorded_at, actor, kind, host_name, step_id,"
                + " detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)", o.get("id"), o.get("rollout_id"),
                o.get("seq"), o.get("recorded_at"), o.get("actor"), o.get("kind"), o.get("host_name"), o.get("step_id"),
                o.get("detail"), o.get("prev_hash"), o.get("hash"));
    }

    @Test
    @Order(4)
    void detectsADeletedEntryInTheMiddleAndAtTheEnd() {
        Map<String, Object> middle = jdbc.queryForMap(
                "SELECT * FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND seq = 3", rolloutId);
        tamper("DELETE FROM \"MSGSRV\".audit_event WHERE id = ?", middle.get("id"));
        assertThat(verify()).containsEntry("valid", false).containsEntry("firstBadSeq", 3);
        restore(middle);

        Map<String, Object> last = jdbc.queryForMap("SELECT * FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND seq ="
                + " (SELECT MAX(seq) FROM \"MSGSRV\".audit_event WHERE rollout_id = ?)", rolloutId, rolloutId);
        tamper("DELETE FROM \"MSGSRV\".audit_event WHERE id = ?", last.get("id"));
        assertThat(verify()).containsEntry("valid", false);
        restore(last);
        assertThat(verify()).containsEntry("valid", true);
    }

    /**
     * Whoever writes the database as the service does can remove the last entries and move the rollout's head back
     * (the hash has no key): the chain left links. A head kept from an earlier export shows it.
     */
    @Test
    @Order(4)
    void aHeadKeptFromAnExportShowsAChainCutAndItsHeadMovedBack() {
        var export = new Api(rest).call("auditor", HttpMethod.GET, "/api/rollouts/" + rolloutId + "/audit", null,
                String.class);
        String keptSeq = export.getHeaders().getFirst("Audit-Head-Seq");
        String keptHash = export.getHeaders().getFirst("Audit-Head-Hash");
        String anchored = "/api/rollouts/" + rolloutId + "/audit/verify?seq=" + keptSeq + "&hash=" + keptHash;
        assertThat(new Api(rest).getMap("auditor", anchored)).containsEntry("valid", true);

        Map<String, Object> last = jdbc.queryForMap("SELECT * FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND seq = ?",
                rolloutId, Long.parseLong(keptSeq));
        Map<String, Object> head = jdbc.queryForMap("SELECT audit_seq, audit_hash FROM \"MSGSRV\".rollout WHERE id = ?",
                rolloutId);
        new TransactionTemplate(transactions).executeWithoutResult(tx -> {
            jdbc.queryForList("SELECT set_config('msgsrv.audit_purge', 'on', true)");
            jdbc.update("DELETE FROM \"MSGSRV\".audit_event WHERE id = ?", last.get("id"));
            jdbc.update("UPDATE \"MSGSRV\".rollout SET audit_seq = audit_seq - 1, audit_hash = ? WHERE id = ?",
                    last.get("prev_hash"), rolloutId);
        });
        assertThat(verify()).as("the chain left links").containsEntry("valid", true);
        assertThat(new Api(rest).getMap("auditor", anchored)).containsEntry("valid", false)
                .containsEntry("firstBadSeq", Integer.parseInt(keptSeq));
        assertThat(new Api(rest).call("auditor", HttpMethod.GET, "/api/rollouts/" + rolloutId + "/audit/verify?seq="
                + keptSeq, null, String.class).getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        org.springframework.http.ResponseEntity<String> notANumber = new Api(rest).call("auditor", HttpMethod.GET, "/api/rollouts/" + rolloutId
                + "/audit/verify?seq=abc&hash=" + keptHash, null, String.class);
        assertThat(notANumber.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(notANumber.getBody()).contains("parameter 'seq' must be a whole number").contains("'abc'");

        restore(last);
        jdbc.update("UPDATE \"MSGSRV\".rollout SET audit_seq = ?, audit_hash = ? WHERE id = ?", head.get("audit_seq"),
                head.get("audit_hash"), rolloutId);
        assertThat(new Api(rest).getMap("auditor", anchored)).containsEntry("valid", true);
    }

    @Test
    @Order(5)
    void letsAuditorsAndTheRequestingOperatorReadAndNobodyElse() {
        if (identities.createUserQuery().userId("operator2").count() == 0) {
            User other = identities.newUser("operator2");
            other.setPassword("demo");
            identities.saveUser(other);
            identities.createMembership("operator2", "operators");
        }
        Api api = new Api(rest);
        String path = "/api/rollouts/" + rolloutId + "/audit";
        assertThat(api.call("auditor", HttpMethod.GET, path, null, String.class).getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(api.call("operator", HttpMethod.GET, path, null, String.class).getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(api.call("operator2", HttpMethod.GET, path, null, String.class).getStatusCode())
                .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(api.call("approver1", HttpMethod.GET, path, null, String.class).getStatusCode())
                .isEqualTo(HttpStatus.FORBIDDEN);
        var page = api.call("auditor", HttpMethod.GET, "/rollouts/" + rolloutId + "/audit", null, String.class);
        assertThat(page.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(page.getBody()).contains("<svg").contains("HostUpgradeSolaris").contains("ms1 — UPGRADED")
                .contains("the chain of")
                // the failed ldapmodify: why it failed, and what it answered
                .contains("<b>failure</b>: <pre>exit code 1</pre>").contains("<b>outputExcerpt</b>: <pre>");
    }

    @Test
    @Order(6)
    void keepsTheWholeTrailAfterTheEnginesHistoryCleanupRemovedTheRollout() {
        assertThat(history.createHistoricProcessInstanceQuery().processInstanceBusinessKey(rolloutId).count()).isPositive();
        for (ProcessDefinition definition : repository.createProcessDefinitionQuery().list()) {
            repository.updateProcessDefinitionHistoryTimeToLive(definition.getId(), 0);
        }
        history.cleanUpHistoryAsync(true); // the job executor runs the cleanup job now
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> history
                .createHistoricProcessInstanceQuery().processInstanceBusinessKey(rolloutId).count() == 0);

        assertThat(exportJson("auditor")).isEqualTo(exported);
        assertThat(verify()).containsEntry("valid", true);

        // what the approver had before them, whole, though the gate's task variables went with the history
        Map<String, Object> decision = exported.stream().filter(r -> "DECISION".equals(r.get("kind"))
                && String.valueOf(r.get("detail")).contains("Task_ApproveHostUpgrade")).findFirst().orElseThrow();
        Map<String, Object> decided = detail(decision);
        Map<String, Object> opened = detail(exported.stream().filter(r -> "GATE_OPENED".equals(r.get("kind"))
                && detail(r).get("taskId").equals(decided.get("taskId"))).findFirst().orElseThrow());
        @SuppressWarnings("unchecked")
        Map<String, String> evidence = (Map<String, String>) decided.get("evidence");
        assertThat(evidence).containsKeys("plannedCommands", "warnings", "precheck").isEqualTo(opened.get("evidence"));
        String planned = new Api(rest).call("auditor", HttpMethod.GET, "/api/rollouts/" + rolloutId
                + "/audit/evidence/" + evidence.get("plannedCommands"), null, String.class).getBody();
        assertThat(planned).contains("patchadd").contains("install-newconfig");
        assertThat(AuditTrail.sha256(planned)).isEqualTo(evidence.get("plannedCommands"));
        // the failed ldapmodify's output, as the operator who retried it saw it
        @SuppressWarnings("unchecked")
        Map<String, String> failure = (Map<String, String>) detail(exported.stream().filter(r -> "DECISION".equals(
                r.get("kind")) && String.valueOf(r.get("detail")).contains("Task_DecideOnFailure")).findFirst()
                .orElseThrow()).get("evidence");
        assertThat(new Api(rest).call("auditor", HttpMethod.GET, "/api/rollouts/" + rolloutId + "/audit/evidence/"
                + failure.get("failure"), null, String.class).getBody()).contains("failed on host ms1");
        assertThat(new Api(rest).call("approver2", HttpMethod.GET, "/api/rollouts/" + rolloutId + "/audit/evidence/"
                + failure.get("failure"), null, String.class).getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        // every text an entry names is there, a refused decision's included
        for (Map<String, Object> row : exported) {
            Object named = detail(row).get("evidence");
            if (named instanceof Map<?, ?> texts) {
                texts.values().forEach(sha -> assertThat(new Api(rest).call("auditor", HttpMethod.GET, "/api/rollouts/"
                        + rolloutId + "/audit/evidence/" + sha, null, String.class).getStatusCode())
                        .as(row.get("kind") + " " + sha).isEqualTo(HttpStatus.OK));
            }
        }
        assertThat(exported).anySatisfy(row -> assertThat(row).containsEntry("kind", "DECISION_REFUSED")
                .extractingByKey("detail").asString().contains("\"failure\":"));
        assertThatThrownBy(() -> jdbc.update("UPDATE \"MSGSRV\".audit_evidence SET content = 'nothing to see'"
                + " WHERE rollout_id = ?", rolloutId)).hasMessageContaining("append-only");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> detail(Map<String, Object> row) {
        try {
            return JSON.readValue((String) row.get("detail"), Map.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    @Order(7)
    void purgesOnlyWholeChainsOfFinishedRolloutsOlderThanTheAuditRetention() {
        // in a transaction, as the scheduler calls it through its proxy: the purge announces itself to the
        // append-only trigger for its own transaction
        var tx = new TransactionTemplate(transactions);
        int kept = tx.execute(t -> new AuditRetention(jdbc, java.time.Duration.ofDays(3650)).purge());
        assertThat(kept).isZero();
        assertThat(exportJson("auditor")).hasSameSizeAs(exported);
        // the shortest retention the service takes, as the purge would run two days from now
        int removed = tx.execute(t -> new AuditRetention(jdbc, java.time.Duration.ofDays(1))
                .purge(java.time.Instant.now().plus(java.time.Duration.ofDays(2))));
        assertThat(removed).isEqualTo(exported.size());
        assertThat(exportJson("auditor")).isEmpty();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM \"MSGSRV\".audit_evidence WHERE rollout_id = ?",
                Integer.class, rolloutId)).as("the evidence goes with its trail").isZero();
        // the trail reads as purged, with the head it had, not as an intact chain of no entries
        assertThat(verify()).containsEntry("valid", true).containsEntry("entries", 0).extractingByKey("message")
                .asString().contains("the chain of " + exported.size() + " entries was purged at")
                .contains("audit retention PT24H").contains((String) exported.get(exported.size() - 1).get("hash"));
    }
}
