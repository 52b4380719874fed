package com.msgupgrade.rollout;

import com.fasterxml.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

import com.msgupgrade.simulator.CommandLogEntry;
import com.msgupgrade.simulator.HostSpec;
import com.msgupgrade.simulator.SimulatedFleet;
import com.msgupgrade.simulator.SimulatedHost;
import com.msgupgrade.support.EndToEndTest;
import com.msgupgrade.support.FleetSupport;
import com.msgupgrade.support.Flow;
import com.msgupgrade.support.FreshPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import com.msgupgrade.catalog.Shell;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Each procedure and each failure decision end to end, over SSH to simulated hosts, asserting what the
 * hosts' commands.log and state files show afterwards.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "msgsrv.demo=true",
        "msgsrv.runs.poll-interval=PT1S",
        "msgsrv.runs.quick-wait=PT10S",
        "msgsrv.runs.retry-cycle=R2/PT1S"})
@ContextConfiguration(initializers = FreshPostgres.class)
class UpgradePathsEndToEndTest extends EndToEndTest {

    static final SimulatedFleet fleet = FleetSupport.start("paths", "127.0.0.51", List.of(
            HostSpec.solaris("sol60", "6.0", List.of("store")),
            HostSpec.solaris("solretry", "6.1", List.of("store")),
            HostSpec.solaris("solrollback", "6.2p3", List.of("store")).withLocales(List.of("de")),
            HostSpec.solaris("soldone", "6.2p3", List.of("store")),
            HostSpec.solaris("solundo", "6.2p3", List.of("store")),
            HostSpec.solaris("solabort", "6.2p3", List.of("store")),
            HostSpec.solaris("solhand", "6.2", List.of("store")),
            HostSpec.linux("lin62", "6.2p3", List.of("store")).withLocales(List.of("fr")),
            HostSpec.linux("lin61", "6.1", List.of("store")),
            HostSpec.solaris("solgone", "6.2p3", List.of("store")),
            HostSpec.solaris("solwork", "6.2p3", List.of("store")),
            HostSpec.solaris("solrej", "6.2p3", List.of("store")),
            HostSpec.solaris("soll10n", "6.2p3", List.of("store")).withLocales(List.of("de"))));

    @DynamicPropertySource
    static void fleetProperties(DynamicPropertyRegistry registry) {
        FleetSupport.register(registry, fleet);
    }

    @AfterAll
    static void stopFleet() {
        fleet.close();
    }

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    private String rollOut(String host) {
        flow.deploy("d-" + host, FleetSupport.deploymentJson(fleet), List.of(host), d -> {});
        return flow.startApproved("d-" + host);
    }

    /** A rollout of the host alone, its host gate approved, with a fault switched on for one of its commands. */
    private String rollOutFailing(SimulatedHost host, String command, String kind, String content) {
        host.setFault(command, kind, content);
        String id = rollOut(host.name());
        flow.approve(id, "Task_ApproveHostUpgrade");
        return id;
    }

    private static List<String> commands(SimulatedHost host, String command) {
        return host.commandLog().stream().filter(e -> e.command().equals(command))
                .map(e -> e.argLine() + " -> " + e.exitCode()).toList();
    }

    @Test
    void upgradesLinux62p3ByFresheningRpmsAfterTheNoRollbackRiskIsAccepted() {
        String id = rollOut("lin62");
        flow.approve(id, "Task_AcceptRisk");
        flow.approve(id, "Task_ApproveHostUpgrade");
        flow.finish(id);

        SimulatedHost host = fleet.host("lin62");
        assertThat(host.version()).isEqualTo("6.3");
        List<String> rpms = commands(host, "rpm");
        assertThat(rpms).containsSubsequence("-q sun-messaging-server -> 0",
                "-Fvh " + host.patchDir() + "/sun-messaging-server-6.3-13.9.i386.rpm -> 0",
                "-Fvh " + host.patchDir() + "/sun-messaging-fr-6.3-1.7.i386.rpm -> 0");
        assertThat(rpms).filteredOn(r -> r.startsWith("-Fvh")).hasSize(2);
        // the configuration of the core and of the localization patch, as on Solaris; no -f on Linux
        String patches = host.msgSvrBase() + "/install/patch/";
        assertThat(commands(host, "patch-config")).containsExactly(patches + "120230-17 -> 0",
                patches + "117786-17 -> 0");
        assertThat(commands(host, "install-newconfig")).containsExactly(patches + "120230-17 -> 0",
                patches + "117786-17 -> 0");
        assertThat(host.stateLines("rpms")).contains("sun-messaging-server-6.3-13.9", "sun-messaging-fr-6.3-1.7");
    }

    @Test
    void reinstallsLinux61WithTheNinePackagesRemovedAndAPersonMergingTheConfiguration() throws IOException {
        SimulatedHost host = fleet.host("lin61");
        Files.writeString(host.workDir().resolve("configure.state"), "FQDN=lin61.example.com\n");
        // msg.conf keeps the user/group directory's bind password in clear: the merge's evidence shows it masked
        Files.writeString(host.msgSvrBase().resolve("config/msg.conf"), "local.ugldapbindcred = s3cret-61\n",
                java.nio.file.StandardOpenOption.APPEND);
        String id = rollOut("lin61");
        flow.approve(id, "Task_AcceptRisk");
        flow.approve(id, "Task_ApproveHostUpgrade");
        String merge = flow.awaitTask(id, "Task_MergeConfiguration");
        assertThat((String) tasks.getVariable(merge, "configurationDiff"))
                .contains("< local.ugldapbindcred = ********").doesNotContain("s3cret-61");
        assertThat(flow.decide(id, "Task_MergeConfiguration", "operator",
                Map.of("decision", "merged", "decisionComment", "carried service.http.port over"))).isEqualTo(HttpStatus.NO_CONTENT);
        flow.finish(id);

        assertThat(host.version()).isEqualTo("6.3");
        List<String> log = host.commandLog().stream().map(CommandLogEntry::command).toList();
        assertThat(log).containsSubsequence("stop-msg", "rpm", "rpm", "configure", "start-msg", "imsimta");
        assertThat(commands(host, "rpm")).anySatisfy(r -> assertThat(r).startsWith("-e --noscripts sun-messaging-lib-6.1-9")
                .contains("sun-messaging-mta-6.1-9").endsWith("-> 0"));
        assertThat(commands(host, "rpm")).contains("-i " + host.patchDir() + "/sun-messaging-server-6.3-13.9.i386.rpm -> 0");
        assertThat(host.msgSvrBase().resolve("config.61-saved")).isDirectory();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM \"MSGSRV\".audit_event WHERE detail LIKE '%s3cret-61%'",
                Integer.class)).isZero();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM ACT_HI_DETAIL WHERE TEXT_ LIKE '%s3cret-61%' OR TEXT2_ LIKE"
                + " '%s3cret-61%'", Integer.class)).isZero();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM \"MSGSRV\".command_run WHERE output_excerpt LIKE"
                + " '%s3cret-61%'", Integer.class)).isZero();
        // the person merging was shown the differences of the whole configuration directory, not of msg.conf alone
        assertThat(jdbc.queryForList("SELECT detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND kind = 'COMMAND'"
                + " AND step_id = 'compare-configurations'", String.class, id)).singleElement().asString()
                .contains("diff -rq -x 'sslpassword.conf*' " + Shell.quote(host.msgSvrBase() + "/config.61-saved"))
                .contains("diff -r -x 'sslpassword.conf*' " + Shell.quote(host.msgSvrBase() + "/config.61-saved"));
        assertThat(jdbc.queryForList("SELECT detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND kind = 'DECISION'",
                String.class, id)).anyMatch(d -> d.contains("carried service.http.port over"));
    }

    @Test
    void upgrades60OnlyAfterTheUncertifiedPathIsAcceptedAndRollsItBackThroughTheApi() {
        String id = rollOut("sol60");
        flow.approve(id, "Task_AcceptRisk");
        flow.approve(id, "Task_ApproveHostUpgrade");
        flow.finish(id);
        SimulatedHost host = fleet.host("sol60");
        assertThat(host.version()).isEqualTo("6.3");
        // the deployment is registered at the release the rollout brought its host to
        String deployment = (String) api.getMap("operator", "/api/rollouts/" + id).get("deployment");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> registeredRelease(deployment, "sol60"), "6.3"::equals);
        assertThat(jdbc.queryForObject("SELECT detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND kind ="
                + " 'INVENTORY_UPDATED'", String.class, id)).contains("sol60: 6.0 -> 6.3");

        // the rollout's end decommissioned the configuration Directory Server, which the release put back reads
        ResponseEntity<String> gone = api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/rollback",
                Map.of("hosts", List.of("sol60")), String.class);
        assertThat(gone.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(gone.getBody()).contains("was decommissioned (rollout " + id + ")").contains("configDirectoryAvailable");
        assertThat(jdbc.queryForObject("SELECT config_directory_decommissioned_at FROM \"MSGSRV\".rollout WHERE id = ?",
                java.sql.Timestamp.class, id)).as("kept with the rollout, beyond the audit retention").isNotNull();
        ResponseEntity<String> rollback = api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/rollback",
                Map.of("hosts", List.of("sol60"), "configDirectoryAvailable", true), String.class);
        assertThat(rollback.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
        assertThat(jdbc.queryForObject("SELECT detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND kind ="
                + " 'ROLLBACK_REQUESTED'", String.class, id)).contains("stated that the configuration Directory Server");
        host.setFault("uninstall-newconfig", "fail-once", "1");
        flow.approve(id, "Task_ApproveRollback");
        assertThat(flow.decide(id, "Task_RestoreDirectoryServer", "operator", Map.of("backupReference", "")))
                .isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(flow.decide(id, "Task_RestoreDirectoryServer", "operator",
                Map.of("backupReference", "ds-backup-2026-11-28-0400"))).isEqualTo(HttpStatus.NO_CONTENT);
        // a failed step of the rollback itself cannot be answered by rolling back (nothing would catch it)
        assertThat(flow.decide(id, "Task_DecideOnFailure", "operator", Map.of("decision", "rollback")))
                .isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(flow.decide(id, "Task_DecideOnFailure", "operator", Map.of("decision", "retry")))
                .isEqualTo(HttpStatus.NO_CONTENT);
        flow.awaitHostState(id, "sol60", "ROLLED_BACK");

        assertThat(host.version()).isEqualTo("6.0");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> registeredRelease(deployment, "sol60"), "6.0"::equals);
        assertThat(host.commandLog().stream().map(CommandLogEntry::command).toList()).containsSubsequence(
                "start-msg", "imsimta", "stop-msg", "uninstall-newconfig", "patchrm", "start-msg", "imsimta");
        assertThat(host.stateLines("patches")).isEmpty();
        // rolled back already: a second rollback, named or by default, would stop it for nothing
        ResponseEntity<String> again = api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/rollback",
                Map.of("hosts", List.of("sol60"), "configDirectoryAvailable", true), String.class);
        assertThat(again.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(again.getBody()).contains("sol60 is ROLLED_BACK already");
        ResponseEntity<String> everyHost = api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/rollback",
                Map.of("configDirectoryAvailable", true), String.class);
        assertThat(everyHost.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(everyHost.getBody()).contains("there is nothing to roll back");
    }

    /** The release the deployment registers the host at now. */
    @SuppressWarnings("unchecked")
    private String registeredRelease(String deployment, String host) {
        return ((List<Map<String, Object>>) api.getMap("operator", "/api/deployments/" + deployment).get("hosts"))
                .stream().filter(h -> host.equals(h.get("name"))).map(h -> (String) h.get("sourceRelease"))
                .findFirst().orElseThrow();
    }

    @Test
    void refusesTheRollbackOfALinuxHostQuotingTheGuide() {
        flow.deploy("d-linux-rollback", FleetSupport.deploymentJson(fleet), List.of("lin62"), d -> {});
        String id = flow.start("d-linux-rollback");
        ResponseEntity<String> rollback = api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/rollback",
                Map.of("hosts", List.of("lin62")), String.class);
        assertThat(rollback.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(rollback.getBody()).contains("on Linux cannot be rolled back");
    }

    @Test
    void retriesAFailedPatchaddAndTheRetryAppliesIt() {
        SimulatedHost host = fleet.host("solretry");
        String id = rollOutFailing(host, "patchadd", "fail-once", "1");
        assertThat(flow.decide(id, "Task_DecideOnFailure", "operator", Map.of("decision", "retry")))
                .isEqualTo(HttpStatus.NO_CONTENT);
        flow.finish(id);
        assertThat(commands(host, "patchadd")).containsExactly(host.patchDir() + "/120228-26 -> 1",
                host.patchDir() + "/120228-26 -> 0");
        assertThat(host.version()).isEqualTo("6.3");
    }

    /**
     * install-newconfig runs for the core patch, then the localization patch, in one step. When the localization's
     * fails, the retry runs both again: its check (the core's new msg.conf is the active one) would find the step
     * done and leave the localization's new configuration uninstalled.
     */
    @Test
    void retriesAnInstallNewconfigWhoseLocalizationPartFailedWhole() throws Exception {
        SimulatedHost host = fleet.host("soll10n");
        java.nio.file.Path hang = host.dir().resolve("faults").resolve("install-newconfig.hang");
        Files.createDirectories(hang.getParent());
        Files.writeString(hang, "");
        String id = rollOut("soll10n");
        flow.approve(id, "Task_ApproveHostUpgrade");
        // both patch-configs ran; the core's install-newconfig waits: the localization's new configuration goes
        java.nio.file.Path core = host.msgSvrBase().resolve("install/patch/120228-26");
        java.nio.file.Path l10n = host.msgSvrBase().resolve("install/patch/126479-05");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                .until(() -> commands(host, "patch-config").size() == 2);
        org.springframework.util.FileSystemUtils.deleteRecursively(l10n.resolve("newconfig"));
        Files.delete(hang);
        flow.awaitTask(id, "Task_DecideOnFailure");
        assertThat(commands(host, "install-newconfig")).containsExactly("-f " + core + " -> 0", "-f " + l10n + " -> 1");

        // the operator runs the localization's patch-config again, and retries
        org.springframework.util.FileSystemUtils.copyRecursively(core.resolve("newconfig"), l10n.resolve("newconfig"));
        assertThat(flow.decide(id, "Task_DecideOnFailure", "operator", Map.of("decision", "retry")))
                .isEqualTo(HttpStatus.NO_CONTENT);
        flow.finish(id);
        assertThat(commands(host, "install-newconfig")).containsExactly("-f " + core + " -> 0", "-f " + l10n + " -> 1",
                "-f " + core + " -> 0", "-f " + l10n + " -> 0");
        assertThat(host.stateLines("newconfig")).containsExactly("120228-26", "126479-05");
    }

    @Test
    void rollsBackFromAFailedStepWhenTheOperatorDecidesSo() {
        SimulatedHost host = fleet.host("solrollback");
        String id = rollOutFailing(host, "install-newconfig", "fail", "1");
        assertThat(flow.decide(id, "Task_DecideOnFailure", "operator", Map.of("decision", "rollback")))
                .isEqualTo(HttpStatus.NO_CONTENT);
        flow.approve(id, "Task_ApproveRollback");
        flow.awaitHostState(id, "solrollback", "ROLLED_BACK");
        // the upgrade failed before its LDIF import: the Directory Server holds nothing of it to restore
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM ACT_HI_TASKINST WHERE TASK_DEF_KEY_ ="
                + " 'Task_RestoreDirectoryServer' AND PROC_INST_ID_ IN (SELECT PROC_INST_ID_ FROM ACT_HI_PROCINST WHERE"
                + " BUSINESS_KEY_ = ?)", Integer.class, id)).isZero();
        assertThat(jdbc.queryForList("SELECT kind FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND host_name ="
                + " 'solrollback'", String.class, id)).contains("DIRECTORY_RESTORE_NOT_ASKED");

        assertThat(host.version()).isEqualTo("6.2p3");
        assertThat(commands(host, "patchrm")).containsExactly("126479-05 -> 0", "120228-26 -> 0");
        assertThat(commands(host, "uninstall-newconfig")).isEmpty(); // the new configuration was never installed
        assertThat(host.stateLines("running")).contains("store");
    }

    @Test
    void marksAFailedStepDoneByHandOnlyWithAComment() {
        SimulatedHost host = fleet.host("soldone");
        String id = rollOutFailing(host, "ldapmodify", "fail", "1");
        assertThat(flow.decide(id, "Task_DecideOnFailure", "operator", Map.of("decision", "markDone")))
                .isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(flow.decide(id, "Task_DecideOnFailure", "operator",
                Map.of("decision", "markDone", "decisionComment", "imported the LDIF with the DS console"))).isEqualTo(
                HttpStatus.NO_CONTENT);
        flow.finish(id);
        assertThat(commands(host, "ldapmodify")).hasSize(1).allSatisfy(c -> assertThat(c).endsWith("-> 1"));
        // the host's restart, once (no webmail reads the store: its IMAP is left as it was)
        assertThat(commands(host, "start-msg")).containsExactly(" -> 0");
        assertThat(jdbc.queryForList("SELECT kind FROM \"MSGSRV\".audit_event WHERE rollout_id = ?", String.class, id))
                .contains("DECISION_REFUSED", "DECISION");
    }

    /**
     * install-newconfig done by hand and marked done (no run of it succeeded), then the IMAP proxy account set
     * (configutil rewrites the active msg.conf): the rollback still runs uninstall-newconfig, whose look at msg.conf
     * alone would find no new configuration installed and leave the 6.3 configuration under the 6.2p3 binaries.
     */
    @Test
    void theRollbackUninstallsANewConfigurationInstalledByHandAndMarkedDone() throws Exception {
        SimulatedHost host = fleet.host("solundo");
        host.setFault("install-newconfig", "fail", "1");
        flow.deploy("d-solundo", FleetSupport.deploymentJson(fleet), List.of("solundo"), d -> ((ObjectNode) d
                .withArray("hosts").get(0)).putObject("proxyAdmin").put("user", "webproxy")
                .put("passwordSecret", "proxy-admin"));
        String id = flow.startApproved("d-solundo");
        flow.approve(id, "Task_ApproveHostUpgrade");
        flow.awaitTask(id, "Task_DecideOnFailure");
        host.clearFault("install-newconfig", "fail");
        Process byHand = new ProcessBuilder(host.msgSvrBase().resolve("sbin/install-newconfig").toString(), "-f",
                host.msgSvrBase().resolve("install/patch/120228-26").toString()).redirectErrorStream(true).start();
        assertThat(byHand.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(byHand.exitValue()).as(new String(byHand.getInputStream().readAllBytes())).isZero();
        assertThat(flow.decide(id, "Task_DecideOnFailure", "operator", Map.of("decision", "markDone",
                "decisionComment", "ran install-newconfig by hand"))).isEqualTo(HttpStatus.NO_CONTENT);
        flow.finish(id);
        assertThat(commands(host, "configutil")).anyMatch(c -> c.contains("local.service.proxy.admin"));

        ResponseEntity<String> rollback = api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/rollback",
                Map.of("hosts", List.of("solundo"), "configDirectoryAvailable", true), String.class);
        assertThat(rollback.getStatusCode()).as(rollback.getBody()).isEqualTo(HttpStatus.ACCEPTED);
        flow.approve(id, "Task_ApproveRollback");
        assertThat(flow.decide(id, "Task_RestoreDirectoryServer", "operator",
                Map.of("backupReference", "ds-backup-solundo"))).isEqualTo(HttpStatus.NO_CONTENT);
        flow.awaitHostState(id, "solundo", "ROLLED_BACK");
        assertThat(commands(host, "uninstall-newconfig")).containsExactly("-f " + host.msgSvrBase()
                .resolve("install/patch/120228-26") + " -> 0");
        assertThat(host.stateLines("newconfig")).isEmpty();
        assertThat(host.version()).isEqualTo("6.2p3");
    }

    @Test
    void abortsTheRolloutAndRunsNothingMoreOnTheHost() {
        SimulatedHost host = fleet.host("solabort");
        String id = rollOutFailing(host, "stop-msg", "fail", "3");
        assertThat(flow.decide(id, "Task_DecideOnFailure", "auditor", Map.of("decision", "abort")))
                .isIn(HttpStatus.FORBIDDEN, HttpStatus.BAD_REQUEST);
        assertThat(flow.decide(id, "Task_DecideOnFailure", "operator",
                Map.of("decision", "abort", "decisionComment", "host is sick"))).isEqualTo(HttpStatus.NO_CONTENT);
        flow.awaitState(id, "ABORTED");
        assertThat(flow.hostState(id, "solabort")).isEqualTo("ABORTED");
        assertThat(jdbc.queryForList("SELECT detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND kind = 'HOST_STATE'"
                + " AND host_name = 'solabort' ORDER BY seq", String.class, id)).last().asString().contains("ABORTED");
        assertThat(host.commandLog().stream().map(CommandLogEntry::command)).containsExactly("imsimta", "stop-msg");
    }

    /**
     * ldapmodify -c goes on past the entries the directory refuses and ends well: the refused ones (configuration
     * missing from the directory) fail the step all the same, for a person to look at them.
     */
    @Test
    void entriesTheDirectoryRefusedFailTheImportThoughLdapmodifyEndedWell() {
        SimulatedHost host = fleet.host("solrej");
        String id = rollOutFailing(host, "ldapmodify", "reject", "");
        String decision = flow.awaitTask(id, "Task_DecideOnFailure");
        assertThat((String) tasks.getVariable(decision, "failure")).contains("import-ldif")
                .contains("the Directory Server refused 3 entries").contains("/lib/patch/ugdir_diff.rej");
        assertThat(commands(host, "ldapmodify")).singleElement().asString().endsWith("-> 0");
        assertThat(commands(host, "start-msg")).as("the host is not restarted on a partial import").isEmpty();
        assertThat(flow.decide(id, "Task_DecideOnFailure", "operator", Map.of("decision", "markDone",
                "decisionComment", "imported the refused entries with the DS console"))).isEqualTo(HttpStatus.NO_CONTENT);
        flow.finish(id);
        assertThat(host.version()).isEqualTo("6.3");
    }

    @Test
    void retriesAnUnreachableHostThenAsksAnOperatorAndRunsEachCommandOnceWhenItIsBack() {
        SimulatedHost host = fleet.host("solgone");
        String id = rollOut("solgone");
        flow.awaitTask(id, "Task_ApproveHostUpgrade");
        double unreachableBefore = unreachableSteps();
        host.stopSsh(); // the host refuses connections from now on
        try {
            flow.approve(id, "Task_ApproveHostUpgrade");
            flow.awaitTask(id, "Task_DecideOnFailure");
            assertThat((String) tasks.getVariable(flow.awaitTask(id, "Task_DecideOnFailure"), "failure"))
                    .contains("could not reach host solgone").contains("after the engine's retries");
            assertThat(unreachableSteps()).as("the step's end in the metrics").isEqualTo(unreachableBefore + 1);
            assertThat(jdbc.queryForList("SELECT step_id, detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ?"
                    + " AND kind = 'HOST_UNREACHABLE'", id)).as("and in the trail").singleElement()
                    .satisfies(e -> assertThat(e.get("step_id")).isEqualTo("stop-messaging-server"))
                    .satisfies(e -> assertThat((String) e.get("detail")).contains("after the engine's retries"));
        } finally {
            host.startSsh();
        }
        flow.retryAndResume(id);
        flow.finish(id);
        assertThat(host.version()).isEqualTo("6.3");
        for (String command : List.of("stop-msg", "patchadd", "patch-config", "install-newconfig", "ldapmodify")) {
            // stop-msg twice: the services stopped before the patch, and again in the restart after it
            assertThat(commands(host, command)).as(command).hasSize(command.equals("stop-msg") ? 2 : 1);
        }
    }

    /**
     * A host whose work directory others may write to refuses the launch of the first changing command (the service
     * writes no script nor secret where someone else could change or read it): the engine retries, then the step fails
     * into the operator's decision, with the host's answer and HOST_ERROR in the trail, not an incident nobody decides
     * on. The directory mended, a retry runs the step, and the rollout completes.
     */
    @Test
    void aWorkDirectoryOthersMayWriteToFailsTheStepIntoAnOperatorsDecision() throws Exception {
        SimulatedHost host = fleet.host("solwork");
        Files.createDirectories(host.workDir());
        Files.setPosixFilePermissions(host.workDir(),
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        String id = rollOut("solwork");
        flow.approve(id, "Task_ApproveHostUpgrade");
        assertThat((String) tasks.getVariable(flow.awaitTask(id, "Task_DecideOnFailure"), "failure"))
                .contains("failed on host solwork").contains("is not a directory of the connecting user only")
                .contains("after the engine's retries");
        assertThat(flow.hostState(id, "solwork")).isEqualTo("WAITING_DECISION");
        assertThat(progressOf("operator", id, "solwork").get("failure")).as("why, on the rollout's progress")
                .asString().contains("is not a directory of the connecting user only");
        assertThat(progressOf("approver1", id, "solwork")).as("not to a change manager: the command and its output")
                .containsEntry("state", "WAITING_DECISION").doesNotContainKey("failure");
        // paused by the default failure policy, and the rollout says so
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> "PAUSED".equals(
                api.getMap("operator", "/api/rollouts/" + id).get("control")));
        assertThat(api.getMap("approver1", "/api/rollouts/" + id).get("pausedBecause")).asString()
                .startsWith("by system: failure policy stop: a step failed on solwork");
        assertThat(jdbc.queryForList("SELECT step_id, detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ?"
                + " AND kind = 'HOST_ERROR'", id)).singleElement()
                .satisfies(e -> assertThat(e.get("step_id")).isEqualTo("stop-messaging-server"))
                .satisfies(e -> assertThat((String) e.get("detail")).contains("\"outcome\":\"HOST_ERROR\"")
                        .contains("prepared, not known to have started"));
        assertThat(commands(host, "stop-msg")).isEmpty();

        Files.setPosixFilePermissions(host.workDir(),
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        flow.retryAndResume(id);
        flow.finish(id);
        assertThat(host.version()).isEqualTo("6.3");
        assertThat(commands(host, "patchadd")).hasSize(1);
        assertThat(progressOf("operator", id, "solwork")).containsEntry("state", "UPGRADED")
                .doesNotContainKey("failure");
    }

    /** The host's entry in {@code GET /api/rollouts/{id}}. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> progressOf(String user, String rolloutId, String hostName) {
        return ((List<Map<String, Object>>) api.getMap(user, "/api/rollouts/" + rolloutId).get("hosts")).stream()
                .filter(h -> hostName.equals(h.get("host"))).findFirst().orElseThrow();
    }

    private double unreachableSteps() {
        return meters.find("msgsrv.host.steps").tag("outcome", "UNREACHABLE").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    @Test
    void doesNotRunAStepAgainWhoseEffectIsAlreadyThere() throws Exception {
        SimulatedHost host = fleet.host("solhand");
        String id = rollOutFailing(host, "install-newconfig", "fail", "1");
        flow.awaitTask(id, "Task_DecideOnFailure");
        // an operator fixes the cause and installs the new configuration by hand, then asks for a retry
        host.clearFault("install-newconfig", "fail");
        Process byHand = new ProcessBuilder(host.msgSvrBase().resolve("sbin/install-newconfig").toString(), "-f",
                host.msgSvrBase().resolve("install/patch/120228-26").toString()).start();
        assertThat(byHand.waitFor()).isZero();
        assertThat(flow.decide(id, "Task_DecideOnFailure", "operator", Map.of("decision", "retry")))
                .isEqualTo(HttpStatus.NO_CONTENT);
        flow.finish(id);

        assertThat(commands(host, "install-newconfig")).hasSize(2)
                .containsExactly("-f " + host.msgSvrBase() + "/install/patch/120228-26 -> 1",
                        "-f " + host.msgSvrBase() + "/install/patch/120228-26 -> 0");
        assertThat(jdbc.queryForList("SELECT detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND kind = 'CHECK'"
                + " AND step_id = 'install-newconfig'", String.class, id)).anyMatch(d -> d.contains("ALREADY_DONE"));
        assertThat(host.version()).isEqualTo("6.3");
    }
}
