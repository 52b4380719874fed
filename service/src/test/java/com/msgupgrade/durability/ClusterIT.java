package com.msgupgrade.durability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.msgupgrade.simulator.HostSpec;
import com.msgupgrade.simulator.SimulatedFleet;
import com.msgupgrade.support.Flow;
import com.msgupgrade.support.FleetSupport;
import com.msgupgrade.support.Postgres;
import com.msgupgrade.support.Runs;
import com.msgupgrade.support.ServiceProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.http.HttpMethod;
import org.springframework.jdbc.core.JdbcTemplate;

/** Two service processes on one PostgreSQL database: a cluster. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    static final SimulatedFleet fleet = FleetSupport.start("cluster", "127.0.0.71", List.of(
            HostSpec.solaris("ms1", "6.2p3", List.of("store")), HostSpec.solaris("ms2", "6.2p3", List.of("store")),
            HostSpec.solaris("ms3", "6.2p3", List.of("store")), HostSpec.solaris("ms4", "6.2p3", List.of("store"))));

    static JdbcTemplate jdbc;
    static ServiceProcess nodeA;
    static ServiceProcess nodeB;

    @BeforeAll
    static void startTwoNodes() {
        String url = Postgres.newDatabase();
        jdbc = Runs.jdbc(url);
        Map<String, String> settings = ServiceProcess.settings(url, fleet);
        // a step's job waits for its command long enough to be the one running it when its node is killed
        settings.put("msgsrv.runs.quick-wait", "PT60S");
        nodeA = ServiceProcess.start("node-a", settings);
        nodeB = ServiceProcess.start("node-b", settings);
    }

    @AfterAll
    static void stop() {
        nodeA.close();
        nodeB.close();
        fleet.close();
    }

    @Test
    @Order(1)
    void twoApproversDecidingOneGateAtTheSameMomentOnTwoNodesExactlyOneSucceeds() throws Exception {
        Flow flow = nodeA.flow();
        flow.deploy("race", FleetSupport.deploymentJson(fleet), List.of("ms1", "ms2", "ms3"), d -> {});
        String id = flow.startApproved("race");
        List<String> gates = await().atMost(Duration.ofSeconds(90)).until(() -> hostGates(id), g -> g.size() == 3);

        // per gate, the channels of approver1 on node A and approver2 on node B: /api/approvals answers the one who
        // came second 409, the engine's REST API (Tasklist's channel too) 404; never 403 or 500
        List<List<String>> channels = List.of(List.of(API, API), List.of(API, ENGINE_REST),
                List.of(ENGINE_REST, ENGINE_REST));
        List<List<Integer>> outcomes = new ArrayList<>();
        for (int i = 0; i < gates.size(); i++) {
            String gate = gates.get(i);
            List<String> via = channels.get(i);
            CyclicBarrier together = new CyclicBarrier(2);
            CompletableFuture<Integer> first = CompletableFuture.supplyAsync(
                    () -> decide(nodeA, "approver1", via.get(0), gate, together));
            CompletableFuture<Integer> second = CompletableFuture.supplyAsync(
                    () -> decide(nodeB, "approver2", via.get(1), gate, together));
            outcomes.add(List.of(first.get(), second.get()));
        }

        for (int i = 0; i < gates.size(); i++) {
            List<String> via = channels.get(i);
            assertThat(outcomes.get(i)).as("HTTP status of approver1 on node A (%s) and approver2 on node B (%s)",
                    via.get(0), via.get(1)).isIn(List.of(204, secondComer(via.get(1))),
                    List.of(secondComer(via.get(0)), 204));
        }
        for (String host : List.of("ms1", "ms2", "ms3")) {
            flow.awaitHostState(id, host, "UPGRADED");
            assertThat(jdbc.queryForList("SELECT actor FROM \"MSGSRV\".audit_event WHERE rollout_id = ? AND host_name = ?"
                    + " AND kind = 'DECISION'", String.class, id, host)).as("decisions on %s's gate", host).hasSize(1);
        }
        flow.finish(id); // waits for COMPLETED
    }

    @Test
    @Order(2)
    void whenTheNodeRunningALongCommandIsKilledTheOtherFinishesTheRollout() {
        fleet.host("ms4").setFault("patchadd", "delay", "15");
        String id = nodeA.flow().startApproved(deployFailover());
        nodeA.flow().approve(id, "Task_ApproveHostUpgrade");
        Runs.awaitRun(jdbc, id, "ms4", "apply-core-patch", "LAUNCHED");
        String runner = jdbc.queryForObject("SELECT node_id FROM \"MSGSRV\".command_run WHERE rollout_id = ? AND step_id"
                + " = 'apply-core-patch'", String.class, id);
        ServiceProcess victim = runner.equals(nodeA.node()) ? nodeA : nodeB;
        ServiceProcess survivor = victim == nodeA ? nodeB : nodeA;

        long killed = System.nanoTime();
        victim.kill();
        Flow flow = survivor.flow();
        flow.awaitHostState(id, "ms4", "UPGRADED");
        Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
        assertThat(takeover).as("from the kill to the host upgraded by " + survivor.node())
                .isLessThan(Duration.ofMinutes(2));
        flow.finish(id); // waits for COMPLETED

        assertThat(Runs.changes(fleet.host("ms4"))).filteredOn(c -> c.startsWith("patchadd")).hasSize(1);
        assertThat(fleet.host("ms4").version()).isEqualTo("6.3");
        assertThat(jdbc.queryForList("SELECT DISTINCT node_id FROM \"MSGSRV\".command_run WHERE rollout_id = ? AND"
                + " created_at > (SELECT created_at FROM \"MSGSRV\".command_run WHERE rollout_id = ? AND step_id ="
                + " 'apply-core-patch')", String.class, id, id)).as("nodes that ran the steps after the kill")
                .containsExactly(survivor.node());
    }

    private String deployFailover() {
        nodeA.flow().deploy("failover", FleetSupport.deploymentJson(fleet), List.of("ms4"), d -> {});
        return "failover";
    }

    @SuppressWarnings("unchecked")
    private static List<String> hostGates(String rolloutId) {
        List<Map<String, Object>> tasks = nodeA.api().call(ServiceProcess.ADMIN, HttpMethod.GET,
                "/engine-rest/task?processInstanceBusinessKey=" + rolloutId + "&taskDefinitionKey=Task_ApproveHostUpgrade",
                null, List.class).getBody();
        return tasks.stream().map(t -> (String) t.get("id")).toList();
    }

    static final String API = "/api/approvals";
    static final String ENGINE_REST = "/engine-rest";

    /** What a channel answers the one whose decision came second: the task was decided meanwhile. */
    private static int secondComer(String channel) {
        return channel.equals(API) ? 409 : 404;
    }

    private static int decide(ServiceProcess node, String approver, String channel, String taskId,
            CyclicBarrier together) {
        try {
            together.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return (channel.equals(API)
                ? node.api().call(approver, HttpMethod.POST, "/api/approvals/" + taskId,
                        Map.of("decision", "approve", "comment", "race"), String.class)
                : node.api().completeTask(approver, taskId, "approve", "race")).getStatusCode().value();
    }
}
