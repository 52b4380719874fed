package com.msgupgrade.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.msgupgrade.simulator.HostSpec;
import com.msgupgrade.simulator.SimulatedFleet;
import com.msgupgrade.support.EndToEndTest;
import com.msgupgrade.support.FleetSupport;
import com.msgupgrade.support.Flow;
import com.msgupgrade.support.FreshPostgres;
import com.msgupgrade.support.Tasklist;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
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
 * The rules of decisions hold on every channel: the engine REST API, Tasklist's own (the webapps' engine API) and
 * /api/approvals.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "msgsrv.demo=true",
        "msgsrv.runs.poll-interval=PT1S",
        "msgsrv.approvals.deadlines.AcceptRisk.escalate-after=PT2S",
        "msgsrv.approvals.deadlines.AcceptRisk.reject-after=PT30S",
        "msgsrv.approvals.escalation-group=duty-managers"})
@ContextConfiguration(initializers = FreshPostgres.class)
class ApprovalRulesTest extends EndToEndTest {

    static final SimulatedFleet fleet = FleetSupport.start("approvals", "127.0.0.71", List.of(
            HostSpec.solaris("sol1", "6.2p3", List.of("store")),
            HostSpec.solaris("sol2", "6.2p3", List.of("store")),
            HostSpec.solaris("sol3", "6.2p3", List.of("store")),
            HostSpec.solaris("sol4", "6.2p3", List.of("store")),
            // one host a test: a machine is worked on by one rollout at a time, and the tests leave theirs at a gate
            HostSpec.solaris("sol5", "6.2p3", List.of("store")),
            HostSpec.solaris("sol6", "6.2p3", List.of("store")),
            HostSpec.solaris("sol7", "6.2p3", List.of("store")),
            HostSpec.solaris("sol8", "6.2p3", List.of("store")),
            HostSpec.solaris("sol9", "6.2p3", List.of("store")),
            HostSpec.solaris("sol10", "6.2p3", List.of("store")),
            HostSpec.solaris("sol11", "6.2p3", List.of("store")),
            HostSpec.solaris("sol12", "6.2p3", List.of("store")),
            HostSpec.solaris("sol13", "6.2p3", List.of("store")),
            HostSpec.solaris("sol14", "6.2p3", List.of("store")),
            HostSpec.solaris("sol15", "6.2p3", List.of("store")),
            HostSpec.solaris("sol16", "6.2p3", List.of("store")),
            HostSpec.solaris("sol17", "6.2p3", List.of("store")),
            HostSpec.solaris("sol18", "6.2p3", List.of("store")),
            HostSpec.solaris("cl1", "6.2p3", List.of("store")),
            HostSpec.solaris("clx", "6.2p3", List.of("store")),
            HostSpec.linux("lin1", "6.2p3", List.of("store"))));

    @DynamicPropertySource
    static void fleetProperties(DynamicPropertyRegistry registry) {
        FleetSupport.register(registry, fleet);
    }

    @AfterAll
    static void stopFleet() {
        fleet.close();
    }

    @Autowired
    IdentityService identities;
    @Autowired
    JdbcTemplate jdbc;

    @BeforeEach
    void setUp() {
        user("opsmanager", "operators", "change-managers");
        // the names a directory would let approver1 and opsmanager log in with (LDAP finds a uid whatever its case),
        // and the service's own name in the audit trail
        user("Approver1", "change-managers");
        user("OpsManager", "change-managers");
        user("system", "change-managers");
        user("cockpitadmin", "camunda-admin");
    }

    /**
     * An administrator can change a rollout's processes through the engine itself (a variable the rules read, here):
     * it is in the rollout's audit trail under their name, in the same transaction; decisions and the service's own
     * acts in a person's request are not engine operations.
     */
    @Test
    void whatAnAdministratorDoesToARolloutThroughTheEngineIsInItsTrail() {
        String id = startAs("operator", "sol2");
        List<Task> cab = cabWithTheFirstApproved(id);
        assertThat(api.call("cockpitadmin", HttpMethod.PUT, "/engine-rest/process-instance/"
                + cab.get(1).getProcessInstanceId() + "/variables/cabApprovers", "{\"value\":\"\",\"type\":\"String\"}",
                String.class).getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(jdbc.queryForList("SELECT actor, detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND"
                + " kind = 'ENGINE_OPERATION'", id)).singleElement()
                .satisfies(e -> assertThat(e.get("actor")).isEqualTo("cockpitadmin"))
                .satisfies(e -> assertThat((String) e.get("detail")).contains("\"operation\":\"SetVariable\"")
                        .contains(cab.get(1).getProcessInstanceId()));
        assertThat(api.getMap("auditor", "/api/rollouts/" + id + "/audit/verify")).containsEntry("valid", true);
    }

    private void user(String id, String... groups) {
        if (identities.createUserQuery().userId(id).count() == 0) {
            User user = identities.newUser(id);
            user.setPassword("demo");
            identities.saveUser(user);
            for (String group : groups) {
                identities.createMembership(id, group);
            }
        }
    }

    @Test
    void aNameInAnotherCaseIsTheSamePersonAndTheServicesOwnNameDecidesNothing() {
        String id = startAs("opsmanager", "sol1");
        List<Task> cab = cabTasks(id);
        ResponseEntity<String> own = viaApi("OpsManager", cab.get(0).getId(), "approve", "");
        assertThat(own.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(own.getBody()).contains("requested rollout");
        assertThat(api.call("OpsManager", HttpMethod.GET, "/api/approvals", null, List.class).getBody().toString())
                .doesNotContain(id);
        // the service's own name: refused at the service's login, and by the rules of decisions behind Tasklist's
        assertThat(viaApi("system", cab.get(0).getId(), "approve", "").getStatusCode())
                .isEqualTo(HttpStatus.UNAUTHORIZED);
        HttpResponse<String> service = Tasklist.loggedIn(rest.getRootUri(), "system").submit(cab.get(0).getId(),
                "{\"decision\":{\"value\":\"approve\"},\"decisionComment\":{\"value\":\"ok\"}}");
        assertThat(service.statusCode()).isEqualTo(403);
        assertThat(service.body()).contains("the service's own");
        assertThat(viaApi("approver1", cab.get(0).getId(), "approve", "ok").getStatusCode())
                .isEqualTo(HttpStatus.NO_CONTENT);
        ResponseEntity<String> twice = viaApi("Approver1", cab.get(1).getId(), "approve", "again");
        assertThat(twice.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(twice.getBody()).contains("counts once");
        assertThat(tasks.createTaskQuery().taskId(cab.get(1).getId()).count()).isOne();
        assertThat(jdbc.queryForList("SELECT actor FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND"
                + " kind = 'DECISION_REFUSED' ORDER BY seq", String.class, id))
                .containsExactly("OpsManager", "system", "Approver1");
    }

    /**
     * Four eyes on a rollback: who asked for it (deciding "rollback" on the host's failed step, or through the API)
     * does not approve it, and is not offered its gate; and an attempt the engine refuses on /api/approvals (not a
     * candidate of the task) is in the trail as on the other channels.
     */
    @Test
    void whoAskedForARollbackDoesNotApproveIt() {
        fleet.host("sol4").setFault("install-newconfig", "fail", "1");
        String id = startAs("operator", "sol4");
        flow.approveCab(id);
        flow.prepare(id);
        flow.approve(id, "Task_ApproveHostUpgrade");
        assertThat(flow.decide(id, "Task_DecideOnFailure", "opsmanager", Map.of("decision", "rollback")))
                .isEqualTo(HttpStatus.NO_CONTENT);
        String gate = flow.awaitTask(id, "Task_ApproveRollback");
        ResponseEntity<String> own = viaApi("opsmanager", gate, "approve", "");
        assertThat(own.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(own.getBody()).contains("asked for the rollback of sol4");
        assertThat(api.call("opsmanager", HttpMethod.GET, "/api/approvals", null, List.class).getBody().toString())
                .doesNotContain(gate);
        assertThat(viaApi("operator", gate, "approve", "").getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(viaApi("approver1", gate, "approve", "ok").getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(jdbc.queryForList("SELECT actor || ' ' || kind FROM \"MSGSRV\".audit_event WHERE rollout_id = ?"
                + " AND kind IN ('ROLLBACK_REQUESTED', 'DECISION_REFUSED') ORDER BY seq", String.class, id))
                .containsExactly("opsmanager ROLLBACK_REQUESTED", "opsmanager DECISION_REFUSED",
                        "operator DECISION_REFUSED");
    }

    private String startAs(String user, String host) {
        String deployment = "d-" + host + "-" + System.nanoTime();
        flow.deploy(deployment, FleetSupport.deploymentJson(fleet), List.of(host), d -> {});
        ResponseEntity<Map> created = api.call(user, HttpMethod.POST, "/api/rollouts",
                Map.of("deployment", deployment, "target", "6.3"), Map.class);
        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        return (String) created.getBody().get("id");
    }

    private ResponseEntity<String> viaApi(String user, String taskId, String decision, String comment) {
        return api.call(user, HttpMethod.POST, "/api/approvals/" + taskId,
                Map.of("decision", decision, "comment", comment), String.class);
    }

    @Autowired
    org.camunda.bpm.engine.ManagementService management;
    @Autowired
    org.camunda.bpm.engine.RuntimeService runtime;

    /**
     * An incident (a job out of retries) is in the rollout's trail with its job, and so is its resolution by an
     * administrator's retry, under their name, with the reason they gave, and the host the process works on.
     */
    @Test
    void anIncidentAndAnAdministratorsRetryOfItsJobAreInTheTrail() {
        String id = startAs("operator", "sol18");
        Task cab = cabTasks(id).get(0);
        org.camunda.bpm.engine.runtime.Job job = management.createJobQuery()
                .processInstanceId(cab.getProcessInstanceId()).list().get(0);
        management.setJobRetries(job.getId(), 0); // as a job that failed its last retry
        assertThat(jdbc.queryForList("SELECT actor || ' ' || detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND"
                + " kind = 'INCIDENT'", String.class, id)).singleElement().asString().startsWith("system ")
                .contains("\"jobId\":\"" + job.getId() + "\"");
        ResponseEntity<String> retried = api.call("cockpitadmin", HttpMethod.PUT, "/engine-rest/job/" + job.getId()
                + "/retries", Map.of("retries", 1), String.class);
        assertThat(retried.getStatusCode()).as(retried.getBody()).isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(jdbc.queryForList("SELECT actor || ' ' || detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND"
                + " kind = 'INCIDENT_RESOLVED'", String.class, id)).singleElement().asString()
                .startsWith("cockpitadmin ").contains("\"jobId\":\"" + job.getId() + "\"").contains("\"incidentId\":");
        assertThat(jdbc.queryForList("SELECT detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND kind ="
                + " 'ENGINE_OPERATION'", String.class, id)).anyMatch(d -> d.contains("SetJobRetries"));
    }

    /** A gate claimed in Tasklist (its assignee set) is still listed by the API, to whoever may decide it. */
    @Test
    void aGateClaimedInTasklistIsStillListedWithItsAssignee() {
        String id = startAs("operator", "sol17");
        Task claimed = cabTasks(id).get(0);
        tasks.claim(claimed.getId(), "approver1");
        for (String approver : List.of("approver1", "approver2")) {
            List<Map<String, Object>> listed = api.getList(approver, "/api/approvals");
            assertThat(listed).as(approver).filteredOn(item -> claimed.getId().equals(item.get("taskId")))
                    .singleElement().satisfies(item -> assertThat(item).containsEntry("assignee", "approver1")
                            .containsEntry("rolloutId", id));
        }
    }

    private List<Task> cabTasks(String rolloutId) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> tasks.createTaskQuery()
                .processInstanceBusinessKey(rolloutId).taskDefinitionKey("Task_ApproveRollout").list(), l -> !l.isEmpty());
    }

    /** The rollout's CAB tasks, the first approved by approver1 through /api/approvals. */
    private List<Task> cabWithTheFirstApproved(String rolloutId) {
        List<Task> cab = cabTasks(rolloutId);
        assertThat(viaApi("approver1", cab.get(0).getId(), "approve", "ok").getStatusCode())
                .isEqualTo(HttpStatus.NO_CONTENT);
        return cab;
    }

    private List<String> auditKinds(String rolloutId) {
        return jdbc.queryForList("SELECT kind FROM \"MSGSRV\".audit_event WHERE rollout_id = ? ORDER BY seq",
                String.class, rolloutId);
    }

    @Test
    void refusesTheRequesterOnEveryChannelAndDoesNotOfferThemTheirOwnGates() {
        String id = startAs("opsmanager", "sol5");
        Task cab = cabTasks(id).get(0);
        assertThat(flow.decide(id, "Task_ApproveRollout", "opsmanager", Map.of("decision", "approve")))
                .isEqualTo(HttpStatus.FORBIDDEN);
        ResponseEntity<String> own = viaApi("opsmanager", cab.getId(), "approve", "");
        assertThat(own.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(own.getBody()).contains("requested rollout");
        List<?> offered = api.call("opsmanager", HttpMethod.GET, "/api/approvals", null, List.class).getBody();
        assertThat(offered.toString()).doesNotContain(id);
        // the requester's own operator tasks are offered to them
        String other = startAs("operator", "sol6");
        flow.approveCab(other);
        await().atMost(Duration.ofSeconds(30)).until(() -> api.call("operator", HttpMethod.GET, "/api/approvals", null,
                List.class).getBody().toString().contains("Task_ConfirmDependencies"));
        assertThat(api.call("approver1", HttpMethod.GET, "/api/approvals", null, List.class).getBody().toString())
                .contains(id).contains("plannedCommands");
        assertThat(auditKinds(id)).filteredOn("DECISION_REFUSED"::equals).hasSize(2);
    }

    @Test
    void needsTwoDistinctPeopleForTheQuorumAndOnePersonCountsOnce() {
        String id = startAs("operator", "sol7");
        List<Task> cab = cabTasks(id);
        assertThat(cab).hasSize(2);
        assertThat(viaApi("approver1", cab.get(0).getId(), "approve", "ok").getStatusCode())
                .isEqualTo(HttpStatus.NO_CONTENT);
        ResponseEntity<String> twice = viaApi("approver1", cab.get(1).getId(), "approve", "again");
        assertThat(twice.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(twice.getBody()).contains("counts once");
        assertThat(flow.decide(id, "Task_ApproveRollout", "approver1", Map.of("decision", "approve")))
                .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(tasks.createTaskQuery().processInstanceBusinessKey(id).taskDefinitionKey("Task_ApproveHostUpgrade")
                .count()).isZero();
        // the first approver's decision is not the second's: a completion without one is refused, and the other
        // task (Tasklist's form) does not show it as chosen
        assertThat(tasks.getVariable(cab.get(1).getId(), "decision")).isNull();
        ResponseEntity<String> empty = api.call("approver2", HttpMethod.POST, "/api/approvals/" + cab.get(1).getId(),
                null, String.class);
        assertThat(empty.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(empty.getBody()).contains("decision is required");
        ResponseEntity<String> without = api.call("approver2", HttpMethod.POST, "/engine-rest/task/"
                + cab.get(1).getId() + "/complete", "{}", String.class);
        assertThat(without.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(without.getBody()).contains("decision must be one of");
        assertThat(tasks.createTaskQuery().taskId(cab.get(1).getId()).count()).isOne();

        assertThat(viaApi("approver2", cab.get(1).getId(), "approve", "ok").getStatusCode())
                .isEqualTo(HttpStatus.NO_CONTENT);
        flow.awaitTask(id, "Task_ConfirmDependencies");
        // a decision on an already decided gate is refused on both channels
        assertThat(viaApi("approver2", cab.get(0).getId(), "approve", "late").getStatusCode())
                .isEqualTo(HttpStatus.CONFLICT);
        assertThat(api.call("approver2", HttpMethod.POST, "/engine-rest/task/" + cab.get(0).getId() + "/complete",
                "{}", String.class).getStatusCode().is4xxClientError()).isTrue();
        // and both attempts are in the trail, under the approver's name
        assertThat(jdbc.queryForList("SELECT actor FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND kind ="
                + " 'DECISION_REFUSED' AND detail LIKE ? AND detail LIKE '%decided meanwhile%'", String.class, id,
                "%" + cab.get(0).getId() + "%")).containsExactly("approver2", "approver2");
        // not by someone who could never have decided it: nothing in the trail for them
        assertThat(api.call("auditor", HttpMethod.POST, "/engine-rest/task/" + cab.get(0).getId() + "/complete",
                "{}", String.class).getStatusCode().is4xxClientError()).isTrue();
        assertThat(jdbc.queryForList("SELECT actor FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND actor ="
                + " 'auditor'", String.class, id)).isEmpty();

        // a backup's reference sent with another task's decision is not the backup's
        assertThat(api.call("operator", HttpMethod.POST, "/api/approvals/" + flow.awaitTask(id,
                "Task_ConfirmDependencies"), Map.of("decision", "confirmed", "comment", "done", "backupReference",
                "bk-early"), String.class).getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        ResponseEntity<String> noReference = api.call("operator", HttpMethod.POST, "/api/approvals/"
                + flow.awaitTask(id, "Task_RecordDirectoryBackup"), Map.of("decision", "confirmed", "comment",
                "backed up"), String.class);
        assertThat(noReference.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(noReference.getBody()).contains("the reference of the Directory Server backup is required");
    }

    @Test
    void aDecisionSetsItsOwnFieldsOnlyAndNoVariableOfTheTaskIsWrittenThroughTheApi() {
        String id = startAs("operator", "sol8");
        List<Task> cab = cabWithTheFirstApproved(id);
        String second = cab.get(1).getId();
        // the one who approved tries to count twice: by clearing the approvers the rule reads, with the completion
        ResponseEntity<String> rewrite = api.call("approver1", HttpMethod.POST, "/engine-rest/task/" + second
                + "/complete", "{\"variables\":{\"decision\":{\"value\":\"approve\"},"
                + "\"cabApprovers\":{\"value\":\"\"}}}", String.class);
        assertThat(rewrite.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(rewrite.getBody()).contains("'cabApprovers' cannot be changed");
        // nor through another spelling of the same route: a trailing slash, the engine's name (a matrix parameter
        // or a doubled slash is refused before the API by Spring Security's firewall)
        for (String path : List.of("/engine-rest/task/" + second + "/complete/",
                "/engine-rest/engine/default/task/" + second + "/complete")) {
            ResponseEntity<String> respelled = api.call("approver1", HttpMethod.POST, path, "{\"variables\":{"
                    + "\"decision\":{\"value\":\"approve\"},\"cabApprovers\":{\"value\":\"\"}}}", String.class);
            assertThat(respelled.getStatusCode()).as(path).isEqualTo(HttpStatus.BAD_REQUEST);
            assertThat(respelled.getBody()).as(path).contains("'cabApprovers' cannot be changed");
        }
        // or on the task itself, or by ending the gate with a BPMN error
        assertThat(api.call("approver1", HttpMethod.PUT, "/engine-rest/task/" + second + "/variables/cabApprovers",
                "{\"value\":\"\",\"type\":\"String\"}", String.class).getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(api.call("approver1", HttpMethod.POST, "/engine-rest/task/" + second + "/localVariables",
                "{\"modifications\":{\"decision\":{\"value\":\"approve\"}}}", String.class).getStatusCode())
                .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(api.call("approver1", HttpMethod.POST, "/engine-rest/task/" + second + "/bpmnError",
                "{\"errorCode\":\"Err_Skip\"}", String.class).getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        // nor handed to a delegate, whose resolution would leave the decision the owner's completion is recorded with
        ResponseEntity<String> delegated = api.call("approver1", HttpMethod.POST, "/engine-rest/task/" + second
                + "/delegate", "{\"userId\":\"operator\"}", String.class);
        assertThat(delegated.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(delegated.getBody()).contains("delegate is not accepted");
        assertThat(api.call("approver1", HttpMethod.POST, "/engine-rest/task/" + second + "/resolve",
                "{\"variables\":{\"decision\":{\"value\":\"approve\"}}}", String.class).getStatusCode())
                .isEqualTo(HttpStatus.FORBIDDEN);
        ResponseEntity<String> updated = api.call("approver1", HttpMethod.PUT, "/engine-rest/task/" + second,
                "{\"name\":\"Approve the rollout (CAB)\",\"owner\":\"approver1\",\"assignee\":\"operator\","
                        + "\"delegationState\":\"PENDING\"}", String.class);
        assertThat(updated.getStatusCode()).as(updated.getBody()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(tasks.createTaskQuery().taskId(second).singleResult().getDelegationState()).isNull();
        // nor is who may decide it changed: a candidate group added (the escalation group's, or change-managers on
        // an operators' decision) or taken away
        for (String links : List.of("/identity-links", "/identity-links/delete")) {
            ResponseEntity<String> candidate = api.call("approver1", HttpMethod.POST, "/engine-rest/task/" + second
                    + links, "{\"groupId\":\"operators\",\"type\":\"candidate\"}", String.class);
            assertThat(candidate.getStatusCode()).as(links + ": " + candidate.getBody())
                    .isEqualTo(HttpStatus.FORBIDDEN);
        }
        assertThat(tasks.getIdentityLinksForTask(second)).filteredOn(link -> "candidate".equals(link.getType()))
                .extracting(link -> link.getGroupId()).containsOnly("change-managers");
        // Tasklist sends a form's read-only fields back: as they are, accepted; changed, refused
        Tasklist approver2 = Tasklist.loggedIn(rest.getRootUri(), "approver2");
        HttpResponse<String> moved = approver2.submit(second,
                "{\"decision\":{\"value\":\"approve\"},\"rolloutId\":{\"value\":\"another\"}}");
        assertThat(moved.statusCode()).isEqualTo(400);
        assertThat(moved.body()).contains("'rolloutId' cannot be changed");
        assertThat(tasks.createTaskQuery().taskId(second).count()).isOne();
        assertThat(tasks.getVariable(second, "cabApprovers")).isEqualTo("approver1");
        assertThat(approver2.submit(second, "{\"decision\":{\"value\":\"approve\"},\"decisionComment\":"
                + "{\"value\":\"ok\"},\"rolloutId\":{\"value\":\"" + id + "\"},\"cabApprovers\":"
                + "{\"value\":\"approver1\"}}").statusCode()).isEqualTo(204);
        flow.awaitTask(id, "Task_ConfirmDependencies");
        assertThat(jdbc.queryForList("SELECT actor || ' ' || kind FROM \"MSGSRV\".audit_event WHERE rollout_id = ?"
                + " AND kind LIKE 'DECISION%' ORDER BY seq", String.class, id)).containsExactly(
                "approver1 DECISION", "approver1 DECISION_REFUSED", "approver1 DECISION_REFUSED",
                "approver1 DECISION_REFUSED", "approver1 DECISION_REFUSED", "approver1 DECISION_REFUSED",
                "approver1 DECISION_REFUSED", "approver1 DECISION_REFUSED", "approver1 DECISION_REFUSED",
                "approver1 DECISION_REFUSED", "approver1 DECISION_REFUSED", "approver1 DECISION_REFUSED",
                "approver2 DECISION_REFUSED", "approver2 DECISION");
    }

    @Test
    void refusesInTasklistAsOnTheOtherChannelsAndRecordsEveryRefusal() {
        String id = startAs("operator", "sol9");
        List<Task> cab = cabTasks(id);
        String approve = "{\"decision\":{\"value\":\"approve\"},\"decisionComment\":{\"value\":\"ok\"}}";
        // refused by the engine's authorizations: an operator may not decide a change managers' gate
        HttpResponse<String> byOperator = Tasklist.loggedIn(rest.getRootUri(), "operator")
                .submit(cab.get(0).getId(), approve);
        assertThat(byOperator.statusCode()).isEqualTo(403);
        assertThat(byOperator.body()).contains("operator");
        Tasklist approver1 = Tasklist.loggedIn(rest.getRootUri(), "approver1");
        assertThat(approver1.submit(cab.get(0).getId(), approve).statusCode()).isEqualTo(204);
        // refused by the service's rules: the reason, not a server error
        HttpResponse<String> twice = approver1.submit(cab.get(1).getId(), approve);
        assertThat(twice.statusCode()).isEqualTo(403);
        assertThat(twice.body()).contains("one person counts once in the quorum");
        assertThat(jdbc.queryForList("SELECT actor || ' ' || kind FROM \"MSGSRV\".audit_event WHERE rollout_id = ?"
                + " AND kind LIKE 'DECISION%' ORDER BY seq", String.class, id))
                .containsExactly("operator DECISION_REFUSED", "approver1 DECISION", "approver1 DECISION_REFUSED");
        assertThat(tasks.createTaskQuery().taskId(cab.get(1).getId()).count()).isOne();
    }

    @Test
    void refusesARejectionWithoutCommentAndLetsNoOperatorOrAuditorDecideAGate() {
        String id = startAs("operator", "sol3");
        Task cab = cabTasks(id).get(0);
        ResponseEntity<String> noComment = viaApi("approver1", cab.getId(), "reject", " ");
        assertThat(noComment.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(noComment.getBody()).contains("comment is required");
        assertThat(flow.decide(id, "Task_ApproveRollout", "approver1", Map.of("decision", "reject")))
                .isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(viaApi("approver1", cab.getId(), "maybe", "x").getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        // a comment longer than the engine keeps is refused on every channel, not a server error at the flush
        String longComment = "x".repeat(4001);
        ResponseEntity<String> tooLong = viaApi("approver1", cab.getId(), "reject", longComment);
        assertThat(tooLong.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(tooLong.getBody()).contains("comment must be at most 3800 characters, was 4001");
        // measured as sent, spaces around it included: the engine stores it so
        ResponseEntity<String> padded = viaApi("approver1", cab.getId(), "reject", "x".repeat(3700) + " ".repeat(300));
        assertThat(padded.getStatusCode()).as(padded.getBody()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(padded.getBody()).contains("comment must be at most 3800 characters, was 4000");
        // a gate whose process an administrator suspended: not listed, and a decision is answered 409, saying why
        String rolloutProcess = cab.getProcessInstanceId();
        runtime.suspendProcessInstanceById(rolloutProcess);
        try {
            assertThat(api.getList("approver1", "/api/approvals")).extracting(item -> item.get("taskId"))
                    .doesNotContain(cab.getId());
            ResponseEntity<String> suspended = viaApi("approver1", cab.getId(), "approve", "ok");
            assertThat(suspended.getStatusCode()).as(suspended.getBody()).isEqualTo(HttpStatus.CONFLICT);
            assertThat(suspended.getBody()).contains("its process is suspended");
        } finally {
            runtime.activateProcessInstanceById(rolloutProcess);
        }
        assertThat(api.getList("approver1", "/api/approvals")).extracting(item -> item.get("taskId"))
                .contains(cab.getId());
        HttpResponse<String> inTasklist = Tasklist.loggedIn(rest.getRootUri(), "approver1").submit(cab.getId(),
                "{\"decision\":{\"value\":\"approve\"},\"decisionComment\":{\"value\":\"" + longComment + "\"}}");
        assertThat(inTasklist.statusCode()).isEqualTo(400);
        assertThat(inTasklist.body()).contains("at most 3800 characters");
        // a decision of any shape is shown cut and on one line
        ResponseEntity<String> oddDecision = viaApi("approver1", cab.getId(), "no\nINFO forged line" + "y".repeat(200),
                "x");
        assertThat(oddDecision.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(oddDecision.getBody()).contains("was 'no\\\\nINFO forged line").doesNotContain("y".repeat(81));
        assertThat(viaApi("auditor", cab.getId(), "approve", "x").getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(flow.decide(id, "Task_ApproveRollout", "auditor", Map.of("decision", "approve")))
                .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(flow.decide(id, "Task_ApproveRollout", "operator", Map.of("decision", "approve")))
                .isEqualTo(HttpStatus.FORBIDDEN);

        assertThat(viaApi("approver1", cab.getId(), "reject", "not this week").getStatusCode())
                .isEqualTo(HttpStatus.NO_CONTENT);
        flow.awaitState(id, "REJECTED");
        assertThat(fleet.host("sol3").commandLog()).isEmpty();
        assertThat(auditKinds(id)).filteredOn("DECISION_REFUSED"::equals).hasSizeGreaterThanOrEqualTo(5);
    }

    @Test
    void escalatesAGatePastItsDeadlineThenRejectsItNeverApproves() {
        String id = startAs("operator", "lin1");
        flow.approveCab(id);
        flow.prepare(id);
        String risk = flow.awaitTask(id, "Task_AcceptRisk");
        user("dutymanager", "duty-managers");
        await().atMost(Duration.ofSeconds(30)).until(() -> auditKinds(id).contains("GATE_ESCALATED"));
        // escalated, the gate is the escalation group's to decide too: listed for its members, their decisions
        // judged as a change manager's (this one's choice is not one of the gate's)
        assertThat(api.getList("dutymanager", "/api/approvals")).extracting(item -> item.get("taskId")).contains(risk);
        ResponseEntity<String> escalatedTo = viaApi("dutymanager", risk, "maybe", "");
        assertThat(escalatedTo.getStatusCode()).as(escalatedTo.getBody()).isEqualTo(HttpStatus.BAD_REQUEST);
        // still open (escalated after 2 s, rejected after 30 s), and raised in the task lists
        Task escalated = tasks.createTaskQuery().taskId(risk).singleResult();
        assertThat(escalated).as("the escalated gate, still open").isNotNull();
        assertThat(escalated.getPriority()).isEqualTo(100);
        flow.awaitHostState(id, "lin1", "REJECTED");
        assertThat(jdbc.queryForList("SELECT detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND kind = 'DECISION'"
                + " AND actor = 'system'", String.class, id)).singleElement().asString()
                .contains("\"decision\":\"reject\"").contains("deadline passed");
        assertThat(fleet.host("lin1").commandLog()).extracting(e -> e.command()).containsExactly("imsimta");
    }

    @Test
    void waitsForTheMaintenanceWindowAndRefusesARolloutIntoABlackout() {
        flow.deploy("d-windows", FleetSupport.deploymentJson(fleet), List.of("sol10"), d -> {});
        Instant now = Instant.now();
        ResponseEntity<String> blackout = api.call("operator", HttpMethod.POST, "/api/rollouts", Map.of(
                "deployment", "d-windows", "blackouts", List.of(Map.of("start", now.minusSeconds(60).toString(),
                        "end", now.plusSeconds(3600).toString()))), String.class);
        assertThat(blackout.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(blackout.getBody()).contains("requested into the blackout");

        ResponseEntity<String> overlapping = api.call("operator", HttpMethod.POST, "/api/rollouts", Map.of(
                "deployment", "d-windows",
                "windows", List.of(Map.of("start", now.plusSeconds(60).toString(), "end", now.plusSeconds(7200).toString())),
                "blackouts", List.of(Map.of("start", now.plusSeconds(3600).toString(),
                        "end", now.plusSeconds(9000).toString()))), String.class);
        assertThat(overlapping.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(overlapping.getBody()).contains("falls into the blackout");
        ResponseEntity<String> empty = api.call("operator", HttpMethod.POST, "/api/rollouts",
                "{\"deployment\":\"d-windows\",\"windows\":[null],\"blackouts\":[null]}", String.class);
        assertThat(empty.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(empty.getBody()).contains("windows[0] (no start)–(no end) needs a start before its end")
                .contains("blackouts[0] (no start)–(no end) needs a start before its end");
        ResponseEntity<String> farAhead = api.call("operator", HttpMethod.POST, "/api/rollouts",
                "{\"deployment\":\"d-windows\",\"windows\":[{\"start\":\"+300000-01-01T00:00:00Z\","
                        + "\"end\":\"+300001-01-01T00:00:00Z\"}]}", String.class);
        assertThat(farAhead.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(farAhead.getBody()).contains("starts more than 366 days ahead");

        int before = fleet.host("sol10").commandLog().size();
        ResponseEntity<Map> later = api.call("operator", HttpMethod.POST, "/api/rollouts", Map.of(
                "deployment", "d-windows",
                "windows", List.of(Map.of("start", now.plusSeconds(3600).toString(),
                        "end", now.plusSeconds(7200).toString()))), Map.class);
        assertThat(later.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        String id = (String) later.getBody().get("id");
        // one rollout of a deployment at a time: a second would run the guide's commands on the same hosts again
        ResponseEntity<String> second = api.call("operator", HttpMethod.POST, "/api/rollouts",
                Map.of("deployment", "d-windows"), String.class);
        assertThat(second.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(second.getBody()).contains("the rollout " + id + " of d-windows has not ended");
        flow.approveCab(id);
        flow.prepare(id);
        flow.approve(id, "Task_ApproveHostUpgrade");
        await().atMost(Duration.ofSeconds(30)).until(() -> tasks.createTaskQuery().processInstanceBusinessKey(id)
                .count() == 0 && !jdbc.queryForList("SELECT ID_ FROM ACT_RU_JOB WHERE PROCESS_INSTANCE_ID_ IN (SELECT"
                + " PROC_INST_ID_ FROM ACT_RU_EXECUTION WHERE BUSINESS_KEY_ = ?) AND TYPE_ = 'timer'", String.class, id)
                .isEmpty());
        // only the read-only version check ran: nothing is stopped before the window opens
        assertThat(fleet.host("sol10").commandLog().subList(before, fleet.host("sol10").commandLog().size()))
                .extracting(e -> e.command()).containsOnly("imsimta");
        assertThat(flow.hostState(id, "sol10")).isEqualTo("AWAITING_APPROVAL");

        // an abort ends the approved host waiting for its window (woken, not an hour later), nothing changed on it
        assertThat(api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/abort", null, String.class)
                .getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        flow.awaitState(id, "ABORTED");
        assertThat(flow.hostState(id, "sol10")).isEqualTo("NOT_STARTED");
        assertThat(notStarted(id)).singleElement().asString().contains("the rollout is aborting");
        assertThat(fleet.host("sol10").commandLog().subList(before, fleet.host("sol10").commandLog().size()))
                .extracting(e -> e.command()).containsOnly("imsimta");
    }

    /** The end of a window that a test lets pass: far enough ahead that a slow machine's request is not refused. */
    private static Instant lastWindowEnd() {
        return Instant.now().plusSeconds(15).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }

    /** The rollout through its CAB and preparation to {@code gate}, which is approved once {@code end} has passed. */
    private void approvedOnceEnded(String rolloutId, String gate, Instant end) {
        flow.approveCab(rolloutId);
        flow.prepare(rolloutId);
        flow.awaitTask(rolloutId, gate);
        await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(end));
        flow.approve(rolloutId, gate);
    }

    /** The id of a rollout of the deployment requested with one window, ending at {@code end}. */
    private String requestedWithWindowUntil(String deployment, Instant end) {
        ResponseEntity<Map> created = api.call("operator", HttpMethod.POST, "/api/rollouts", Map.of("deployment",
                deployment, "windows", List.of(Map.of("start", end.minusSeconds(3600).toString(), "end",
                        end.toString()))), Map.class);
        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        return (String) created.getBody().get("id");
    }

    /** The audit trail's reasons a host of the rollout did not start. */
    private List<String> notStarted(String rolloutId) {
        return jdbc.queryForList("SELECT detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND"
                + " kind = 'HOST_NOT_STARTED'", String.class, rolloutId);
    }

    /**
     * Its only window over by the time its host is approved: the host ends NOT_STARTED, nothing changed on it; a host
     * that claims its slot after its rollout's last window ended is not even offered for approval.
     */
    @Test
    void aHostWithNoWindowLeftEndsWithoutStarting() {
        flow.deploy("d-late", FleetSupport.deploymentJson(fleet), List.of("sol12"), d -> {});
        flow.deploy("d-later", FleetSupport.deploymentJson(fleet), List.of("sol13"), d -> {});
        Instant end = lastWindowEnd();
        String late = requestedWithWindowUntil("d-late", end);
        String later = requestedWithWindowUntil("d-later", end);
        approvedOnceEnded(late, "Task_ApproveHostUpgrade", end);
        flow.awaitHostState(late, "sol12", "NOT_STARTED");
        assertThat(notStarted(late)).singleElement().asString().contains("no maintenance window of the rollout is left");
        assertThat(fleet.host("sol12").commandLog()).extracting(e -> e.command()).containsOnly("imsimta");

        flow.approveCab(later);
        flow.prepare(later);
        flow.awaitHostState(later, "sol13", "NOT_STARTED");
        assertThat(notStarted(later)).singleElement().asString().contains("no maintenance window of the rollout is left");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM ACT_HI_TASKINST WHERE TASK_DEF_KEY_ = 'Task_ApproveHostUpgrade'"
                + " AND PROC_INST_ID_ IN (SELECT PROC_INST_ID_ FROM ACT_HI_PROCINST WHERE BUSINESS_KEY_ = ?)",
                Integer.class, later)).as("no approval asked for a host that cannot start").isZero();
        assertThat(fleet.host("sol13").commandLog()).as("nothing run on it").isEmpty();
    }

    /**
     * A cluster whose failover is approved after its rollout's last window ended, none of its hosts begun: its node
     * and standby end NOT_STARTED, nothing stopped or failed over.
     */
    @Test
    void aClusterApprovedAfterTheLastWindowDoesNotStart() {
        flow.deploy("d-cluster-late", FleetSupport.deploymentJson(fleet), List.of("cl1", "clx"), d -> {
            com.fasterxml.jackson.databind.node.ObjectNode group = d.putArray("groups").addObject();
            group.put("name", "ha").put("topology", "asymmetric-ha").put("standby", "clx");
            group.putArray("members").add("cl1");
        });
        Instant end = lastWindowEnd();
        String id = requestedWithWindowUntil("d-cluster-late", end);
        approvedOnceEnded(id, "Task_ApproveFailover", end);
        flow.awaitHostState(id, "cl1", "NOT_STARTED");
        flow.awaitHostState(id, "clx", "NOT_STARTED");
        assertThat(notStarted(id)).hasSize(2)
                .allSatisfy(d -> assertThat(d).contains("no maintenance window of the rollout is left"));
        for (String host : List.of("cl1", "clx")) {
            assertThat(fleet.host(host).commandLog()).as(host + ": nothing stopped, nothing failed over")
                    .noneMatch(e -> List.of("stop-msg", "useconfig", "start-msg").contains(e.command()));
        }
    }

    /**
     * A rollout without windows, requested before its blackout: a host approved once the blackout began is not
     * stopped, and waits for the blackout's end (checked at request only, it used to start there).
     */
    @Test
    void aBlackoutThatBeginsWhileTheRolloutRunsHoldsItsHostsUntilItsEnd() {
        flow.deploy("d-freeze", FleetSupport.deploymentJson(fleet), List.of("sol11"), d -> {});
        // far enough ahead that a slow machine's request is not into it
        Instant start = Instant.now().plusSeconds(15).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant end = start.plusSeconds(3600);
        ResponseEntity<Map> created = api.call("operator", HttpMethod.POST, "/api/rollouts", Map.of(
                "deployment", "d-freeze", "blackouts", List.of(Map.of("start", start.toString(),
                        "end", end.toString()))), Map.class);
        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        String id = (String) created.getBody().get("id");
        flow.approveCab(id);
        flow.prepare(id);
        flow.awaitTask(id, "Task_ApproveHostUpgrade");
        int before = fleet.host("sol11").commandLog().size();
        await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(start));
        flow.approve(id, "Task_ApproveHostUpgrade");
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForList("SELECT DUEDATE_ FROM ACT_RU_JOB WHERE"
                + " PROCESS_INSTANCE_ID_ IN (SELECT PROC_INST_ID_ FROM ACT_RU_EXECUTION WHERE BUSINESS_KEY_ = ?) AND"
                + " TYPE_ = 'timer' AND HANDLER_CFG_ LIKE '%WaitForChangeWindow%'", java.sql.Timestamp.class, id)
                .stream().anyMatch(due -> due.toInstant().equals(end)));
        assertThat(fleet.host("sol11").commandLog().subList(before, fleet.host("sol11").commandLog().size()))
                .as("nothing stopped in the blackout").noneMatch(e -> e.command().equals("stop-msg"));
        assertThat(flow.hostState(id, "sol11")).isEqualTo("AWAITING_APPROVAL");

        // an abort whose wake-up was lost (its node stopped right after its commit): the sweep wakes the host, which
        // ends without starting, instead of the blackout's end an hour on
        jdbc.update("UPDATE \"MSGSRV\".rollout SET control = 'ABORTING' WHERE id = ?", id);
        control.sweepAborting();
        flow.awaitHostState(id, "sol11", "NOT_STARTED");
        assertThat(fleet.host("sol11").commandLog().subList(before, fleet.host("sol11").commandLog().size()))
                .noneMatch(e -> e.command().equals("stop-msg"));
    }

    @Autowired
    com.msgupgrade.rollout.RolloutControl control;

    /**
     * A post-upgrade phase (enabling IMAP) is held as a host's start is: two hosts approved in time, then held at a
     * failed patch past the moment their rollouts can no longer change anything, are retried and finish their
     * upgrade (a host under way finishes); then one rollout's only window is over, and the phase is recorded as not
     * run, the rollout FINISHED_WITH_ISSUES; the other's blackout has begun, and the phase waits for its end, until an
     * abort wakes it. Neither host's IMAP was touched.
     */
    @Test
    void aPostUpgradePhaseRunsOnlyInAWindowAndOutOfBlackouts() {
        flow.deploy("d-imap-late", FleetSupport.deploymentJson(fleet), List.of("sol14"), ApprovalRulesTest::servesWebmail);
        flow.deploy("d-imap-freeze", FleetSupport.deploymentJson(fleet), List.of("sol15"), ApprovalRulesTest::servesWebmail);
        // far enough ahead for both hosts to be approved and started before it on a slow machine
        Instant end = Instant.now().plusSeconds(25).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String late = requestedWithWindowUntil("d-imap-late", end);
        ResponseEntity<Map> created = api.call("operator", HttpMethod.POST, "/api/rollouts", Map.of(
                "deployment", "d-imap-freeze", "blackouts", List.of(Map.of("start", end.toString(),
                        "end", end.plusSeconds(3600).toString()))), Map.class);
        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        String freeze = (String) created.getBody().get("id");
        Map<String, String> hostOf = Map.of(late, "sol14", freeze, "sol15");
        for (String id : List.of(late, freeze)) {
            fleet.host(hostOf.get(id)).setFault("patchadd", "fail-once", "1");
            flow.approveCab(id);
            flow.prepare(id);
            flow.approve(id, "Task_ApproveHostUpgrade");
        }
        for (String id : List.of(late, freeze)) {
            flow.awaitTask(id, "Task_DecideOnFailure");
        }
        assertThat(Instant.now()).as("both hosts started in time: the test's premise").isBefore(end);
        await().atMost(Duration.ofSeconds(40)).until(() -> Instant.now().isAfter(end));
        for (String id : List.of(late, freeze)) {
            assertThat(flow.decide(id, "Task_DecideOnFailure", "operator", Map.of("decision", "retry")))
                    .isEqualTo(HttpStatus.NO_CONTENT);
            flow.awaitHostState(id, hostOf.get(id), "UPGRADED");
        }

        assertThat(flow.decide(late, "Task_DecommissionConfigDirectory", "operator",
                Map.of("decision", "confirmed", "decisionComment", "config DS scheduled for removal")))
                .isEqualTo(HttpStatus.NO_CONTENT);
        flow.approve(late, "Task_SignOff");
        flow.awaitState(late, "FINISHED_WITH_ISSUES");
        assertThat(jdbc.queryForList("SELECT detail FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND"
                + " kind = 'PHASE_NOT_RUN'", String.class, late)).singleElement().asString()
                .contains("sol14/enable-imap").contains("no maintenance window of the rollout is left");

        // paused by its failed step (failure policy stop) and in the blackout: it waits for the blackout's end
        await().atMost(Duration.ofSeconds(30)).until(() -> phaseTimers(freeze).contains(end.plusSeconds(3600)));
        assertThat(api.call("operator", HttpMethod.POST, "/api/rollouts/" + freeze + "/abort", null, String.class)
                .getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        flow.awaitState(freeze, "ABORTED");
        for (String host : List.of("sol14", "sol15")) {
            assertThat(fleet.host(host).commandLog()).as(host + ": upgraded, its IMAP not touched")
                    .anyMatch(e -> e.command().equals("patchadd") && e.exitCode() == 0)
                    .noneMatch(e -> e.argLine().contains("service.imap.enable"));
        }
    }

    /** The deployment's hosts serve webmail too (Messenger Express on the store): IMAP is enabled on them after. */
    static void servesWebmail(com.fasterxml.jackson.databind.node.ObjectNode deployment) {
        deployment.withArray("hosts").forEach(h -> ((com.fasterxml.jackson.databind.node.ObjectNode) h)
                .putArray("components").add("store").add("webmail"));
    }

    /** The timers of the rollout's post-upgrade phase waiting for a window, a blackout's end or the resume. */
    private List<Instant> phaseTimers(String rolloutId) {
        return jdbc.queryForList("SELECT DUEDATE_ FROM ACT_RU_JOB WHERE PROCESS_INSTANCE_ID_ IN (SELECT PROC_INST_ID_"
                + " FROM ACT_RU_EXECUTION WHERE BUSINESS_KEY_ = ?) AND TYPE_ = 'timer' AND HANDLER_CFG_ LIKE"
                + " '%WaitForPhaseWindow%'", java.sql.Timestamp.class, rolloutId).stream()
                .map(java.sql.Timestamp::toInstant).toList();
    }

    /**
     * A paused rollout starts no post-upgrade phase: its host, retried after a failed step (which paused the rollout,
     * failure policy stop), is upgraded, and enabling IMAP waits for the resume, which wakes it.
     */
    @Test
    void aPausedRolloutHoldsItsPostUpgradePhaseUntilItIsResumed() {
        flow.deploy("d-imap-paused", FleetSupport.deploymentJson(fleet), List.of("sol16"), ApprovalRulesTest::servesWebmail);
        fleet.host("sol16").setFault("patchadd", "fail-once", "1");
        String id = flow.startApproved("d-imap-paused");
        flow.approve(id, "Task_ApproveHostUpgrade");
        assertThat(flow.decide(id, "Task_DecideOnFailure", "operator", Map.of("decision", "retry")))
                .isEqualTo(HttpStatus.NO_CONTENT);
        flow.awaitHostState(id, "sol16", "UPGRADED");
        assertThat(api.getMap("operator", "/api/rollouts/" + id).get("control")).isEqualTo("PAUSED");
        await().atMost(Duration.ofSeconds(30)).until(() -> !phaseTimers(id).isEmpty());
        assertThat(fleet.host("sol16").commandLog()).as("IMAP not touched while paused")
                .noneMatch(e -> e.argLine().contains("service.imap.enable"));

        assertThat(api.call("operator", HttpMethod.POST, "/api/rollouts/" + id + "/resume", null, String.class)
                .getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        // woken at the resume, not at its next look (the slot poll interval, 30 s)
        await().atMost(Duration.ofSeconds(20)).until(() -> fleet.host("sol16").commandLog().stream()
                .anyMatch(e -> e.argLine().contains("service.imap.enable -v yes")));
        flow.finish(id);
    }
}
