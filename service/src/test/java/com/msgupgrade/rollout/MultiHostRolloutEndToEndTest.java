package com.msgupgrade.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.msgupgrade.simulator.CommandLogEntry;
import com.msgupgrade.simulator.HostSpec;
import com.msgupgrade.simulator.SimulatedFleet;
import com.msgupgrade.simulator.SimulatedHost;
import com.msgupgrade.support.EndToEndTest;
import com.msgupgrade.support.FleetSupport;
import com.msgupgrade.support.Flow;
import com.msgupgrade.support.FreshPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.function.Predicate;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A mixed fleet over SSH: two stores, a load-balanced MTA pair, an MMP, a webmail reading both stores and
 * an N+1 cluster (two active nodes, one standby). The order is asserted from the hosts' own commands.log.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "msgsrv.demo=true",
        "msgsrv.runs.poll-interval=PT1S",
        "msgsrv.rollout.parallelism=2"})
@ContextConfiguration(initializers = FreshPostgres.class)
class MultiHostRolloutEndToEndTest extends EndToEndTest {

    static final SimulatedFleet fleet = FleetSupport.start("multi", "127.0.0.91", List.of(
            HostSpec.solaris("st1", "6.2p3", List.of("store")),
            HostSpec.solaris("st2", "6.2p3", List.of("store")),
            HostSpec.solaris("mta1", "6.2p3", List.of("mta")),
            HostSpec.solaris("mta2", "6.2p3", List.of("mta")),
            HostSpec.solaris("mmp1", "6.2p3", List.of("mmp")),
            HostSpec.solaris("web1", "6.2p3", List.of("webmail")),
            HostSpec.solaris("n1", "6.2p3", List.of("store")),
            HostSpec.solaris("n2", "6.2p3", List.of("store")),
            HostSpec.solaris("nx", "6.2p3", List.of("store")),
            HostSpec.solaris("sa1", "6.2p3", List.of("mta")),
            HostSpec.solaris("sa2", "6.2p3", List.of("mta")),
            HostSpec.solaris("sa3", "6.2p3", List.of("mta")),
            HostSpec.solaris("sa4", "6.2p3", List.of("mta")),
            HostSpec.solaris("fp1", "6.2p3", List.of("mta")),
            HostSpec.solaris("fp2", "6.2p3", List.of("mta")),
            HostSpec.solaris("fp3", "6.2p3", List.of("mta")),
            HostSpec.solaris("pm1", "6.2p3", List.of("mta")),
            HostSpec.solaris("ls1", "6.2p3", List.of("mta")),
            HostSpec.solaris("bh1", "6.2p3", List.of("mta")),
            HostSpec.solaris("q1", "6.2", List.of("store")),
            HostSpec.solaris("q1x", "6.2", List.of("store")),
            HostSpec.solaris("st8", "6.2p3", List.of("store")),
            HostSpec.solaris("st9", "6.2p3", List.of("store")),
            HostSpec.solaris("web8", "6.2p3", List.of("webmail")),
            HostSpec.solaris("web9", "6.2p3", List.of("webmail")),
            HostSpec.solaris("orph", "6.2p3", List.of("store")),
            HostSpec.solaris("st7", "6.2p3", List.of("store")),
            HostSpec.solaris("cw1", "6.2p3", List.of("store", "webmail")),
            HostSpec.solaris("cwx", "6.2p3", List.of("store", "webmail")),
            HostSpec.solaris("pc1", "6.2p3", List.of("store")),
            HostSpec.solaris("pcx", "6.2p3", List.of("store")),
            HostSpec.solaris("al1", "6.2p3", List.of("store")),
            HostSpec.solaris("alx", "6.2p3", List.of("store")),
            HostSpec.solaris("lb1", "6.2p3", List.of("mta")),
            HostSpec.solaris("lb2", "6.2p3", List.of("mta")),
            HostSpec.solaris("lb3", "6.2p3", List.of("mta")),
            HostSpec.solaris("rs1", "6.2p3", List.of("store")),
            HostSpec.solaris("ab1", "6.2p3", List.of("store")),
            HostSpec.solaris("ab2", "6.2p3", List.of("store")),
            HostSpec.solaris("rb1", "6.2p3", List.of("store")),
            HostSpec.solaris("rs2", "6.2p3", List.of("store")),
            HostSpec.solaris("i63", "6.3", List.of("store")),
            HostSpec.solaris("iw1", "6.2p3", List.of("webmail")),
            HostSpec.solaris("rs3", "6.2p3", List.of("store")),
            HostSpec.solaris("cg1", "6.2p3", List.of("store")),
            HostSpec.solaris("rn1", "6.2p3", List.of("store")),
            HostSpec.solaris("rnx", "6.2p3", List.of("store")),
            HostSpec.solaris("ea1", "6.2p3", List.of("store"))));
    static final Set<String> GATES = Set.of("Task_ApproveTierDowntime", "Task_ApproveFailover",
            "Task_ApproveHostUpgrade", "Task_ReviewConflicts", "Task_AcceptRisk", "Task_ApproveSymmetricDowntime");

    @DynamicPropertySource
    static void fleetProperties(DynamicPropertyRegistry registry) {
        FleetSupport.register(registry, fleet);
    }

    @AfterAll
    static void stopFleet() {
        fleet.close();
    }

    /** Approves, as approver1, every gate of the rollout that opens, until the decommission task is there. */
    private void approveGatesUntilPostUpgrade(String rolloutId) {
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(300)).until(() -> {
            for (Task task : tasks.createTaskQuery().processInstanceBusinessKey(rolloutId).list()) {
                if (GATES.contains(task.getTaskDefinitionKey())) {
                    flow.decide(rolloutId, task.getTaskDefinitionKey(), "approver1", Map.of("decision", "approve"));
                }
                assertThat(task.getTaskDefinitionKey()).as("a step failed").isNotEqualTo("Task_DecideOnFailure");
            }
            return tasks.createTaskQuery().processInstanceBusinessKey(rolloutId)
                    .taskDefinitionKey("Task_DecommissionConfigDirectory").count() == 1;
        });
    }

    private boolean failureDecisionOpen(String rolloutId) {
        return tasks.createTaskQuery().processInstanceBusinessKey(rolloutId).taskDefinitionKey("Task_DecideOnFailure")
                .count() == 1;
    }

    /** The rollout's runs that the ledger does not know to have ended. */
    private int runsNeverJudged(String rolloutId) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM \"MSGSRV\".command_run WHERE rollout_id = ? AND state <> 'FINISHED'",
                Integer.class, rolloutId);
    }

    /** Approves, as approver1, every host's upgrade that asks, until {@code done}. */
    private void approvingHostUpgradesUntil(String rolloutId, java.util.concurrent.Callable<Boolean> done) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(() -> {
            for (Task approval : tasks.createTaskQuery().processInstanceBusinessKey(rolloutId)
                    .taskDefinitionKey("Task_ApproveHostUpgrade").list()) {
                api.call("approver1", HttpMethod.POST, "/api/approvals/" + approval.getId(),
                        Map.of("decision", "approve", "comment", ""), String.class);
            }
            return done.call();
        });
    }

    private static Instant first(SimulatedHost host, Predicate<CommandLogEntry> which) {
        return host.commandLog().stream().filter(which).map(CommandLogEntry::timestamp).min(Instant::compareTo)
                .orElseThrow(() -> new AssertionError("no such command on " + host.name()));
    }

    private static Instant last(SimulatedHost host, Predicate<CommandLogEntry> which) {
        return host.commandLog().stream().filter(which).map(CommandLogEntry::timestamp).max(Instant::compareTo)
                .orElseThrow(() -> new AssertionError("no such command on " + host.name()));
    }

    private static Predicate<CommandLogEntry> is(String command) {
        return e -> e.command().equals(command);
    }

    @Test
    @SuppressWarnings("unchecked")
    void upgradesAMixedFleetInTheGuidesOrder() {
        flow.deploy("mixed", FleetSupport.deploymentJson(fleet),
                List.of("st1", "st2", "mta1", "mta2", "mmp1", "web1", "n1", "n2", "nx"), d -> {
                    d.putArray("groups").addAll(List.of(
                            group("lb-mta", "load-balanced", List.of("mta1", "mta2"), null),
                            group("np1", "n-plus-1", List.of("n1", "n2"), "nx")));
                    ObjectNode webmail = d.putObject("webmailStores");
                    webmail.putArray("web1").add("st1").add("st2");
                    d.putObject("webmailProxyAdmin").put("user", "webadmin").put("passwordSecret", "proxy-admin");
                    // a cluster node whose IMAP proxy account differs: set during its upgrade, as on a standalone host
                    d.withArray("hosts").forEach(h -> {
                        if ("n1".equals(h.get("name").asText())) {
                            ((ObjectNode) h).putObject("proxyAdmin").put("user", "n1proxy")
                                    .put("passwordSecret", "proxy-admin");
                        }
                        // a store the webmail reaches by another name than its inventory name
                        if ("st2".equals(h.get("name").asText())) {
                            ((ObjectNode) h).put("storeHostName", "st2.mail.example.com");
                        }
                    });
                });
        // the plan has the cluster's choreography as it runs: the node's steps on the standby named, the standby last
        Map<String, Object> plan = api.getMap("operator", "/api/deployments/mixed/plan");
        List<Map<String, Object>> hosts = (List<Map<String, Object>>) plan.get("hosts");
        Map<String, Object> n1Plan = hosts.stream().filter(h -> "n1".equals(h.get("host"))).findFirst().orElseThrow();
        List<Map<String, Object>> n1Steps = (List<Map<String, Object>>) n1Plan.get("steps");
        assertThat(n1Steps).extracting(st -> st.get("stepId") + (st.get("runsOn") == null ? "" : "@" + st.get("runsOn")))
                .startsWith("verify-current-version", "verify-current-version@nx", "useconfig@nx",
                        "stop-messaging-server", "start-messaging-server@nx", "apply-core-patch");
        assertThat(n1Steps).filteredOn(st -> "useconfig".equals(st.get("stepId"))).singleElement()
                .satisfies(st -> assertThat((String) st.get("command")).contains(fleet.host("n1").msgSvrBase()
                        + "/config").contains(fleet.host("nx").msgSvrBase() + "/sbin/useconfig"));
        assertThat((List<String>) n1Plan.get("gates")).anyMatch(g -> g.contains("rolling upgrade of cluster np1"));
        Map<String, Object> nxPlan = hosts.stream().filter(h -> "nx".equals(h.get("host"))).findFirst().orElseThrow();
        assertThat((List<Map<String, Object>>) nxPlan.get("steps")).extracting(st -> st.get("stepId"))
                .containsExactly("apply-core-patch", "confirm-patches", "verify-upgrade");
        // the webmail is pointed at its stores as the last step of its own upgrade, not in a phase of the rollout's
        Map<String, Object> webPlan = hosts.stream().filter(h -> "web1".equals(h.get("host"))).findFirst().orElseThrow();
        assertThat((List<Map<String, Object>>) webPlan.get("steps")).extracting(st -> st.get("stepId"))
                .endsWith("verify-upgrade", "configure-webmail-proxy");
        assertThat((List<Map<String, Object>>) plan.get("phases")).extracting(ph -> ph.get("id"))
                .doesNotContain("webmail-proxy");

        ResponseEntity<Map> created = api.call("operator", HttpMethod.POST, "/api/rollouts",
                Map.of("deployment", "mixed", "downtimePolicy", "per-tier"), Map.class);
        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        String id = (String) created.getBody().get("id");
        flow.approveCab(id);
        flow.prepare(id);
        approveGatesUntilPostUpgrade(id);
        flow.finish(id);

        for (String host : List.of("st1", "st2", "mta1", "mta2", "mmp1", "web1", "n1", "n2", "nx")) {
            assertThat(fleet.host(host).version()).as(host).isEqualTo("6.3");
        }
        SimulatedHost st1 = fleet.host("st1");
        SimulatedHost st2 = fleet.host("st2");
        SimulatedHost web1 = fleet.host("web1");
        // the stores are upgraded and IMAP enabled on them before the webmail stops
        Instant webmailStops = first(web1, is("stop-msg"));
        for (SimulatedHost store : List.of(st1, st2)) {
            assertThat(last(store, is("start-msg"))).isBefore(webmailStops);
            assertThat(first(store, e -> e.argLine().contains("service.imap.enable -v yes"))).isBefore(webmailStops);
            // and imapd started, for the webmail to reach the store over IMAP
            assertThat(last(store, is("start-msg"))).isAfter(first(store, e -> e.argLine().contains("service.imap.enable -v yes")));
            assertThat(store.stateLines("running")).as(store.name()).contains("imap");
        }
        // the webmail's mshttpd restarted with its proxy settings, and serving
        assertThat(web1.commandLog().stream().map(e -> (e.command() + " " + e.argLine()).trim()).toList())
                .endsWith("stop-msg http", "start-msg http", "imsimta version"); // then the final verification
        assertThat(web1.stateLines("running")).contains("http");
        // the load-balanced members were each found serving (their daemons running) before the other one stopped
        assertThat(fleet.host("mta1").commandLog()).filteredOn(is("pgrep")).extracting(CommandLogEntry::argLine)
                .contains("-z global -x dispatcher", "-z global -x job_controller"); // in its own zone
        // the load-balanced pair: never both stopped at once
        SimulatedHost mta1 = fleet.host("mta1");
        SimulatedHost mta2 = fleet.host("mta2");
        boolean mta1First = first(mta1, is("stop-msg")).isBefore(first(mta2, is("stop-msg")));
        SimulatedHost firstHost = mta1First ? mta1 : mta2;
        SimulatedHost secondHost = mta1First ? mta2 : mta1;
        assertThat(first(secondHost, is("stop-msg"))).isAfter(last(firstHost, is("start-msg")));
        // the N+1 cluster: each node's services started on the standby while the node is patched; standby last
        SimulatedHost n1 = fleet.host("n1");
        SimulatedHost n2 = fleet.host("n2");
        SimulatedHost nx = fleet.host("nx");
        assertThat(nx.commandLog()).filteredOn(is("useconfig")).extracting(CommandLogEntry::argLine)
                .containsExactly(n1.msgSvrBase() + "/config", n2.msgSvrBase() + "/config");
        for (SimulatedHost node : List.of(n1, n2)) {
            Instant patched = first(node, is("patchadd"));
            assertThat(nx.commandLog()).filteredOn(is("start-msg"))
                    .anyMatch(e -> e.timestamp().isAfter(first(node, is("stop-msg"))) && e.timestamp().isBefore(patched));
        }
        assertThat(n1.stateLines("configutil")).contains("local.service.proxy.admin=n1proxy",
                "local.service.proxy.adminpass=" + FleetSupport.PROXY_PASSWORD);
        // the proxy account (a setting the start reads) before the node's start; the LDIF import (the Directory
        // Server's, not the node's) once the node serves again: its services down only for install-newconfig
        assertThat(first(n1, e -> e.argLine().startsWith("-i "))).isAfter(first(n1, is("install-newconfig")))
                .isBefore(last(n1, is("start-msg")));
        assertThat(first(n1, is("ldapmodify"))).isAfter(last(n1, is("start-msg")));
        assertThat(n2.stateLines("configutil")).doesNotContain("local.service.proxy.admin=n1proxy")
                .noneMatch(l -> l.startsWith("local.service.proxy.adminpass"));
        assertThat(n1.commandLog()).noneMatch(e -> e.argLine().contains(FleetSupport.PROXY_PASSWORD));
        Instant standbyPatched = first(nx, is("patchadd"));
        // after the nodes' own restarts (start-msg with no service: "start-msg imap" comes with the post-upgrade tasks)
        Predicate<CommandLogEntry> restart = e -> is("start-msg").test(e) && e.argLine().isEmpty();
        assertThat(standbyPatched).isAfter(last(n1, restart)).isAfter(last(n2, restart));
        // post-upgrade settings: IMAP enabled and mshttpd disabled on the back ends web1 reads; neither where no front
        // end reads a store
        for (SimulatedHost store : List.of(st1, st2)) {
            assertThat(store.stateLines("configutil")).as(store.name()).contains("service.imap.enable=yes");
        }
        for (SimulatedHost store : List.of(n1, n2)) {
            assertThat(store.stateLines("configutil")).as(store.name()).doesNotContain("service.imap.enable=yes");
        }
        for (SimulatedHost store : List.of(st1, st2)) {
            assertThat(store.stateLines("configutil")).as(store.name()).contains("service.http.enable=no");
            assertThat(store.stateLines("running")).as(store.name()).doesNotContain("http");
        }
        for (SimulatedHost store : List.of(n1, n2)) {
            assertThat(store.stateLines("configutil")).as(store.name()).doesNotContain("service.http.enable=no");
            assertThat(store.commandLog()).as(store.name()).noneMatch(e -> e.argLine().contains("service.http.enable"));
        }
        assertThat(web1.stateLines("configutil")).contains("service.http.allowadminproxy.st1=yes",
                "local.service.http.proxy.admin.st1=webadmin",
                "local.service.http.proxy.adminpass.st2.mail.example.com=" + FleetSupport.PROXY_PASSWORD)
                .noneMatch(line -> line.contains("proxy.admin.st2=") || line.contains("adminpass.st2="));
        assertThat(web1.commandLog()).noneMatch(e -> e.argLine().contains(FleetSupport.PROXY_PASSWORD));
        // imsimta version: before its upgrade, as its upgrade's last step, at the rollout's final verification
        List<Instant> versionReads = web1.commandLog().stream().filter(is("imsimta")).map(CommandLogEntry::timestamp)
                .sorted().toList();
        assertThat(versionReads).hasSize(3);
        assertThat(first(web1, is("configutil"))).as("pointed at its stores right after its own upgrade")
                .isAfter(versionReads.get(1)).isBefore(versionReads.get(2));
        assertThat(fleet.host("mmp1").version()).isEqualTo("6.3");

        // the steps of a fleet-wide phase rejoin on their group's lock (the last of a group on the rollout's too):
        // no job of the rollout failed on the engine's optimistic locking
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM ACT_HI_JOB_LOG l JOIN ACT_HI_PROCINST p"
                + " ON p.PROC_INST_ID_ = l.PROCESS_INSTANCE_ID_ WHERE p.BUSINESS_KEY_ = ? AND l.JOB_EXCEPTION_MSG_ LIKE"
                + " '%updated by another transaction%'", Integer.class, id)).isZero();
        assertThat(jdbc.queryForList("SELECT rollout_id FROM \"MSGSRV\".rollout_work_lock WHERE rollout_id LIKE ?",
                String.class, id + "/%")).contains(id + "/0", id + "/1", id + "/2");

        // the guide's caution: a 6.3 Webmail Server with an older back-end store is not supported
        ResponseEntity<String> storeFirst = api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/rollback",
                Map.of("hosts", List.of("st1", "st1")), String.class);
        assertThat(storeFirst.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(storeFirst.getBody()).contains("st1 is a back-end Message Store of web1").contains("not supported")
                .contains("roll web1 back first").contains("'st1' is named more than once");
        // rolled back, web1 is MEM again, which reads st1 and st2 through the mshttpd the rollout shut down
        ResponseEntity<String> webmail = api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/rollback",
                Map.of("hosts", List.of("web1"), "configDirectoryAvailable", true), String.class);
        assertThat(webmail.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(webmail.getBody()).contains("web1 reads the Message Stores st1, st2, whose mshttpd a rollout disabled")
                .contains("mshttpdEnabled");
        assertThat(api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/rollback", Map.of("hosts",
                List.of("web1"), "configDirectoryAvailable", true, "mshttpdEnabled", true), String.class)
                .getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
        assertThat(jdbc.queryForObject("SELECT detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND kind ="
                + " 'ROLLBACK_REQUESTED'", String.class, id)).contains("stated that mshttpd serves again");
        assertThat(flow.decide(id, "Task_ApproveRollback", "approver1", Map.of("decision", "reject",
                "decisionComment", "not today"))).isEqualTo(HttpStatus.NO_CONTENT);
        // rejected, the rollback leaves web1 as it was: at 6.3, UPGRADED again (what the rollout's end registered)
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForList("SELECT detail FROM \"MSGSRV\".audit_event"
                + " WHERE rollout_id = ? AND host_name = 'web1' AND kind = 'HOST_STATE' ORDER BY seq", String.class, id)
                .stream().reduce((first, last) -> last).orElse("").contains("\"UPGRADED\""));
        assertThat(flow.hostState(id, "web1")).isEqualTo("UPGRADED");
        assertThat(jdbc.queryForList("SELECT detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND host_name ="
                + " 'web1' AND kind = 'HOST_STATE' ORDER BY seq", String.class, id)).anyMatch(detail -> detail
                .contains("ROLLBACK_REQUESTED"));
        assertThat(web1.version()).isEqualTo("6.3");
        assertThat(tasks.createTaskQuery().processInstanceBusinessKey(id).count()).isZero();
        assertThat(st1.version()).isEqualTo("6.3");
    }

    /**
     * The guide's caution, on the way up: a webmail whose store did not reach 6.3 is left at 6.2p3 (BLOCKED, nothing run
     * on it), and a store whose webmail did not reach 6.3 keeps its mshttpd (the webmail, MEM still, reads through it);
     * with hosts not at 6.3, the configuration Directory Server is not offered for decommissioning.
     */
    @Test
    void neverPutsA63WebmailBeforeAnOlderStoreNorTakesMshttpdFromAnOlderWebmail() {
        flow.deploy("held", FleetSupport.deploymentJson(fleet), List.of("st8", "st9", "web8", "web9"), d -> {
            ObjectNode webmail = d.putObject("webmailStores");
            webmail.putArray("web8").add("st8");
            webmail.putArray("web9").add("st8").add("st9");
            d.putObject("webmailProxyAdmin").put("user", "webadmin").put("passwordSecret", "proxy-admin");
        });
        String id = flow.startApproved("held");
        await().atMost(Duration.ofMinutes(2)).until(() -> tasks.createTaskQuery().processInstanceBusinessKey(id)
                .taskDefinitionKey("Task_ApproveHostUpgrade").count() == 2);
        for (Task task : tasks.createTaskQuery().processInstanceBusinessKey(id).taskDefinitionKey("Task_ApproveHostUpgrade")
                .list()) {
            String host = (String) tasks.getVariable(task.getId(), "hostName");
            assertThat(api.call("approver1", HttpMethod.POST, "/api/approvals/" + task.getId(), Map.of("decision",
                    host.equals("st9") ? "reject" : "approve", "comment", "st9 not tonight"), String.class)
                    .getStatusCode()).as(host).isEqualTo(HttpStatus.NO_CONTENT);
        }
        // web8's store is at 6.3: web8 asks for its approval, which is rejected
        assertThat(flow.decide(id, "Task_ApproveHostUpgrade", "approver1", Map.of("decision", "reject",
                "decisionComment", "web8 next week"))).isEqualTo(HttpStatus.NO_CONTENT);
        signOffOnceBlocked(id, "web9");

        assertThat(List.of("st8", "st9", "web8", "web9").stream().map(h -> h + ":" + flow.hostState(id, h)))
                .containsExactly("st8:UPGRADED", "st9:REJECTED", "web8:REJECTED", "web9:BLOCKED");
        assertThat(fleet.host("web9").commandLog()).isEmpty();
        assertThat(fleet.host("web9").version()).isEqualTo("6.2p3");
        SimulatedHost st8 = fleet.host("st8");
        assertThat(st8.version()).isEqualTo("6.3");
        assertThat(st8.stateLines("configutil")).contains("service.imap.enable=yes")
                .doesNotContain("service.http.enable=no");
        assertThat(st8.stateLines("running")).contains("http");
        List<Map<String, Object>> audit = jdbc.queryForList("SELECT kind, host_name, detail FROM \"MSGSRV\".audit_event"
                + " WHERE rollout_id = ? ORDER BY seq", id);
        assertThat(audit).filteredOn(e -> "HOST_BLOCKED".equals(e.get("kind"))).singleElement()
                .satisfies(e -> assertThat(e.get("host_name")).isEqualTo("web9"))
                .satisfies(e -> assertThat((String) e.get("detail")).contains("st9 (REJECTED)").contains("not supported"));
        assertThat(audit).filteredOn(e -> "DECOMMISSION_NOT_OFFERED".equals(e.get("kind"))).singleElement()
                .satisfies(e -> assertThat((String) e.get("detail")).contains("st9 (REJECTED)")
                        .contains("web8 (REJECTED)").contains("web9 (BLOCKED)"));
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM ACT_HI_TASKINST t JOIN ACT_HI_PROCINST p ON"
                + " p.PROC_INST_ID_ = t.PROC_INST_ID_ WHERE p.BUSINESS_KEY_ = ? AND t.TASK_DEF_KEY_ ="
                + " 'Task_DecommissionConfigDirectory'", Integer.class, id)).isZero();
        // st8 may be rolled back: of the webmails reading it, web8 was rejected and web9 never started (BLOCKED)
        ResponseEntity<String> rollback = api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/rollback",
                Map.of("hosts", List.of("st8")), String.class);
        assertThat(rollback.getStatusCode()).as(rollback.getBody()).isEqualTo(HttpStatus.ACCEPTED);
        flow.awaitTask(id, "Task_ApproveRollback");
    }

    /**
     * The same caution for a cluster, which the guide upgrades as one (each node through the standby, the standby last
     * to the level of all the others): a node whose webmail reads a store that did not reach 6.3 keeps the whole
     * cluster from starting, so that no node is left behind a standby at another release.
     */
    @Test
    void startsNoHostOfAClusterWhoseWebmailReadsAStoreThatDidNotReach63() {
        flow.deploy("heldcluster", FleetSupport.deploymentJson(fleet), List.of("st7", "cw1", "cwx"), d -> {
            d.putArray("groups").add(group("ha7", "asymmetric-ha", List.of("cw1"), "cwx"));
            d.putObject("webmailStores").putArray("cw1").add("st7");
            d.putObject("webmailProxyAdmin").put("user", "webadmin").put("passwordSecret", "proxy-admin");
        });
        String id = flow.startApproved("heldcluster");
        assertThat(flow.decide(id, "Task_ApproveHostUpgrade", "approver1", Map.of("decision", "reject",
                "decisionComment", "st7 not tonight"))).isEqualTo(HttpStatus.NO_CONTENT);
        signOffOnceBlocked(id, "cwx");

        assertThat(List.of("st7", "cw1", "cwx").stream().map(h -> h + ":" + flow.hostState(id, h)))
                .containsExactly("st7:REJECTED", "cw1:BLOCKED", "cwx:BLOCKED");
        assertThat(fleet.host("cw1").commandLog()).isEmpty();
        assertThat(fleet.host("cwx").commandLog()).isEmpty();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM ACT_HI_TASKINST t JOIN ACT_HI_PROCINST p ON"
                + " p.PROC_INST_ID_ = t.PROC_INST_ID_ WHERE p.BUSINESS_KEY_ = ? AND t.TASK_DEF_KEY_ ="
                + " 'Task_ApproveFailover'", Integer.class, id)).as("no approval asked for a cluster that cannot start")
                .isZero();
        List<Map<String, Object>> blocked = jdbc.queryForList("SELECT host_name, detail FROM \"MSGSRV\".audit_event"
                + " WHERE rollout_id = ? AND kind = 'HOST_BLOCKED' ORDER BY seq", id);
        assertThat(blocked).extracting(e -> e.get("host_name")).containsExactly("cw1", "cwx");
        assertThat(blocked).allSatisfy(e -> assertThat((String) e.get("detail")).contains("cw1 reads the Message Store"
                + " of st7 (REJECTED)").contains("cluster of cw1, cwx is upgraded as one"));
    }

    /** Once {@code host} is BLOCKED, the rest of the rollout has run: the sign-off ends it with issues. */
    private void signOffOnceBlocked(String rolloutId, String host) {
        flow.awaitHostState(rolloutId, host, "BLOCKED");
        assertThat(flow.decide(rolloutId, "Task_SignOff", "approver1", Map.of("decision", "approve")))
                .isEqualTo(HttpStatus.NO_CONTENT);
        flow.awaitState(rolloutId, "FINISHED_WITH_ISSUES");
    }

    @Test
    void aCommandAnEarlierRolloutLeftRunningOnTheHostHoldsTheNextOneBackUntilItEnded() throws Exception {
        SimulatedHost host = fleet.host("orph");
        // a run of an earlier rollout whose connection was lost: launched, no exit status, its wrapper alive
        java.nio.file.Path orphan = host.workDir().resolve("run-of-an-earlier-rollout-1");
        java.nio.file.Files.createDirectories(orphan.resolve("launched"));
        Process wrapper = new ProcessBuilder("sleep", "300").start();
        String id;
        try {
            java.nio.file.Files.writeString(orphan.resolve("pid"), wrapper.pid() + "\n");
            flow.deploy("orphan", FleetSupport.deploymentJson(fleet), List.of("orph"), d -> {});
            id = flow.startApproved("orphan");
            flow.approve(id, "Task_ApproveHostUpgrade");
            String task = flow.awaitTask(id, "Task_DecideOnFailure");
            assertThat((String) tasks.getVariable(task, "failure")).contains("stop-messaging-server")
                    .contains("another run is still going on this host").contains("run-of-an-earlier-rollout-1")
                    .contains("this step's command did not run");
            assertThat(host.commandLog()).noneMatch(e -> e.command().equals("stop-msg"));
        } finally {
            wrapper.destroyForcibly().waitFor();
        }
        // it ended: the operator retries and resumes; stop-msg runs once
        flow.retryAndResume(id);
        flow.awaitHostState(id, "orph", "UPGRADED");
        assertThat(host.commandLog()).filteredOn(e -> e.command().equals("stop-msg")).hasSize(2); // and the restart's
        assertThat(host.version()).isEqualTo("6.3");
    }

    @Test
    void pausesResumesAndAbortsWithoutStartingNewHosts() {
        List<String> hosts = List.of("sa1", "sa2", "sa3", "sa4");
        flow.deploy("controlled", FleetSupport.deploymentJson(fleet), hosts, d -> {});
        String id = flow.start("controlled");
        assertThat(api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/pause",
                Map.of("reason", "x".repeat(2001)), String.class).getStatusCode())
                .isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/pause",
                Map.of("reason", "the storage team's change CHG-4711 overlaps"), String.class).getStatusCode())
                .isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(jdbc.queryForObject("SELECT actor || ' ' || detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND"
                + " kind = 'ROLLOUT_PAUSED'", String.class, id)).startsWith("operator ")
                .contains("\"reason\":\"the storage team's change CHG-4711 overlaps\"");
        assertThat(api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/pause", null, String.class)
                .getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        flow.approveCab(id);
        flow.prepare(id);
        // paused: the units wait, no host starts
        await().atMost(Duration.ofSeconds(30)).until(() -> waitingForSlot(id) == 4);
        assertThat(hosts).allSatisfy(h -> assertThat(fleet.host(h).commandLog()).isEmpty());
        // two slots freed one right after the other wake two units, not the same one twice (the job executor held
        // back, so that neither woken timer has fired yet)
        var jobExecutor = ((org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl) org.camunda.bpm.engine
                .ProcessEngines.getDefaultProcessEngine().getProcessEngineConfiguration()).getJobExecutor();
        jobExecutor.shutdown();
        try {
            slots.wake(id, 1);
            slots.wake(id, 1);
            assertThat(jdbc.queryForList("SELECT j.ID_ FROM ACT_RU_JOB j JOIN ACT_RU_EXECUTION e"
                    + " ON e.ID_ = j.PROCESS_INSTANCE_ID_ WHERE e.BUSINESS_KEY_ = ? AND j.DUEDATE_ <= ?", String.class,
                    id, new java.sql.Timestamp(System.currentTimeMillis()))).hasSize(2);
        } finally {
            jobExecutor.start();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> waitingForSlot(id) == 4);

        assertThat(api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/resume", null, String.class)
                .getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        // parallelism 2: two hosts start and wait for their approval, the others wait for a slot. The resume wakes
        // the waiting units: before their own poll (msgsrv.rollout.slot-poll-interval, 30 s; the deadline leaves a slow
        // machine its time)
        await().atMost(Duration.ofSeconds(25)).until(() -> approvals(id).size() == 2);
        // a host that finishes frees its slot and wakes a waiting unit, again before its own poll
        Task first = approvals(id).get(0);
        assertThat(api.call("approver2", HttpMethod.POST, "/api/approvals/" + first.getId(),
                Map.of("decision", "approve", "comment", "go"), String.class).getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        await().atMost(Duration.ofSeconds(28)).until(() -> approvals(id).size() == 2
                && approvals(id).stream().noneMatch(t -> t.getId().equals(first.getId())));

        abort(id);
        // the two waiting at their approval had changed nothing yet: approved after the abort, they do not start
        for (Task approval : approvals(id)) {
            assertThat(api.call("approver2", HttpMethod.POST, "/api/approvals/" + approval.getId(),
                    Map.of("decision", "approve", "comment", "approved late"), String.class).getStatusCode())
                    .isEqualTo(HttpStatus.NO_CONTENT);
        }
        flow.awaitState(id, "ABORTED");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(hosts.stream()
                .map(h -> flow.hostState(id, h)).sorted().toList())
                .containsExactly("NOT_STARTED", "REJECTED", "REJECTED", "UPGRADED"));
        assertThat(hosts.stream().filter(h -> fleet.host(h).commandLog().stream().anyMatch(is("stop-msg"))).count())
                .as("only the host approved before the abort was stopped").isOne();
        long untouched = hosts.stream().filter(h -> fleet.host(h).commandLog().isEmpty()).count();
        assertThat(untouched).isOne();
        assertThat(api.getMap("auditor", "/api/rollouts/" + id + "/audit/verify")).containsEntry("valid", true);
    }

    @Autowired
    RolloutControl control;
    @Autowired
    SlotWakeUp slots;
    @Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;
    @Autowired
    org.springframework.transaction.PlatformTransactionManager transactions;

    @Autowired
    ProcessStatus processStatus;
    @Autowired
    RolloutRepository rolloutRows;

    /**
     * An abort during the final verification cancels the other hosts' open decisions with the rollout: each gets
     * back the state its procedure had ended in (at 6.3, so registered), or ABORTED, not WAITING_DECISION for ever.
     */
    @Test
    void theDecisionsARolloutsEndWithdrawsLeaveTheirHostsInTheStateTheyHadEnded() {
        String id = runningRollout("withdrawn", "w1", "w2", "w3");
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = 'UPGRADED' WHERE rollout_id = ? AND host_name IN"
                + " ('w1', 'w3')", id);
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = 'RUNNING' WHERE rollout_id = ? AND host_name = 'w2'",
                id);
        rolloutRows.awaitDecision(id, "w1", "verify-upgrade failed"); // its verify-upgrade failed: at 6.3 before
        rolloutRows.awaitDecision(id, "w2", "patchadd failed"); // a step of its own upgrade failed
        var execution = org.mockito.Mockito.mock(org.camunda.bpm.engine.delegate.DelegateExecution.class);
        org.mockito.Mockito.when(execution.getVariable(RolloutProcess.ROLLOUT_ID)).thenReturn(id);
        new org.springframework.transaction.support.TransactionTemplate(transactions).executeWithoutResult(tx ->
                processStatus.rollout(execution, "ABORTED"));
        assertThat(List.of(state(id, "w1"), state(id, "w2"), state(id, "w3")))
                .containsExactly("UPGRADED", "ABORTED", "UPGRADED");
        assertThat(jdbc.queryForList("SELECT host_name FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND kind ="
                + " 'HOST_STATE' AND detail LIKE '%decision was withdrawn%' ORDER BY host_name", String.class, id))
                .containsExactly("w1", "w2");
    }

    @Test
    void aClaimIsUndoneWithTheTransactionThatAskedAndAHostThatHoldsASlotGoesAgain() {
        String id = runningRollout("claims", "c1", "c2", "c3");
        // parallelism 2
        assertThat(control.claim(id, "c1")).isEqualTo("go");
        assertThat(control.claim(id, "c2")).isEqualTo("go");
        assertThat(control.claim(id, "c3")).isEqualTo("wait");
        // c1's job failed after its claim and the engine runs it again: c1 holds its slot and goes, taking no other
        assertThat(control.claim(id, "c1")).isEqualTo("go");
        assertThat(control.claim(id, "c3")).isEqualTo("wait");

        // the claim belongs to the transaction of the job that asked: rolled back with it, the slot is free again
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = 'UPGRADED' WHERE rollout_id = ? AND host_name = 'c2'",
                id);
        new org.springframework.transaction.support.TransactionTemplate(transactions).executeWithoutResult(tx -> {
            assertThat(control.claim(id, "c3")).isEqualTo("go");
            tx.setRollbackOnly();
        });
        assertThat(state(id, "c3")).isEqualTo("NOT_STARTED");
        // units created in one transaction claim one after another in it: the last slot goes once
        new org.springframework.transaction.support.TransactionTemplate(transactions).executeWithoutResult(tx -> {
            assertThat(control.claim(id, "c3")).isEqualTo("go");
            assertThat(control.claim(id, "c2")).isEqualTo("wait");
        });
        assertThat(state(id, "c3")).isEqualTo("STARTING");
    }

    /**
     * A cluster is one slot from its first host's claim to its standby's patch: its nodes one at a time with the
     * standby they fail over to (busy from the first failover on). A node's claim goes on with the cluster's slot
     * (waiting for it, with every slot taken, it would wait for ever), and no other unit takes a slot beyond the
     * parallelism because of the cluster's two busy hosts.
     */
    @Test
    void aClusterIsOneSlotFromNodeToNodeAndAnAbortStartsNoneOfItsHosts() {
        String id = runningRolloutOf("holds", "{\"groups\": [{\"name\": \"c\", \"topology\": \"n-plus-1\","
                + " \"members\": [\"s1\", \"s2\"], \"standby\": \"sx\"}]}", "s1", "s2", "sx", "o1", "o2");
        // parallelism 2
        assertThat(control.claim(id, "s1")).isEqualTo("go");
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = 'RUNNING' WHERE rollout_id = ? AND host_name IN"
                + " ('s1', 'sx')", id);
        // s1 and its standby are the cluster's one slot: o1 takes the other
        assertThat(control.claim(id, "o1")).isEqualTo("go");
        assertThat(control.claim(id, "o2")).isEqualTo("wait");
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = 'UPGRADED' WHERE rollout_id = ? AND host_name = 's1'", id);
        // the standby still holds the cluster's slot: the next node goes on with it, o2 still waits
        assertThat(control.claim(id, "o2")).isEqualTo("wait");
        assertThat(control.claim(id, "s2")).isEqualTo("go");
        assertThat(control.claim(id, "sx")).isEqualTo("go");
        assertThat(control.claim(id, "o2")).isEqualTo("wait");

        // a cluster reached while the rollout aborts starts none of its hosts
        String other = runningRollout("aborted", "a1", "ax");
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = 'PENDING' WHERE rollout_id = ?", other);
        control.abort(other, "operator");
        assertThat(control.clusterMayStart(other, List.of("a1"), "ax")).isEqualTo("skip");
        assertThat(List.of(state(other, "a1"), state(other, "ax"))).containsOnly("NOT_STARTED");
        assertThat(jdbc.queryForList("SELECT host_name FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND kind ="
                + " 'HOST_STATE' AND detail LIKE '%aborting when its turn came%' ORDER BY host_name", String.class, other))
                .as("in the trail").containsExactly("a1", "ax");
    }

    /**
     * A host rolled back within the rollout (an operator's "rollback" on its failed step) holds its slot from the
     * request to its end: its rollback's steps stop it and run without claiming again, so a slot freed at the request
     * would have the rollout run one host more than its parallelism.
     */
    @Test
    void aHostBeingRolledBackKeepsItsSlot() {
        String id = runningRollout("rbslot", "k1", "k2", "k3"); // parallelism 2
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = 'RUNNING' WHERE rollout_id = ? AND host_name = 'k2'", id);
        for (String rollingBack : List.of("ROLLBACK_REQUESTED", "AWAITING_ROLLBACK_APPROVAL",
                "AWAITING_DIRECTORY_RESTORE", "RUNNING")) {
            jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = ? WHERE rollout_id = ? AND host_name = 'k1'",
                    rollingBack, id);
            assertThat(control.claim(id, "k3")).as(rollingBack).isEqualTo("wait");
        }
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = 'ROLLED_BACK' WHERE rollout_id = ? AND host_name = 'k1'",
                id);
        assertThat(control.claim(id, "k3")).isEqualTo("go");
    }

    /**
     * A store read by the webmail of a cluster's node may not be rolled back once the cluster has begun, even while
     * that node waits for its turn: the cluster goes on node by node, its standby patched last.
     */
    @Test
    void refusesToRollBackAStoreReadByTheWebmailOfANodeOfABegunCluster() {
        String host = "{\"address\": \"10.9.9.%d\", \"os\": \"solaris\", \"arch\": \"sparc\", \"msgSvrBase\":"
                + " \"/opt/SUNWmsgsr\", \"sourceRelease\": \"6.2p3\", \"name\": \"%s\", \"components\": [%s]}";
        String id = runningRolloutOf("begun", "{\"hosts\": [" + String.format(host, 1, "rs", "\"store\"") + ", "
                + String.format(host, 2, "rc1", "\"store\", \"webmail\"") + ", "
                + String.format(host, 3, "rc2", "\"store\"") + ", " + String.format(host, 4, "rcx", "\"store\"")
                + "], \"groups\": [{\"name\": \"rc\", \"topology\": \"n-plus-1\", \"members\": [\"rc2\", \"rc1\"],"
                + " \"standby\": \"rcx\"}], \"webmailStores\": {\"rc1\": [\"rs\"]}}", "rs", "rc1", "rc2", "rcx");
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = 'UPGRADED' WHERE rollout_id = ? AND host_name = 'rs'", id);
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = 'RUNNING' WHERE rollout_id = ? AND host_name IN"
                + " ('rc2', 'rcx')", id);
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = 'PENDING' WHERE rollout_id = ? AND host_name = 'rc1'", id);
        ResponseEntity<String> rollback = api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/rollback",
                Map.of("hosts", List.of("rs")), String.class);
        assertThat(rollback.getStatusCode()).as(rollback.getBody()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(rollback.getBody()).contains("rs is a back-end Message Store of rc1");
        for (String clusterHost : List.of("rc2", "rcx")) {
            jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = 'UPGRADED' WHERE rollout_id = ? AND host_name = ?",
                    id, clusterHost);
            ResponseEntity<String> refused = api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/rollback",
                    Map.of("hosts", List.of(clusterHost)), String.class);
            assertThat(refused.getStatusCode()).as(refused.getBody()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
            assertThat(refused.getBody()).contains(clusterHost + " is a host of the n-plus-1 cluster rc")
                    .contains("avoid reverting back to the 6.2p3 binaries");
        }
        assertThat(rollbacksOf(id)).as("no rollback started").isZero();
    }

    /**
     * A store whose webmail has claimed its turn (awaiting its approval or its risk acceptance) may not be rolled
     * back: approved, the webmail is upgraded without another look at its stores, and would read a 6.2p3 store at 6.3.
     * Nor may a node of a symmetric-HA pair (the guide's High Availability Clusters: each node takes over its partner's
     * store, and once 6.3 has used a configuration, going back to 6.2p3 is to be avoided).
     */
    @Test
    void refusesToRollBackAStoreWhoseWebmailAwaitsItsApprovalAndANodeOfASymmetricPair() {
        String host = "{\"address\": \"10.9.6.%d\", \"os\": \"solaris\", \"arch\": \"sparc\", \"msgSvrBase\":"
                + " \"/opt/SUNWmsgsr\", \"sourceRelease\": \"6.2p3\", \"name\": \"%s\", \"components\": [%s]}";
        String id = runningRolloutOf("awaitweb", "{\"hosts\": [" + String.format(host, 1, "as", "\"store\"") + ", "
                + String.format(host, 2, "aw", "\"webmail\"") + ", " + String.format(host, 3, "sy1", "\"store\"") + ", "
                + String.format(host, 4, "sy2", "\"store\"") + "], \"groups\": [{\"name\": \"sy\", \"topology\":"
                + " \"symmetric-ha\", \"members\": [\"sy1\", \"sy2\"]}], \"webmailStores\": {\"aw\": [\"as\"]}}",
                "as", "aw", "sy1", "sy2");
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = 'UPGRADED' WHERE rollout_id = ? AND host_name IN"
                + " ('as', 'sy1', 'sy2')", id);
        for (String awaiting : List.of("AWAITING_APPROVAL", "AWAITING_RISK_ACCEPTANCE")) {
            jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = ? WHERE rollout_id = ? AND host_name = 'aw'",
                    awaiting, id);
            ResponseEntity<String> refused = api.call("operator", HttpMethod.POST, "/api/rollouts/" + id
                    + "/rollback", Map.of("hosts", List.of("as")), String.class);
            assertThat(refused.getStatusCode()).as(refused.getBody()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
            assertThat(refused.getBody()).as(awaiting).contains("as is a back-end Message Store of aw");
        }
        // upgraded, the webmail waits for the rollout's end: its phase would disable mshttpd under a MEM again
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = 'UPGRADED' WHERE rollout_id = ? AND host_name = 'aw'",
                id);
        ResponseEntity<String> webmail = api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/rollback",
                Map.of("hosts", List.of("aw")), String.class);
        assertThat(webmail.getStatusCode()).as(webmail.getBody()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(webmail.getBody()).contains("aw is the webmail front end of as, and rollout " + id
                + " has not ended");
        ResponseEntity<String> pair = api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/rollback",
                Map.of("hosts", List.of("sy1")), String.class);
        assertThat(pair.getStatusCode()).as(pair.getBody()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(pair.getBody()).contains("sy1 is a host of the symmetric-ha cluster sy")
                .contains("avoid reverting back to the 6.2p3 binaries");
        assertThat(rollbacksOf(id)).as("no rollback started").isZero();
    }

    /**
     * A rollback stops its host: a load-balanced group's members are rolled back one at a time, each while the
     * others serve, as the guide upgrades them. Two members in one request are refused, and so is a member whose
     * group has another one down (claimed by the rollout, or being rolled back).
     */
    @Test
    void rollsBackALoadBalancedGroupOneMemberAtATimeWhileTheOthersServe() {
        String host = "{\"address\": \"10.9.5.%d\", \"os\": \"solaris\", \"arch\": \"sparc\", \"msgSvrBase\":"
                + " \"/opt/SUNWmsgsr\", \"sourceRelease\": \"6.2p3\", \"name\": \"%s\", \"components\": [\"mta\"]}";
        String id = runningRolloutOf("lbback", "{\"hosts\": [" + String.format(host, 1, "lb1") + ", "
                + String.format(host, 2, "lb2") + ", " + String.format(host, 3, "lb3") + "], \"groups\": [{\"name\":"
                + " \"lb\", \"topology\": \"load-balanced\", \"members\": [\"lb1\", \"lb2\", \"lb3\"]}]}",
                "lb1", "lb2", "lb3");
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = 'UPGRADED' WHERE rollout_id = ? AND host_name IN"
                + " ('lb1', 'lb2')", id);
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = 'AWAITING_APPROVAL' WHERE rollout_id = ? AND"
                + " host_name = 'lb3'", id);
        ResponseEntity<String> whileClaimed = api.call("operator", HttpMethod.POST, "/api/rollouts/" + id
                + "/rollback", Map.of("hosts", List.of("lb1")), String.class);
        assertThat(whileClaimed.getStatusCode()).as(whileClaimed.getBody())
                .isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(whileClaimed.getBody()).contains("lb1: its load-balanced group's lb3 (AWAITING_APPROVAL) may not"
                + " be serving");

        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = 'UPGRADED' WHERE rollout_id = ? AND host_name = 'lb3'",
                id);
        ResponseEntity<String> everyHost = api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/rollback",
                Map.of(), String.class);
        assertThat(everyHost.getStatusCode()).as(everyHost.getBody()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(everyHost.getBody()).contains("lb1, lb2, lb3 are members of one load-balanced group")
                .contains("rolled back one at a time");

        ResponseEntity<String> first = api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/rollback",
                Map.of("hosts", List.of("lb1")), String.class);
        assertThat(first.getStatusCode()).as(first.getBody()).isEqualTo(HttpStatus.ACCEPTED);
        ResponseEntity<String> second = api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/rollback",
                Map.of("hosts", List.of("lb2")), String.class);
        assertThat(second.getStatusCode()).as(second.getBody()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(second.getBody()).contains("lb2: its load-balanced group's lb1 (" + state(id, "lb1") + ") may not"
                + " be serving");
        assertThat(state(id, "lb1")).isNotEqualTo("UPGRADED");
        // being rolled back, lb1 holds lb2 back whatever the operator states
        ResponseEntity<String> stated = api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/rollback",
                Map.of("hosts", List.of("lb2"), "groupServing", true), String.class);
        assertThat(stated.getStatusCode()).as(stated.getBody()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(stated.getBody()).contains("lb2: its load-balanced group's lb1 (" + state(id, "lb1") + ") may not"
                + " be serving").doesNotContain("groupServing");
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM ACT_RU_EXECUTION WHERE BUSINESS_KEY_ = ? AND PROC_DEF_ID_"
                + " LIKE 'HostRollbackSolaris:%' AND PARENT_ID_ IS NULL", Integer.class, id))
                .as("lb1's rollback alone").isOne();

        // a member the rollout left ABORTED (it may have been stopped) holds the others back, until an operator
        // states that it serves
        String other = runningRolloutOf("lbstated", "{\"hosts\": [" + String.format(host, 4, "lc1") + ", "
                + String.format(host, 5, "lc2") + "], \"groups\": [{\"name\": \"lc\", \"topology\":"
                + " \"load-balanced\", \"members\": [\"lc1\", \"lc2\"]}]}", "lc1", "lc2");
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = 'UPGRADED' WHERE rollout_id = ? AND host_name = 'lc1'",
                other);
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = 'ABORTED' WHERE rollout_id = ? AND host_name = 'lc2'",
                other);
        ResponseEntity<String> unstated = api.call("operator", HttpMethod.POST, "/api/rollouts/" + other
                + "/rollback", Map.of("hosts", List.of("lc1")), String.class);
        assertThat(unstated.getStatusCode()).as(unstated.getBody()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(unstated.getBody()).contains("lc2 (ABORTED) may not be serving").contains("groupServing");
        ResponseEntity<String> serving = api.call("operator", HttpMethod.POST, "/api/rollouts/" + other
                + "/rollback", Map.of("hosts", List.of("lc1"), "groupServing", true), String.class);
        assertThat(serving.getStatusCode()).as(serving.getBody()).isEqualTo(HttpStatus.ACCEPTED);
        assertThat(jdbc.queryForObject("SELECT detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND kind ="
                + " 'ROLLBACK_REQUESTED'", String.class, other)).contains("stated that the other members")
                .contains("lc2 (ABORTED)");
    }

    /**
     * A store whose webmail this rollout left at its old release, but a later rollout of the deployment upgraded, may
     * not be rolled back under this one: the webmail reads it at 6.3.
     */
    @Test
    void refusesToRollBackAStoreWhoseWebmailALaterRolloutUpgraded() {
        String host = "{\"address\": \"10.9.8.%d\", \"os\": \"solaris\", \"arch\": \"sparc\", \"msgSvrBase\":"
                + " \"/opt/SUNWmsgsr\", \"sourceRelease\": \"6.2p3\", \"name\": \"%s\", \"components\": [%s]}";
        String snapshot = "{\"hosts\": [" + String.format(host, 1, "ls", "\"store\"") + ", "
                + String.format(host, 2, "lw", "\"webmail\"") + "], \"webmailStores\": {\"lw\": [\"ls\"]}}";
        String first = runningRolloutOf("laterweb", snapshot, "ls", "lw");
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = 'UPGRADED' WHERE rollout_id = ? AND host_name = 'ls'",
                first);
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = 'REJECTED' WHERE rollout_id = ? AND host_name = 'lw'",
                first);
        String later = runningRolloutOf("laterweb", snapshot, "lw");
        jdbc.update("UPDATE \"MSGSRV\".rollout SET state = 'COMPLETED' WHERE id IN (?, ?)", first, later);
        jdbc.update("UPDATE \"MSGSRV\".rollout SET requested_at = requested_at + INTERVAL '1' MINUTE WHERE id = ?",
                later);
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = 'UPGRADED' WHERE rollout_id = ?", later);
        ResponseEntity<String> rollback = api.call("operator", HttpMethod.POST, "/api/rollouts/" + first + "/rollback",
                Map.of("hosts", List.of("ls")), String.class);
        assertThat(rollback.getStatusCode()).as(rollback.getBody()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(rollback.getBody()).contains("ls is a back-end Message Store of lw");

        // rolled back in that later rollout, the webmail is MEM again: the store can go back
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = 'ROLLED_BACK' WHERE rollout_id = ?", later);
        ResponseEntity<String> allowed = api.call("operator", HttpMethod.POST, "/api/rollouts/" + first + "/rollback",
                Map.of("hosts", List.of("ls")), String.class);
        assertThat(allowed.getStatusCode()).as(allowed.getBody()).isEqualTo(HttpStatus.ACCEPTED);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM ACT_RU_EXECUTION WHERE BUSINESS_KEY_ = ? AND PROC_DEF_ID_"
                + " LIKE 'HostRollbackSolaris:%' AND PARENT_ID_ IS NULL", Integer.class, first))
                .as("its rollback waits for a change manager").isOne();
    }

    @Autowired
    InventoryReleases inventory;

    /**
     * A rollout's end whose registration of releases a node did not get to (it stopped right after the end): a new
     * rollout of the deployment registers it first, and is refused, nothing left to do; registered once, whoever
     * comes. A host rolled back is registered at its release before, by the sweep.
     */
    @Test
    void theReleasesARolloutBroughtAreRegisteredOnceEvenWhenItsNodeStoppedBeforeThat() {
        flow.deploy("invent", FleetSupport.deploymentJson(fleet), List.of("rb1"), d -> {});
        String snapshot = api.call("operator", HttpMethod.GET, "/api/deployments/invent", null, String.class).getBody();
        String id = runningRolloutOf("invent", snapshot, "rb1");
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = 'UPGRADED' WHERE rollout_id = ?", id);
        jdbc.update("UPDATE \"MSGSRV\".rollout SET state = 'COMPLETED' WHERE id = ?", id);
        java.util.function.Supplier<String> registered = () -> api.call("operator", HttpMethod.GET,
                "/api/deployments/invent", null, String.class).getBody();
        java.util.function.Supplier<List<String>> updates = () -> jdbc.queryForList("SELECT detail FROM"
                + " \"MSGSRV\".audit_event WHERE rollout_id = ? AND kind = 'INVENTORY_UPDATED' ORDER BY seq",
                String.class, id);
        assertThat(registered.get()).contains("\"sourceRelease\":\"6.2p3\"");
        String readBefore = api.call("operator", HttpMethod.GET, "/api/deployments/invent", null, String.class)
                .getHeaders().getETag();

        ResponseEntity<String> again = api.call("operator", HttpMethod.POST, "/api/rollouts",
                Map.of("deployment", "invent"), String.class);
        assertThat(again.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(again.getBody()).contains("every host of invent is already at 6.3");
        assertThat(registered.get()).contains("\"sourceRelease\":\"6.3\"").doesNotContain("6.2p3");
        // an operator's script that read the deployment before and writes it back with that ETag does not undo it
        org.springframework.http.HttpHeaders stale = new org.springframework.http.HttpHeaders();
        stale.setBasicAuth("operator", com.msgupgrade.support.Api.PASSWORD);
        stale.setContentType(org.springframework.http.MediaType.APPLICATION_JSON);
        stale.setIfMatch(readBefore);
        assertThat(rest.exchange("/api/deployments/invent", HttpMethod.PUT, new org.springframework.http.HttpEntity<>(
                snapshot, stale), String.class).getStatusCode()).isEqualTo(HttpStatus.PRECONDITION_FAILED);
        assertThat(registered.get()).contains("\"sourceRelease\":\"6.3\"").doesNotContain("6.2p3");
        inventory.sweep();
        assertThat(updates.get()).singleElement().asString().contains("rb1: 6.2p3 -> 6.3");

        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = 'ROLLED_BACK', release_pending = TRUE WHERE"
                + " rollout_id = ?", id);
        inventory.sweep();
        assertThat(registered.get()).contains("\"sourceRelease\":\"6.2p3\"");
        assertThat(updates.get()).hasSize(2).last().asString().contains("rb1: 6.3 -> 6.2p3");
        assertThat(jdbc.queryForObject("SELECT release_pending FROM \"MSGSRV\".rollout_host WHERE rollout_id = ?",
                Boolean.class, id)).isFalse();
    }

    @Autowired
    ProcessStatus status;

    @Test
    void aSlotFreedWhileAUnitIsClaimingCommitsAfterTheClaimSoThatItsWakeUpFindsTheWait() throws Exception {
        String id = runningRollout("frees", "f1", "f2", "f3");
        // parallelism 2: f1 and f2 run
        assertThat(control.claim(id, "f1")).isEqualTo("go");
        assertThat(control.claim(id, "f2")).isEqualTo("go");
        var tx = new org.springframework.transaction.support.TransactionTemplate(transactions);
        var claimed = new java.util.concurrent.CountDownLatch(1);
        var commitClaim = new java.util.concurrent.CountDownLatch(1);
        var executor = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            // f3's unit asks while f1 still runs, and is told to wait; its wait is not committed yet
            var claim = executor.submit(() -> tx.execute(t -> {
                String answer = control.claim(id, "f3");
                claimed.countDown();
                await().atMost(Duration.ofSeconds(30)).until(() -> commitClaim.getCount() == 0);
                return answer;
            }));
            assertThat(claimed.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            // f1 ends meanwhile: its state does not commit before the claim, so the wake-up after its commit finds
            // the unit's wait (it used to commit at once, and its wake-up could look before the wait was there)
            var freed = executor.submit(() -> tx.executeWithoutResult(t -> status.hostState(id, "f1", "UPGRADED")));
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !freed.isDone()
                    && "STARTING".equals(state(id, "f1")));
            commitClaim.countDown();
            assertThat(claim.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("wait");
            freed.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(state(id, "f1")).isEqualTo("UPGRADED");
            // and the unit that asked again gets the slot
            assertThat(control.claim(id, "f3")).isEqualTo("go");
        } finally {
            commitClaim.countDown();
            executor.shutdownNow();
        }
    }

    /**
     * A step fails while an operator's abort commits: the failure policy waits for the abort (both take the rollout's
     * work lock), and pauses only a rollout that is still running, so the abort stands and no pause is recorded (the
     * pause used to overwrite it, the rollout read as running before the abort committed).
     */
    @Test
    void aStepFailingWhileAnAbortCommitsLeavesTheRolloutAborting() throws Exception {
        String id = runningRollout("aborting", "x1");
        whileUncommitted(() -> control.abort(id, "operator"), () -> control.hostFailed(id, "x1"));
        assertThat(control.control(id)).isEqualTo(RolloutControl.ABORTING);
        assertThat(jdbc.queryForList("SELECT kind FROM \"MSGSRV\".audit_event WHERE rollout_id = ? ORDER BY seq",
                String.class, id)).containsExactly("ROLLOUT_ABORT_REQUESTED");
    }

    /**
     * Two hosts fail at once under the policy "continue" with at most one failed host: the second counts the first's
     * failure, committed before it counts, and pauses the rollout (each used to count only its own).
     */
    @Test
    void twoHostsFailingAtOnceCountEachOthersFailure() throws Exception {
        String id = runningRollout("failing", "y1", "y2");
        control.setPolicy(id, "continue", 1);
        whileUncommitted(() -> {
            status.hostState(id, "y1", "WAITING_DECISION");
            control.hostFailed(id, "y1");
        }, () -> {
            status.hostState(id, "y2", "WAITING_DECISION");
            control.hostFailed(id, "y2");
        });
        assertThat(control.control(id)).isEqualTo(RolloutControl.PAUSED);
        assertThat(jdbc.queryForList("SELECT host_name FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND kind ="
                + " 'ROLLOUT_PAUSED'", String.class, id)).containsExactly("y2");
    }

    /**
     * Runs {@code first} in a transaction, then {@code second} in another while the first is not committed yet,
     * until the second waits for a lock the first holds; then commits the first, and the second after it.
     */
    private void whileUncommitted(Runnable first, Runnable second) throws Exception {
        var tx = new org.springframework.transaction.support.TransactionTemplate(transactions);
        var firstPid = new java.util.concurrent.CompletableFuture<Integer>();
        var commitFirst = new java.util.concurrent.CountDownLatch(1);
        var executor = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var one = executor.submit(() -> tx.executeWithoutResult(t -> {
                first.run();
                firstPid.complete(jdbc.queryForObject("SELECT pg_backend_pid()", Integer.class));
                await().atMost(Duration.ofSeconds(30)).until(() -> commitFirst.getCount() == 0);
            }));
            int pid = firstPid.get(30, java.util.concurrent.TimeUnit.SECONDS);
            var two = executor.submit(() -> tx.executeWithoutResult(t -> second.run()));
            await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForObject("SELECT COUNT(*) FROM"
                    + " pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))", Integer.class, pid) > 0);
            commitFirst.countDown();
            one.get(30, java.util.concurrent.TimeUnit.SECONDS);
            two.get(30, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            commitFirst.countDown();
            executor.shutdownNow();
        }
    }

    @Autowired
    RolloutRepository rolloutRecords;

    /** The operator aborts the rollout through the API. */
    private void abort(String rolloutId) {
        assertThat(api.call("operator", HttpMethod.POST, "/api/rollouts/" + rolloutId + "/abort", null, String.class)
                .getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
    }

    /**
     * A rollout aborted before any host (waiting for its CAB, or for the operator's dependencies) ends ABORTED at once,
     * its open tasks gone: it would otherwise wait for ever on them, and hold its deployment's next rollout back.
     */
    @Test
    void aRolloutAbortedBeforeAnyHostEndsAtOnce() {
        flow.deploy("early", FleetSupport.deploymentJson(fleet), List.of("ea1"), d -> {});
        String atCab = flow.start("early");
        flow.awaitTask(atCab, "Task_ApproveRollout");
        // the same machine in another deployment is not worked on while this rollout runs; nor is a name in other case
        flow.deploy("early-twin", FleetSupport.deploymentJson(fleet), List.of("ea1"), d -> {});
        ResponseEntity<String> twin = api.call("operator", HttpMethod.POST, "/api/rollouts",
                Map.of("deployment", "early-twin"), String.class);
        assertThat(twin.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(twin.getBody()).contains("is ea1 of deployment early, whose rollout " + atCab + " is under way");
        Map<String, Object> renamed = new java.util.HashMap<>(api.getMap("operator", "/api/deployments/early"));
        renamed.put("name", "EARLY");
        ResponseEntity<String> otherCase = api.call("operator", HttpMethod.PUT, "/api/deployments/EARLY", renamed,
                String.class);
        assertThat(otherCase.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(otherCase.getBody()).contains("the deployment early has this name in another case");
        abort(atCab);
        flow.awaitState(atCab, "ABORTED");
        assertThat(tasks.createTaskQuery().processInstanceBusinessKey(atCab).count()).isZero();
        assertThat(flow.hostState(atCab, "ea1")).as("a host the rollout never reached").isEqualTo("NOT_STARTED");

        String atDependencies = flow.start("early"); // the deployment is free again
        flow.approveCab(atDependencies);
        flow.awaitTask(atDependencies, "Task_ConfirmDependencies");
        abort(atDependencies);
        flow.awaitState(atDependencies, "ABORTED");
        assertThat(tasks.createTaskQuery().processInstanceBusinessKey(atDependencies).count()).isZero();
        assertThat(flow.hostState(atDependencies, "ea1")).isEqualTo("NOT_STARTED");

        // an abort whose message was lost (its node stopped right after its commit): the sweep ends the rollout at its
        // open task
        String lost = flow.start("early");
        flow.awaitTask(lost, "Task_ApproveRollout");
        jdbc.update("UPDATE \"MSGSRV\".rollout SET control = 'ABORTING' WHERE id = ?", lost);
        control.sweepAborting();
        flow.awaitState(lost, "ABORTED");
        assertThat(tasks.createTaskQuery().processInstanceBusinessKey(lost).count()).isZero();
        assertThat(fleet.host("ea1").commandLog()).as("nothing ran on the host").isEmpty();

        // an ended rollout is not paused, resumed or aborted again; an unknown one of any length is not found
        ResponseEntity<String> again = api.call("operator", HttpMethod.POST, "/api/rollouts/" + atCab + "/abort", null,
                String.class);
        assertThat(again.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(again.getBody()).contains("the rollout has ended (ABORTED)");
        assertThat(api.call("operator", HttpMethod.POST, "/api/rollouts/" + "r".repeat(41) + "/pause", null,
                String.class).getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        // nothing to roll back on a host the rollout never changed; a field misspelt is named, not ignored
        ResponseEntity<String> rollback = api.call("operator", HttpMethod.POST, "/api/rollouts/" + atCab + "/rollback",
                Map.of("hosts", List.of("ea1")), String.class);
        assertThat(rollback.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(rollback.getBody()).contains("ea1 is NOT_STARTED: the rollout has not changed anything on it");
        assertThat(api.call("operator", HttpMethod.POST, "/api/rollouts/" + atCab + "/rollback", Map.of(),
                String.class).getBody()).contains("there is nothing to roll back");
        ResponseEntity<String> misspelt = api.call("operator", HttpMethod.POST, "/api/rollouts/" + atCab + "/rollback",
                Map.of("host", List.of("ea1")), String.class);
        assertThat(misspelt.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(misspelt.getBody()).contains("unknown field 'host'").contains("hosts");
        ResponseEntity<String> none = api.call("operator", HttpMethod.POST, "/api/rollouts/" + atCab + "/rollback",
                Map.of("hosts", List.of()), String.class);
        assertThat(none.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(none.getBody()).contains("hosts is empty");
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND kind ="
                + " 'ROLLBACK_REQUESTED'", Integer.class, atCab)).isZero();
    }

    /**
     * A webmail's rollback asks after every store whose disable-mshttpd command a rollout of the deployment prepared,
     * whatever came of it: a failed one (its configutil may have run before its stop-msg failed, then marked done)
     * and one whose launch was never answered count; another deployment's and another step's do not.
     */
    @Test
    void aStoreCountsAsWithoutMshttpdOnceItsCommandWasPreparedWhateverCameOfIt() {
        String id = runningRollout("mshd", "ms1", "ms2", "ms3", "ms4");
        String other = runningRollout("other", "ms4");
        java.util.function.BiConsumer<String[], String> run = (row, rollout) -> jdbc.update("INSERT INTO"
                + " \"MSGSRV\".command_run (run_id, rollout_id, host_name, step_id, attempt, command_line, state, outcome,"
                + " created_at) VALUES (?, ?, ?, ?, 1, 'configutil -o service.http.enable -v no', ?, ?, ?)",
                "run-" + java.util.UUID.randomUUID() + "-1", rollout, row[0], row[1], row[2], row[3],
                java.sql.Timestamp.from(Instant.now()));
        run.accept(new String[] {"ms1", "disable-mshttpd", "FINISHED", "FAILED"}, id);
        run.accept(new String[] {"ms2", "disable-mshttpd", "PREPARED", null}, id);
        run.accept(new String[] {"ms3", "enable-imap", "FINISHED", "SUCCEEDED"}, id);
        run.accept(new String[] {"ms4", "disable-mshttpd", "FINISHED", "SUCCEEDED"}, other);
        assertThat(rolloutRecords.mshttpdDisabled("mshd", List.of("ms1", "ms2", "ms3", "ms4")))
                .containsExactly("ms1", "ms2");
        assertThat(rolloutRecords.mshttpdDisabled("mshd", List.of())).isEmpty();
    }

    /** The rollback processes under the rollout's id (their executions, the top one's included). */
    private int rollbacksOf(String rolloutId) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM ACT_RU_EXECUTION WHERE BUSINESS_KEY_ = ? AND PROC_DEF_ID_"
                + " LIKE 'HostRollbackSolaris:%'", Integer.class, rolloutId);
    }

    /** A running rollout's rows alone, no process: its hosts not started. */
    private String runningRollout(String deployment, String... hosts) {
        return runningRolloutOf(deployment, "{}", hosts);
    }

    /** A rollout row with its hosts, no process: {@code snapshot} is its deployment (its groups, say). */
    private String runningRolloutOf(String deployment, String snapshot, String... hosts) {
        String id = deployment.charAt(0) + "-" + java.util.UUID.randomUUID(); // rollout ids take 40 characters
        jdbc.update("INSERT INTO \"MSGSRV\".rollout (id, deployment_name, target_release, deployment_snapshot,"
                + " requested_by, requested_at, state) VALUES (?, ?, '6.3', ?, 'operator', ?, 'RUNNING')", id,
                deployment, snapshot, java.sql.Timestamp.from(Instant.now()));
        jdbc.update("INSERT INTO \"MSGSRV\".rollout_work_lock (rollout_id) VALUES (?)", id); // as a rollout's start does
        for (String host : hosts) {
            jdbc.update("INSERT INTO \"MSGSRV\".rollout_host (rollout_id, host_name, procedure_id, state, updated_at)"
                    + " VALUES (?, ?, 'HostUpgradeSolaris', 'NOT_STARTED', ?)", id, host,
                    java.sql.Timestamp.from(Instant.now()));
        }
        return id;
    }

    private String state(String rolloutId, String host) {
        return jdbc.queryForObject("SELECT state FROM \"MSGSRV\".rollout_host WHERE rollout_id = ? AND host_name = ?",
                String.class, rolloutId, host);
    }

    private List<Task> approvals(String rolloutId) {
        return tasks.createTaskQuery().processInstanceBusinessKey(rolloutId).taskDefinitionKey("Task_ApproveHostUpgrade")
                .list();
    }

    @Test
    void pausesTheRolloutAtTheFirstFailedStepUnderTheDefaultFailurePolicy() {
        fleet.host("fp1").setFault("stop-msg", "fail", "1");
        flow.deploy("policy", FleetSupport.deploymentJson(fleet), List.of("fp1", "fp2", "fp3"), d -> {});
        String id = flow.start("policy");
        flow.approveCab(id);
        flow.prepare(id);
        // parallelism 2: two hosts run at a time; fp1's stop-msg fails whenever fp1 gets its turn
        approvingHostUpgradesUntil(id, () -> failureDecisionOpen(id));
        // the default policy pauses the rollout: no host that had not started starts any more
        await().atMost(Duration.ofSeconds(30)).until(() -> "PAUSED".equals(api.getMap("operator",
                "/api/rollouts/" + id).get("control")));
        List<String> notStarted = List.of("fp2", "fp3").stream().filter(h -> fleet.host(h).commandLog().isEmpty())
                .toList();
        // fp1 is first in its group's claims and fails at its first changing command, long before the other host
        // that took a slot ends its upgrade: one of fp2 and fp3 is still waiting for a slot (else nothing is checked)
        assertThat(notStarted).hasSize(1);
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> notStarted.stream()
                .allMatch(h -> fleet.host(h).commandLog().isEmpty() && flow.hostState(id, h).equals("PENDING")));

        // the operator fixes the host, retries and resumes: the rollout goes on
        fleet.host("fp1").clearFault("stop-msg", "fail");
        retryResumeAndFinish(id);
        assertThat(List.of("fp1", "fp2", "fp3")).allSatisfy(h -> assertThat(fleet.host(h).version()).isEqualTo("6.3"));
    }

    /**
     * A 2005Q1 (6.2) cluster goes through the rolling upgrade as a 6.2p3 one does (the guide: "substitute 6.2 wherever
     * 6.2p3 is referenced"): the node fails over to the standby, is patched and comes back at 6.3, the standby last.
     */
    @Test
    void upgradesA62ClusterByTheSameRollingPatch() {
        flow.deploy("q1", FleetSupport.deploymentJson(fleet), List.of("q1", "q1x"),
                d -> d.putArray("groups").add(group("q1ha", "asymmetric-ha", List.of("q1"), "q1x")));
        String id = flow.startApproved("q1");
        approveGatesUntilPostUpgrade(id);
        flow.finish(id);
        assertThat(fleet.host("q1").version()).isEqualTo("6.3");
        assertThat(fleet.host("q1x").version()).isEqualTo("6.3");
        assertThat(fleet.host("q1x").commandLog()).extracting(CommandLogEntry::command).contains("useconfig");
        assertThat(first(fleet.host("q1x"), is("patchadd"))).isAfter(last(fleet.host("q1"), is("start-msg")));
    }

    /** An operator who lost a rollout's id finds it: the deployment's rollouts, newest first, by state. */
    @Test
    void listsTheRolloutsOfADeploymentNewestFirst() {
        flow.deploy("listed", FleetSupport.deploymentJson(fleet), List.of("ls1"), d -> {});
        // aborted before its process reached the CAB's task (held here: the job after its start is created suspended),
        // so the abort's message finds no task to end: the rollout ends ABORTED as the task opens, not waiting there
        List<String> afterStart = management.createJobDefinitionQuery().processDefinitionKey("Rollout")
                .activityIdIn("StartEvent_RolloutRequested").list().stream()
                .map(org.camunda.bpm.engine.management.JobDefinition::getId).toList();
        assertThat(afterStart).isNotEmpty();
        afterStart.forEach(management::suspendJobDefinitionById);
        String first;
        try {
            first = flow.start("listed");
            assertThat(tasks.createTaskQuery().processInstanceBusinessKey(first).count()).isZero();
            assertThat(api.call("operator", HttpMethod.POST, "/api/rollouts/" + first + "/abort", null, String.class)
                    .getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
            assertThat(api.getMap("operator", "/api/rollouts/" + first)).containsEntry("control", "ABORTING")
                    .containsEntry("state", "AWAITING_APPROVAL");
        } finally {
            afterStart.forEach(definition -> management.activateJobDefinitionById(definition, true));
        }
        flow.awaitState(first, "ABORTED");
        assertThat(tasks.createTaskQuery().processInstanceBusinessKey(first).count()).isZero();
        String second = flow.start("listed");
        java.util.function.Function<String, List<Object>> ids = query -> api.getList("auditor", "/api/rollouts"
                + query).stream().map(r -> r.get("id")).toList();
        assertThat(ids.apply("?deployment=listed")).containsExactly(second, first);
        // the trail names the version of the deployment the rollout was requested of
        assertThat(jdbc.queryForObject("SELECT detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND kind ="
                + " 'ROLLOUT_REQUESTED'", String.class, second)).contains("\"deploymentVersion\":1")
                .contains("\"deploymentSha256\":\"" + ((Map<?, ?>) api.getList("auditor",
                        "/api/deployments/listed/versions").get(0)).get("sha256") + "\"")
                .contains("\"snapshotSha256\":\"").contains("\"failurePolicy\":\"stop\"");
        assertThat(ids.apply("?deployment=listed&state=ABORTED")).containsExactly(first);
        assertThat(ids.apply("?deployment=listed&limit=1")).containsExactly(second);
        assertThat(api.getList("operator", "/api/rollouts?deployment=listed").get(0)).containsEntry("deployment", "listed")
                .containsEntry("requestedBy", "operator").containsEntry("hosts", 1).containsKey("state");
        ResponseEntity<String> bad = api.call("operator", HttpMethod.GET, "/api/rollouts?state=DONE&limit=0", null,
                String.class);
        assertThat(bad.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(bad.getBody()).contains("state 'DONE' is not one of").contains("limit '0' must be a whole number");
        assertThat(api.call("operator", HttpMethod.POST, "/api/rollouts/" + second + "/abort", null, String.class)
                .getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
    }

    @Autowired
    org.camunda.bpm.engine.IdentityService identities;
    @Autowired
    org.camunda.bpm.engine.ManagementService management;

    /**
     * A host's rollback, a step or a rollout started by hand through the engine's REST API (by its administrator,
     * listeners skipped or not) is refused: no process starts, and the only way is the service's API, which checks the
     * request and records who made it.
     */
    @Test
    void noProcessOfTheServiceStartsByHandEvenForItsAdministrator() {
        if (identities.createUserQuery().userId("cockpitadmin").count() == 0) {
            org.camunda.bpm.engine.identity.User admin = identities.newUser("cockpitadmin");
            admin.setPassword(com.msgupgrade.support.Api.PASSWORD);
            identities.saveUser(admin);
            identities.createMembership("cockpitadmin", "camunda-admin");
        }
        flow.deploy("byhand", FleetSupport.deploymentJson(fleet), List.of("bh1"), d -> {});
        String id = flow.start("byhand");
        java.util.function.Supplier<Long> instances = () -> jdbc.queryForObject("SELECT COUNT(*) FROM ACT_HI_PROCINST"
                + " WHERE BUSINESS_KEY_ = ?", Long.class, id);
        long before = instances.get();
        for (var start : List.of(
                Map.of("key", "HostRollbackSolaris", "body", Map.<String, Object>of("businessKey", id, "variables",
                        Map.of("rolloutId", Map.of("value", id), "hostName", Map.of("value", "bh1")))),
                Map.of("key", "HostStep", "body", Map.<String, Object>of("businessKey", id, "skipCustomListeners", true,
                        "startInstructions", List.of(Map.of("type", "startBeforeActivity", "activityId",
                                "Task_RunStep")),
                        "variables", Map.of("rolloutId", Map.of("value", id), "hostName", Map.of("value", "bh1"),
                                "stepId", Map.of("value", "stop-messaging-server")))),
                Map.of("key", "Rollout", "body", Map.<String, Object>of("businessKey", "r-by-hand")))) {
            ResponseEntity<String> started = api.call("cockpitadmin", HttpMethod.POST,
                    "/engine-rest/process-definition/key/"
                    + start.get("key") + "/start", start.get("body"), String.class);
            assertThat(started.getStatusCode()).as(started.getBody()).isEqualTo(HttpStatus.FORBIDDEN);
            assertThat(started.getBody()).contains("started through the service's API only");
        }
        assertThat(instances.get()).isEqualTo(before);
        assertThat(fleet.host("bh1").commandLog()).noneMatch(e -> e.command().equals("stop-msg"));
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM ACT_HI_PROCINST WHERE BUSINESS_KEY_ = 'r-by-hand'",
                Long.class)).isZero();
        // nor moves on an event sent by hand: the abort message, correlated or triggered on its subscription
        String execution = jdbc.queryForObject("SELECT ID_ FROM ACT_RU_EXECUTION WHERE BUSINESS_KEY_ = ? AND"
                + " PARENT_ID_ IS NULL LIMIT 1", String.class, id);
        for (var event : List.of(
                Map.of("path", "/engine-rest/message", "body", Map.<String, Object>of("messageName", "RolloutAborted",
                        "businessKey", id)),
                Map.of("path", "/engine-rest/execution/" + execution + "/messageSubscriptions/RolloutAborted/trigger",
                        "body", Map.<String, Object>of()),
                Map.of("path", "/engine-rest/process-instance/message-async", "body", Map.<String, Object>of(
                        "messageName", "RolloutAborted", "processInstanceQuery", Map.of("businessKey", id))),
                Map.of("path", "/engine-rest/signal", "body", Map.<String, Object>of("name", "anything")))) {
            ResponseEntity<String> sent = api.call("cockpitadmin", HttpMethod.POST, (String) event.get("path"),
                    event.get("body"), String.class);
            assertThat(sent.getStatusCode()).as(sent.getBody()).isEqualTo(HttpStatus.FORBIDDEN);
            assertThat(sent.getBody()).contains("EventRefused");
        }
        assertThat(api.getMap("operator", "/api/rollouts/" + id)).containsEntry("state", "AWAITING_APPROVAL");
        assertThat(api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/abort", null, String.class)
                .getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
    }

    /**
     * The guide obtains the patches before Messaging Server is stopped: a host whose patch directory lacks them stops
     * at its first read, naming them, with nothing stopped (a patchadd after stop-msg would have left it down); put
     * there, the retry goes on to 6.3.
     */
    @Test
    void aHostWhosePatchesAreNotThereStopsAtItsFirstReadWithNothingStopped() throws Exception {
        java.nio.file.Path patches = fleet.host("pm1").patchDir();
        java.nio.file.Path away = java.nio.file.Files.createDirectories(patches.resolveSibling("patches-away"));
        List<java.nio.file.Path> taken;
        try (var listing = java.nio.file.Files.list(patches)) {
            taken = listing.filter(java.nio.file.Files::isDirectory).toList();
        }
        assertThat(taken).as("the simulated host's patch directories").isNotEmpty();
        for (java.nio.file.Path patch : taken) {
            java.nio.file.Files.move(patch, away.resolve(patch.getFileName()));
        }
        flow.deploy("patches", FleetSupport.deploymentJson(fleet), List.of("pm1"), d -> {});
        String id = flow.start("patches");
        flow.approveCab(id);
        flow.prepare(id);
        await().atMost(Duration.ofSeconds(60)).until(() -> failureDecisionOpen(id));
        Task decision = tasks.createTaskQuery().processInstanceBusinessKey(id).taskDefinitionKey("Task_DecideOnFailure")
                .singleResult();
        assertThat((String) tasks.getVariable(decision.getId(), "failure")).contains(patches.toString())
                .contains("not on the host").contains("nothing has been stopped");
        assertThat(fleet.host("pm1").commandLog()).extracting(CommandLogEntry::command).containsOnly("imsimta");
        // nothing changed on it: a rollback would only stop and restart a host that serves, and is refused
        assertThat(flow.decide(id, "Task_DecideOnFailure", "operator", Map.of("decision", "rollback")))
                .isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(jdbc.queryForObject("SELECT detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND kind ="
                + " 'DECISION_REFUSED'", String.class, id)).contains("nothing has been changed on host pm1");
        assertThat(fleet.host("pm1").commandLog()).extracting(CommandLogEntry::command).containsOnly("imsimta");

        for (java.nio.file.Path patch : taken) {
            java.nio.file.Files.move(away.resolve(patch.getFileName()), patch);
        }
        retryResumeAndFinish(id);
        assertThat(fleet.host("pm1").version()).isEqualTo("6.3");
    }

    /**
     * A cluster claims its first slot before it asks for its failover approval, as a standalone host does: paused, it
     * waits, and the resume wakes it (the wake-up finds the cluster's timers too), before its own poll (30 s).
     * Aborted at its standby's patch, with its node at 6.3, the rollout's end records that the node must not fail
     * over to the unpatched standby.
     */
    @Test
    void aClusterWaitsBeforeItsApprovalWhilePausedAndAnAbortAtItsStandbyIsRecorded() {
        flow.deploy("pausedcluster", FleetSupport.deploymentJson(fleet), List.of("pc1", "pcx"),
                d -> d.putArray("groups").add(group("hap", "asymmetric-ha", List.of("pc1"), "pcx")));
        String id = flow.start("pausedcluster");
        assertThat(api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/pause", null, String.class)
                .getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        flow.approveCab(id);
        flow.prepare(id);
        await().atMost(Duration.ofSeconds(30)).until(() -> waitingForSlot(id) == 1);
        assertThat(flow.hostState(id, "pc1")).isEqualTo("PENDING");

        fleet.host("pcx").setFault("patchadd", "fail", "1"); // the standby's own patch, last
        assertThat(api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/resume", null, String.class)
                .getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        await().atMost(Duration.ofSeconds(25)).until(() -> tasks.createTaskQuery().processInstanceBusinessKey(id)
                .taskDefinitionKey("Task_ApproveFailover").count() == 1);
        assertThat(flow.hostState(id, "pc1")).isEqualTo("STARTING"); // holding the cluster's slot
        assertThat(flow.decide(id, "Task_ApproveFailover", "approver1", Map.of("decision", "approve")))
                .isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(flow.decide(id, "Task_DecideOnFailure", "operator", Map.of("decision", "abort",
                "decisionComment", "patchadd failed on the standby"))).isEqualTo(HttpStatus.NO_CONTENT);
        flow.awaitState(id, "ABORTED");
        assertThat(fleet.host("pc1").version()).isEqualTo("6.3");
        assertThat(fleet.host("pcx").version()).isEqualTo("6.2p3");
        assertThat(List.of(flow.hostState(id, "pc1"), flow.hostState(id, "pcx"))).containsExactly("UPGRADED", "ABORTED");
        assertThat(jdbc.queryForList("SELECT host_name, detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND"
                + " kind = 'STANDBY_NOT_PATCHED'", id)).singleElement()
                .satisfies(e -> assertThat(e.get("host_name")).isEqualTo("pcx"))
                .satisfies(e -> assertThat((String) e.get("detail")).contains("while pc1 of its nodes is at 6.3")
                        .contains("do not fail it over to pcx"));
    }

    /**
     * The guide upgrades load-balanced instances "while the others remain running". A member halted at its conflict
     * review (stopped, its new configuration not installed) may not serve: the group's next members are not stopped
     * (BLOCKED, with the reason in the audit trail), and no health check runs on the halted one. At the sign-off,
     * every host's procedure over, an abort is refused (422); the sign-off rejected, the rollout ends
     * SIGN_OFF_REJECTED.
     */
    @Test
    void aLoadBalancedGroupStopsNoMoreMembersOnceOneWasLeftDownAndItsSignOffIsRejected() {
        for (String host : List.of("lb1", "lb2", "lb3")) {
            fleet.host(host).setFault("patch-config", "conflicts", "imta.cnf: rewrite rule kept from 6.2p3");
        }
        flow.deploy("lbhalt", FleetSupport.deploymentJson(fleet), List.of("lb1", "lb2", "lb3"),
                d -> d.putArray("groups").add(group("lbh", "load-balanced", List.of("lb1", "lb2", "lb3"), null)));
        String id = flow.startApproved("lbhalt");
        flow.approve(id, "Task_ApproveHostUpgrade");
        String halted = (String) tasks.getVariable(flow.awaitTask(id, "Task_ReviewConflicts"), "hostName");
        assertThat(flow.decide(id, "Task_ReviewConflicts", "approver1", Map.of("decision", "reject",
                "decisionComment", "the merged configuration loses our channel rewrite rules")))
                .isEqualTo(HttpStatus.NO_CONTENT);
        flow.awaitHostState(id, halted, "HALTED");
        List<String> others = Stream.of("lb1", "lb2", "lb3").filter(h -> !h.equals(halted)).toList();
        for (String host : others) {
            flow.awaitHostState(id, host, "BLOCKED");
            assertThat(fleet.host(host).commandLog()).as(host + " never stopped").noneMatch(is("stop-msg"));
        }
        assertThat(fleet.host(halted).stateLines("running")).as("stopped, left so by the review").isEmpty();
        // the health check looks for the daemons with pgrep, which nothing else runs on an MTA's upgrade
        assertThat(fleet.host(halted).commandLog().stream().map(CommandLogEntry::command))
                .as("no health check on a halted host").doesNotContain("pgrep");
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND host_name"
                + " = ? AND step_id = 'check-health'", Integer.class, id, halted)).as("no check-health step recorded")
                .isZero();
        assertThat(jdbc.queryForList("SELECT detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND"
                + " kind = 'HOST_BLOCKED' ORDER BY seq", String.class, id)).hasSize(2)
                .allSatisfy(d -> assertThat(d).contains(halted + " (HALTED) may not be serving"));

        // at the sign-off every host's procedure is over: an abort would stop nothing, and is refused
        flow.awaitTask(id, "Task_SignOff");
        ResponseEntity<String> abort = api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/abort", null,
                String.class);
        assertThat(abort.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(abort.getBody()).contains("the rollout is at its sign-off").contains("nothing is left to abort");
        assertThat(jdbc.queryForObject("SELECT control FROM \"MSGSRV\".rollout WHERE id = ?", String.class, id))
                .isEqualTo("RUNNING");
        // the change managers do not accept the change: the rollout ends saying so, not as finished with issues
        assertThat(flow.decide(id, "Task_SignOff", "approver1", Map.of("decision", "reject",
                "decisionComment", "a halted member: the change is not accepted"))).isEqualTo(HttpStatus.NO_CONTENT);
        flow.awaitState(id, "SIGN_OFF_REJECTED");
    }

    /**
     * A cluster node's new configuration rejected at its review: the node is left HALTED, the rollout aborts, and the
     * abort is the reviewer's in the audit trail (it was the service's, "system", recorded by the unit's job after
     * the review).
     */
    @Test
    void aRejectedReviewOfAClusterNodeAbortsTheRolloutInTheReviewersName() {
        fleet.host("rn1").setFault("patch-config", "conflicts", "imta.cnf: rewrite rule kept from 6.2p3");
        flow.deploy("nodereview", FleetSupport.deploymentJson(fleet), List.of("rn1", "rnx"),
                d -> d.putArray("groups").add(group("hrn", "asymmetric-ha", List.of("rn1"), "rnx")));
        String id = flow.startApproved("nodereview");
        flow.approve(id, "Task_ApproveFailover");
        assertThat(flow.decide(id, "Task_ReviewNodeConflicts", "approver2", Map.of("decision", "reject",
                "decisionComment", "the merged configuration loses our channel rewrite rules")))
                .isEqualTo(HttpStatus.NO_CONTENT);
        flow.awaitState(id, "ABORTED");
        assertThat(flow.hostState(id, "rn1")).isEqualTo("HALTED");
        assertThat(jdbc.queryForList("SELECT actor, host_name FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND"
                + " kind = 'ROLLOUT_ABORT_REQUESTED'", id)).singleElement()
                .satisfies(e -> assertThat(e).containsEntry("actor", "approver2").containsEntry("host_name", "rn1"));
    }

    /**
     * An operator aborts at one host's failed step while another host is in the middle of its upgrade (stopped,
     * patching): that host finishes its procedure, its services started again, before the rollout ends ABORTED; the
     * abort is in the audit trail as the operator's, at the failed host; no run is left unjudged.
     */
    @Test
    void anAbortAtOneHostLetsAHostUnderWayFinishItsUpgrade() {
        fleet.host("ab1").setFault("stop-msg", "fail", "1");
        fleet.host("ab2").setFault("patchadd", "hang", ""); // patching until the abort was decided
        // the stores serve webmail too: IMAP would be enabled on them after their upgrades, had the rollout gone on
        flow.deploy("abortone", FleetSupport.deploymentJson(fleet), List.of("ab1", "ab2"), d -> servesWebmail(d));
        String id = flow.startApproved("abortone");
        approvingHostUpgradesUntil(id, () -> failureDecisionOpen(id) && jdbc.queryForObject("SELECT COUNT(*) FROM"
                + " \"MSGSRV\".command_run WHERE rollout_id = ? AND host_name = 'ab2' AND step_id = 'apply-core-patch'"
                + " AND state = 'LAUNCHED'", Integer.class, id) == 1);
        try {
            assertThat(flow.decide(id, "Task_DecideOnFailure", "operator", Map.of("decision", "abort",
                    "decisionComment", "ab1 cannot stop its services"))).isEqualTo(HttpStatus.NO_CONTENT);
            assertThat(api.getMap("operator", "/api/rollouts/" + id).get("control")).isEqualTo("ABORTING");
        } finally {
            fleet.host("ab2").clearFault("patchadd", "hang");
        }

        flow.awaitState(id, "ABORTED");
        assertThat(flow.hostState(id, "ab1")).isEqualTo("ABORTED");
        assertThat(flow.hostState(id, "ab2")).isEqualTo("UPGRADED");
        assertThat(fleet.host("ab2").version()).isEqualTo("6.3");
        assertThat(fleet.host("ab2").stateLines("running")).as("its services started again").contains("store");
        assertThat(runsNeverJudged(id)).isZero();
        assertThat(jdbc.queryForList("SELECT actor, host_name FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND"
                + " kind = 'ROLLOUT_ABORT_REQUESTED'", id)).singleElement()
                .satisfies(e -> assertThat(e).containsEntry("actor", "operator").containsEntry("host_name", "ab1"));
        assertThat(fleet.host("ab2").commandLog()).as("nothing new started after the abort: IMAP not enabled").noneMatch(
                e -> e.command().equals("configutil") && e.argLine().contains("service.imap.enable -v yes"));
    }

    /**
     * A rollback and a rollout of the same deployment would interleave the guide's commands on the same host (a
     * rollback's patchrm beside a rollout's patchadd): a rollback still going on holds a new rollout back, and a
     * rollout that has not ended holds back a rollback of an earlier one.
     */
    @Test
    void aRollbackStillGoingOnHoldsANewRolloutBackAndTheReverse() {
        flow.deploy("rbk", FleetSupport.deploymentJson(fleet), List.of("rb1"), d -> {});
        String first = flow.startApproved("rbk");
        flow.approve(first, "Task_ApproveHostUpgrade");
        flow.awaitTask(first, "Task_DecommissionConfigDirectory");
        flow.finish(first);
        ResponseEntity<String> rollback = api.call("operator", HttpMethod.POST, "/api/rollouts/" + first + "/rollback",
                Map.of("hosts", List.of("rb1"), "configDirectoryAvailable", true), String.class);
        assertThat(rollback.getStatusCode()).as(rollback.getBody()).isEqualTo(HttpStatus.ACCEPTED);
        flow.awaitTask(first, "Task_ApproveRollback");

        ResponseEntity<String> refused = api.call("operator", HttpMethod.POST, "/api/rollouts",
                Map.of("deployment", "rbk", "target", "6.3"), String.class);
        assertThat(refused.getStatusCode()).as(refused.getBody()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(refused.getBody()).contains("being rolled back (" + first + " (rb1))");

        assertThat(flow.decide(first, "Task_ApproveRollback", "approver1", Map.of("decision", "reject",
                "decisionComment", "not now"))).isEqualTo(HttpStatus.NO_CONTENT);
        await().atMost(Duration.ofSeconds(30)).until(() -> tasks.createTaskQuery().processInstanceBusinessKey(first)
                .count() == 0);
        // the deployment is registered at 6.3 since the first rollout ended: an operator registers rb1 at 6.2p3
        // again, for a second rollout to be requested (it is aborted before it reaches the host)
        assertThat(api.call("operator", HttpMethod.GET, "/api/deployments/rbk", null, String.class).getBody())
                .contains("\"sourceRelease\":\"6.3\"");
        flow.deploy("rbk", FleetSupport.deploymentJson(fleet), List.of("rb1"), d -> {});
        String second = flow.start("rbk");
        ResponseEntity<String> held = api.call("operator", HttpMethod.POST, "/api/rollouts/" + first + "/rollback",
                Map.of("hosts", List.of("rb1")), String.class);
        assertThat(held.getStatusCode()).as(held.getBody()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(held.getBody()).contains("the rollout " + second + " of rbk has not ended");
        abort(second);
    }

    /**
     * A step after a host's upgrade (here enabling IMAP, fleet-wide) fails: the host waits for the operator's
     * decision, and once retried it is UPGRADED again, verified at the end as the others, and the rollout completes.
     */
    @Test
    void aHostWhosePostUpgradeStepFailedIsUpgradedAgainOnceItsRetrySucceeds() {
        SimulatedHost host = fleet.host("rs1");
        host.setFault("configutil", "fail", "1"); // the store's own upgrade runs no configutil: enabling IMAP does
        // its webmail reaches it over IMAP once upgraded: IMAP is enabled on it after its upgrade
        flow.deploy("resting", FleetSupport.deploymentJson(fleet), List.of("rs1"), d -> servesWebmail(d));
        String id = flow.startApproved("resting");
        flow.approve(id, "Task_ApproveHostUpgrade");
        flow.awaitTask(id, "Task_DecideOnFailure");
        assertThat(flow.hostState(id, "rs1")).isEqualTo("WAITING_DECISION");
        host.clearFault("configutil", "fail");
        assertThat(flow.decide(id, "Task_DecideOnFailure", "operator", Map.of("decision", "retry")))
                .isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(flow.hostState(id, "rs1")).isEqualTo("UPGRADED");
        assertThat(api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/resume", null, String.class)
                .getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        flow.finish(id);
        assertThat(flow.hostState(id, "rs1")).isEqualTo("UPGRADED");
        assertThat(host.stateLines("configutil")).contains("service.imap.enable=yes");
        assertThat(jdbc.queryForList("SELECT detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND host_name = 'rs1'"
                + " AND kind = 'HOST_STATE' ORDER BY seq", String.class, id)).last().asString().contains("UPGRADED");
    }

    /**
     * The guide: "make sure that IMAP is enabled before upgrading and re-configuring Webmail Server that accesses the
     * Message Store", a store at 6.3 already (not in the rollout) too; its mshttpd shut down once its front end is at
     * 6.3.
     */
    @Test
    void enablesImapOnAStoreAt63AlreadyBeforeItsWebmailIsUpgraded() {
        flow.deploy("imap63", FleetSupport.deploymentJson(fleet), List.of("i63", "iw1"), d -> {
            d.putObject("webmailStores").putArray("iw1").add("i63");
            d.putObject("webmailProxyAdmin").put("user", "webadmin").put("passwordSecret", "proxy-admin");
        });
        String id = flow.startApproved("imap63");
        approveGatesUntilPostUpgrade(id);
        flow.finish(id);
        SimulatedHost store = fleet.host("i63");
        assertThat(store.stateLines("configutil")).contains("service.imap.enable=yes", "service.http.enable=no");
        assertThat(first(store, e -> e.argLine().contains("service.imap.enable -v yes")))
                .isBefore(first(fleet.host("iw1"), is("stop-msg")));
        assertThat(store.commandLog()).noneMatch(is("patchadd"));
        assertThat(fleet.host("iw1").stateLines("configutil")).contains("service.http.allowadminproxy=yes");
    }

    /**
     * Aborted at a post-upgrade step, a host at 6.3 stays UPGRADED: its upgrade was done, the rollout is not. The same
     * step on another host of the phase, under way, finishes (its command judged), instead of being cancelled with it.
     */
    @Test
    void aHostAbortedAtAPostUpgradeStepStaysUpgradedAndTheOthersOfThePhaseFinish() {
        fleet.host("rs2").setFault("configutil", "fail", "1");
        fleet.host("rs3").setFault("configutil", "delay", "4");
        flow.deploy("restingabort", FleetSupport.deploymentJson(fleet), List.of("rs2", "rs3"), d -> servesWebmail(d));
        String id = flow.startApproved("restingabort");
        approvingHostUpgradesUntil(id, () -> failureDecisionOpen(id));
        assertThat(flow.decide(id, "Task_DecideOnFailure", "operator", Map.of("decision", "abort",
                "decisionComment", "IMAP stays off for now"))).isEqualTo(HttpStatus.NO_CONTENT);
        flow.awaitState(id, "ABORTED");
        assertThat(flow.hostState(id, "rs2")).isEqualTo("UPGRADED");
        assertThat(fleet.host("rs2").version()).isEqualTo("6.3");
        assertThat(fleet.host("rs3").stateLines("configutil")).as("rs3's step finished").contains(
                "service.imap.enable=yes");
        assertThat(runsNeverJudged(id)).isZero();
    }

    /**
     * A gate that lets a host start, answered after the rollout began aborting: the approval counts as a rejection
     * (nothing new starts), recorded as such, and the rollout ends ABORTED.
     */
    @Test
    void aHostApprovedAfterAnAbortDoesNotStart() {
        flow.deploy("closegate", FleetSupport.deploymentJson(fleet), List.of("cg1"), d -> {});
        String id = flow.startApproved("closegate");
        flow.awaitTask(id, "Task_ApproveHostUpgrade");
        abort(id);
        flow.approve(id, "Task_ApproveHostUpgrade");
        flow.awaitState(id, "ABORTED");
        assertThat(flow.hostState(id, "cg1")).isEqualTo("REJECTED");
        assertThat(fleet.host("cg1").commandLog()).noneMatch(is("stop-msg"));
        assertThat(jdbc.queryForList("SELECT detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND"
                + " kind = 'GATE_CLOSED_BY_ABORT'", String.class, id)).singleElement().asString()
                .contains("Task_ApproveHostUpgrade");
    }

    /**
     * The guide's first step of a node's failover: "Make sure the MS-X binaries are at the same patch level as Node1".
     * A standby at another build of 6.2p3 fails that step, before anything changes on either host; brought to the
     * node's build, the retry goes on.
     */
    @Test
    void aStandbyAtAnotherBuildThanItsNodeStopsTheFailoverBeforeAnythingChanges() throws Exception {
        java.nio.file.Files.writeString(fleet.host("alx").dir().resolve("version"), "6.2-3.02\n"); // 6.2p3, older
        flow.deploy("align", FleetSupport.deploymentJson(fleet), List.of("al1", "alx"),
                d -> d.putArray("groups").add(group("ha", "asymmetric-ha", List.of("al1"), "alx")));
        String id = flow.start("align");
        flow.approveCab(id);
        flow.prepare(id);
        await().atMost(Duration.ofSeconds(30)).until(() -> tasks.createTaskQuery().processInstanceBusinessKey(id)
                .taskDefinitionKey("Task_ApproveFailover").count() == 1);
        assertThat(flow.decide(id, "Task_ApproveFailover", "approver1", Map.of("decision", "approve")))
                .isEqualTo(HttpStatus.NO_CONTENT);
        await().atMost(Duration.ofSeconds(60)).until(() -> tasks.createTaskQuery().processInstanceBusinessKey(id)
                .taskDefinitionKey("Task_DecideOnFailure").count() == 1);
        Task decision = tasks.createTaskQuery().processInstanceBusinessKey(id).taskDefinitionKey("Task_DecideOnFailure")
                .singleResult();
        assertThat((String) tasks.getVariable(decision.getId(), "failure")).contains("6.2-3.02")
                .contains("al1's at 6.2-3.04").contains("same patch level as Node1");
        assertThat(fleet.host("al1").commandLog()).extracting(CommandLogEntry::command).containsOnly("imsimta");
        assertThat(fleet.host("alx").commandLog()).extracting(CommandLogEntry::command).containsOnly("imsimta");

        java.nio.file.Files.writeString(fleet.host("alx").dir().resolve("version"), "6.2p3\n"); // aligned by hand
        assertThat(flow.decide(id, "Task_DecideOnFailure", "operator", Map.of("decision", "retry")))
                .isEqualTo(HttpStatus.NO_CONTENT);
        // the failover goes on: the standby takes the node's configuration (useconfig), the node's services stop
        await().atMost(Duration.ofSeconds(60)).until(() -> fleet.host("al1").commandLog().stream()
                .anyMatch(e -> e.command().equals("stop-msg")));
        assertThat(fleet.host("alx").commandLog()).extracting(CommandLogEntry::command).contains("useconfig");
    }

    /** The rollout's units waiting for a slot (their timers; other rollouts' left out), -1 while it has tasks open. */
    private long waitingForSlot(String rolloutId) {
        return tasks.createTaskQuery().processInstanceBusinessKey(rolloutId).count() == 0
                ? jdbc.queryForObject("SELECT count(*) FROM ACT_RU_JOB j JOIN ACT_RU_JOBDEF d ON d.ID_ = j.JOB_DEF_ID_"
                        + " JOIN ACT_RU_EXECUTION e ON e.ID_ = j.PROCESS_INSTANCE_ID_ WHERE d.ACT_ID_ IN"
                        + " ('Timer_WaitForSlot', 'Timer_WaitForClusterSlot', 'Timer_WaitForStandbySlot')"
                        + " AND e.BUSINESS_KEY_ = ?", Long.class, rolloutId) : -1;
    }

    /**
     * The operator retries the failed step and resumes the rollout its failure paused (failure policy stop); the host
     * upgrades are approved until the end, which is then reached.
     */
    private void retryResumeAndFinish(String id) {
        flow.retryAndResume(id);
        approvingHostUpgradesUntil(id, () -> tasks.createTaskQuery().processInstanceBusinessKey(id)
                .taskDefinitionKey("Task_DecommissionConfigDirectory").count() == 1);
        flow.finish(id);
    }

    /** Every host of the deployment serves webmail too (Messenger Express on the store): its IMAP is enabled. */
    static void servesWebmail(ObjectNode deployment) {
        deployment.withArray("hosts").forEach(h -> ((ObjectNode) h).putArray("components").add("store").add("webmail"));
    }

    private static ObjectNode group(String name, String topology, List<String> members, String standby) {
        ObjectNode g = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        g.put("name", name).put("topology", topology);
        members.forEach(g.withArray("members")::add);
        if (standby != null) {
            g.put("standby", standby);
        }
        return g;
    }
}
