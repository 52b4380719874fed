package com.msgupgrade.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.task.Task;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/** Drives rollouts the way people do: the service's API to start, the engine REST API (Tasklist's) to decide. */
public record Flow(Api api, Tasks tasks) {

    static final ObjectMapper JSON = new ObjectMapper();

    /** How a test finds the open task of a rollout: the first with that task definition key, if any. */
    @FunctionalInterface
    public interface Tasks {
        Optional<String> find(String rolloutId, String taskKey);
    }

    /** Tasks found through the engine's TaskService, in the test's own JVM. */
    public Flow(Api api, TaskService engineTasks) {
        this(api, (rolloutId, taskKey) -> engineTasks.createTaskQuery().processInstanceBusinessKey(rolloutId)
                .taskDefinitionKey(taskKey).list().stream().findFirst().map(Task::getId));
    }

    /** Tasks found through the engine REST API as the admin user, for a service in another JVM. */
    public static Flow overRest(Api api, String admin) {
        return new Flow(api, (rolloutId, taskKey) -> {
            List<?> found = api.call(admin, HttpMethod.GET, "/engine-rest/task?processInstanceBusinessKey=" + rolloutId
                    + "&taskDefinitionKey=" + taskKey, null, List.class).getBody();
            return found == null || found.isEmpty() ? Optional.empty()
                    : Optional.of((String) ((Map<?, ?>) found.get(0)).get("id"));
        });
    }

    /** Registers a deployment of the fleet's hosts named, edited by {@code edit}. */
    public void deploy(String name, String fleetDeploymentJson, List<String> hosts, Consumer<ObjectNode> edit) {
        try {
            ObjectNode d = (ObjectNode) JSON.readTree(fleetDeploymentJson);
            d.put("name", name);
            ArrayNode kept = JSON.createArrayNode();
            d.withArray("hosts").forEach(h -> {
                if (hosts.contains(h.get("name").asText())) {
                    kept.add(h);
                }
            });
            d.set("hosts", kept);
            ArrayNode groups = JSON.createArrayNode();
            d.withArray("groups").forEach(g -> {
                if (hosts.contains(g.get("members").get(0).asText())) {
                    groups.add(g);
                }
            });
            d.set("groups", groups);
            edit.accept(d);
            ResponseEntity<String> response = api.putJson("operator", "/api/deployments/" + name, d.toString());
            assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(HttpStatus.OK);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String start(String deployment) {
        ResponseEntity<Map> created = api.call("operator", HttpMethod.POST, "/api/rollouts",
                Map.of("deployment", deployment, "target", "6.3"), Map.class);
        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        return (String) created.getBody().get("id");
    }

    /**
     * Starts a rollout, has the CAB (approver1 and approver2) approve it, and the operator confirm the
     * dependencies and record the Directory Server backup: from here on the hosts start.
     */
    public String startApproved(String deployment) {
        String id = start(deployment);
        approveCab(id);
        prepare(id);
        return id;
    }

    /** The operator confirms the dependencies are upgraded and records the Directory Server backup. */
    public void prepare(String rolloutId) {
        assertThat(decide(rolloutId, "Task_ConfirmDependencies", "operator",
                Map.of("decision", "confirmed", "decisionComment", "shared components and DPT upgraded")))
                .isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(decide(rolloutId, "Task_RecordDirectoryBackup", "operator",
                Map.of("decision", "confirmed", "backupReference", "ds-backup-" + rolloutId)))
                .isEqualTo(HttpStatus.NO_CONTENT);
    }

    /**
     * After the hosts: the operator resumes the rollout if a failed step paused it (failure policy stop: its
     * post-upgrade phases wait for the resume), decommissions the configuration Directory Server, approver1 signs off.
     */
    /** The operator retries the failed step and resumes the rollout its failure paused (the default policy). */
    public void retryAndResume(String rolloutId) {
        assertThat(decide(rolloutId, "Task_DecideOnFailure", "operator", Map.of("decision", "retry")))
                .isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(api.call("operator", HttpMethod.POST, "/api/rollouts/" + rolloutId + "/resume", null,
                String.class).getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
    }

    public Map<String, Object> finish(String rolloutId) {
        if ("PAUSED".equals(api.getMap("operator", "/api/rollouts/" + rolloutId).get("control"))) {
            assertThat(api.call("operator", HttpMethod.POST, "/api/rollouts/" + rolloutId + "/resume", null,
                    String.class).getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        }
        assertThat(decide(rolloutId, "Task_DecommissionConfigDirectory", "operator",
                Map.of("decision", "confirmed", "decisionComment", "config DS scheduled for removal")))
                .isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(decide(rolloutId, "Task_SignOff", "approver1", Map.of("decision", "approve")))
                .isEqualTo(HttpStatus.NO_CONTENT);
        return awaitState(rolloutId, "COMPLETED");
    }

    public void approveCab(String rolloutId) {
        for (String approver : List.of("approver1", "approver2")) {
            String task = awaitTask(rolloutId, "Task_ApproveRollout");
            String body = "{\"variables\":{\"decision\":{\"value\":\"approve\"},\"decisionComment\":{\"value\":\"cab\"}}}";
            var response = api.call(approver, HttpMethod.POST, "/engine-rest/task/" + task + "/complete", body,
                    String.class);
            assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(HttpStatus.NO_CONTENT);
        }
    }

    /** The id of the rollout's open task with that key, once there is one. */
    public String awaitTask(String rolloutId, String taskKey) {
        return await().atMost(Duration.ofSeconds(90)).until(() -> tasks.find(rolloutId, taskKey).orElse(null),
                t -> t != null);
    }

    /** Completes the task through /engine-rest as the user; returns the HTTP status. */
    public HttpStatus decide(String rolloutId, String taskKey, String user, Map<String, String> variables) {
        String task = awaitTask(rolloutId, taskKey);
        StringBuilder body = new StringBuilder("{\"variables\":{");
        variables.forEach((k, v) -> body.append(body.length() > 14 ? "," : "").append('"').append(k)
                .append("\":{\"value\":\"").append(v).append("\",\"type\":\"String\"}"));
        body.append("}}");
        return HttpStatus.valueOf(api.call(user, HttpMethod.POST, "/engine-rest/task/" + task + "/complete",
                body.toString(), String.class).getStatusCode().value());
    }

    public void approve(String rolloutId, String taskKey) {
        assertThat(decide(rolloutId, taskKey, "approver1", Map.of("decision", "approve", "decisionComment", "ok")))
                .isEqualTo(HttpStatus.NO_CONTENT);
    }

    public Map<String, Object> awaitState(String rolloutId, String state) {
        return await().atMost(Duration.ofSeconds(120)).until(() -> api.getMap("operator", "/api/rollouts/" + rolloutId),
                r -> state.equals(r.get("state")));
    }

    @SuppressWarnings("unchecked")
    public String hostState(String rolloutId, String host) {
        List<Map<String, Object>> hosts = (List<Map<String, Object>>) api.getMap("operator", "/api/rollouts/" + rolloutId)
                .get("hosts");
        return hosts.stream().filter(h -> host.equals(h.get("host"))).map(h -> (String) h.get("state")).findFirst()
                .orElseThrow();
    }

    public void awaitHostState(String rolloutId, String host, String state) {
        await().atMost(Duration.ofSeconds(120)).until(() -> hostState(rolloutId, host), state::equals);
    }
}
