package com.msgupgrade.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import com.msgupgrade.rollout.Rollout;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.model.bpmn.instance.UserTask;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.task.Task;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The service's metrics (Prometheus at /actuator/prometheus): rollouts by state, host steps by outcome,
 * step durations by step id and outcome, pending approvals (the change managers' gates) and the operators' open
 * tasks with their age, commands running on hosts. The gauges read the database every 15 s, so every node of a
 * cluster publishes the same figures: take one node's (max by), not their sum. A series once published goes to 0
 * when nothing is counted for it, rather than vanishing.
 */
@Component
public class UpgradeMetrics {

    static final String CHANGE_MANAGERS = "change-managers";
    static final String OPERATORS = "operators";

    private final MeterRegistry registry;
    private final JdbcTemplate jdbc;
    private final TaskService tasks;
    private final RepositoryService repository;
    private final MultiGauge rolloutsByState;
    private final OpenTasks approvals;
    private final OpenTasks operatorTasks;
    private final AtomicLong commandsRunning = new AtomicLong();

    UpgradeMetrics(MeterRegistry registry, JdbcTemplate jdbc, TaskService tasks, RepositoryService repository) {
        this.registry = registry;
        this.jdbc = jdbc;
        this.tasks = tasks;
        this.repository = repository;
        this.rolloutsByState = MultiGauge.builder("msgsrv.rollouts").description("rollouts by state").register(registry);
        this.approvals = new OpenTasks(registry, "msgsrv.approvals", "gate", "approvals waiting for a change manager");
        this.operatorTasks = new OpenTasks(registry, "msgsrv.operator.tasks", "task", "tasks waiting for an operator");
        Gauge.builder("msgsrv.commands.running", commandsRunning, AtomicLong::get)
                .description("changing commands running on hosts, each watched by its step").register(registry);
    }

    /**
     * A step ended on a host: its outcome (SUCCEEDED, FAILED, ALREADY_DONE, UNREACHABLE) and how long it took,
     * from its job's start to its judgement (a command's run included).
     */
    public void stepEnded(String step, String outcome, Duration took) {
        Counter.builder("msgsrv.host.steps").tag("step", step).tag("outcome", outcome)
                .description("host steps by outcome").register(registry).increment();
        Timer.builder("msgsrv.host.step.duration").tag("step", step).tag("outcome", outcome)
                .description("host step duration").register(registry).record(took);
    }

    @Scheduled(fixedDelayString = "PT15S", initialDelayString = "PT5S")
    public void refresh() {
        Map<String, Integer> states = new java.util.LinkedHashMap<>();
        Rollout.STATES.forEach(state -> states.put(state, 0));
        jdbc.queryForList("SELECT state, COUNT(*) AS n FROM \"MSGSRV\".rollout GROUP BY state")
                .forEach(r -> states.put((String) r.get("state"), ((Number) r.get("n")).intValue()));
        rolloutsByState.register(states.entrySet().stream()
                .map(e -> MultiGauge.Row.of(Tags.of("state", e.getKey()), e.getValue())).toList(), true);
        List<UserTask> userTasks = deployedUserTasks();
        Map<String, List<Task>> openApprovals = open(CHANGE_MANAGERS);
        Map<String, List<Task>> openOperatorTasks = open(OPERATORS);
        long now = ClockUtil.getCurrentTime().getTime(); // after the queries: no task is younger than now
        approvals.refresh(formsOf(userTasks, CHANGE_MANAGERS), openApprovals, now);
        operatorTasks.refresh(formsOf(userTasks, OPERATORS), openOperatorTasks, now);
        // a run its step no longer watches (the step marked done or its rollout aborted while the host was lost)
        // is not counted: whether it still runs is unknown, and its ledger row stays as it was
        commandsRunning.set(jdbc.queryForObject("SELECT COUNT(*) FROM \"MSGSRV\".command_run r WHERE r.state = 'LAUNCHED'"
                + " AND EXISTS (SELECT 1 FROM ACT_RU_EXECUTION e WHERE e.ID_ = SUBSTRING(r.run_id, 5,"
                + " LENGTH(r.run_id) - 5 - LENGTH(CAST(r.attempt AS VARCHAR))))", // HostStepProcess.runId's inverse
                Long.class));
    }

    /** The user tasks of the deployed processes (their latest versions): every gate has a series from the start. */
    private List<UserTask> deployedUserTasks() {
        return repository.createProcessDefinitionQuery().latestVersion().list().stream()
                .flatMap(definition -> repository.getBpmnModelInstance(definition.getId())
                        .getModelElementsByType(UserTask.class).stream()).toList();
    }

    private static java.util.Set<String> formsOf(List<UserTask> userTasks, String group) {
        return userTasks.stream().filter(t -> t.getCamundaCandidateGroupsList().contains(group))
                .map(t -> t.getCamundaFormRef() != null ? t.getCamundaFormRef() : t.getId())
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    /** The open tasks of a candidate group, assigned or not, with their form as the label (the gate's name). */
    private Map<String, List<Task>> open(String group) {
        return tasks.createTaskQuery().active().taskCandidateGroup(group).includeAssignedTasks().initializeFormKeys()
                .list().stream().collect(Collectors.groupingBy(UpgradeMetrics::form));
    }

    private static String form(Task task) {
        return task.getCamundaFormRef() != null ? task.getCamundaFormRef().getKey() : task.getTaskDefinitionKey();
    }

    /** {@code <name>.pending} and {@code <name>.oldest.age} by label: every deployed one, and any seen once, at 0. */
    private static final class OpenTasks {
        private final MultiGauge pending;
        private final MultiGauge oldestAge;
        private final String label;
        private final java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();

        OpenTasks(MeterRegistry registry, String name, String label, String description) {
            this.label = label;
            this.pending = MultiGauge.builder(name + ".pending").description(description).register(registry);
            this.oldestAge = MultiGauge.builder(name + ".oldest.age").baseUnit("seconds")
                    .description("age of the oldest of the " + description).register(registry);
        }

        void refresh(java.util.Set<String> deployed, Map<String, List<Task>> open, long now) {
            seen.addAll(deployed);
            seen.addAll(open.keySet());
            pending.register(seen.stream().map(key -> MultiGauge.Row.of(Tags.of(label, key),
                    open.getOrDefault(key, List.of()).size())).toList(), true);
            oldestAge.register(seen.stream().map(key -> MultiGauge.Row.of(Tags.of(label, key),
                    (now - open.getOrDefault(key, List.of()).stream().mapToLong(t -> t.getCreateTime().getTime())
                            .min().orElse(now)) / 1000.0)).toList(), true);
        }
    }
}
