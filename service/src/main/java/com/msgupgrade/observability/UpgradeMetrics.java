package com.msgupgrade.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import com.msgupgrade.rollout.Rollout;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.camunda.bpm.model.bpmn.instance.UserTask;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.task.Task;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The service's metrics (Prometheus at /actuator/prometheus): rollouts by state, host steps by outcome,
 * step durations by step id and outcome, pending approvals (the change managers' gates) and the operators' open
 * tasks with their age, commands running on hosts. The gauges read the database every 15 s, so every node of a
 * cluster publishes the same figures: take one node's (max by), not their sum. A series once published goes to 0
 * when nothing is counted for it, rather than vanishing.
 */
@Component
public class UpgradeMetrics {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(UpgradeMetrics.class);

    static final String CHANGE_MANAGERS = "change-managers";
    static final String OPERATORS = "operators";

    private final MeterRegistry registry;
    private final JdbcTemplate jdbc;
    private final TaskService tasks;
    private final RepositoryService repository;
    private final Labelled rolloutsByState;
    private final OpenTasks approvals;
    private final OpenTasks operatorTasks;
    private final Labelled incidents;
    private final AtomicLong commandsRunning = new AtomicLong();
    private final AtomicLong refreshedAt = new AtomicLong();
    private final Counter refreshFailures;

    UpgradeMetrics(MeterRegistry registry, JdbcTemplate jdbc, TaskService tasks, RepositoryService repository) {
        this.registry = registry;
        this.jdbc = jdbc;
        this.tasks = tasks;
        this.repository = repository;
        this.rolloutsByState = new Labelled(registry, "msgsrv.rollouts", "state", null, 1, "rollouts by state");
        this.approvals = new OpenTasks(registry, "msgsrv.approvals", "gate", "approvals waiting for a change manager");
        this.operatorTasks = new OpenTasks(registry, "msgsrv.operator.tasks", "task", "tasks waiting for an operator");
        this.incidents = new Labelled(registry, "msgsrv.incidents", "process", null, 1,
                "the engine's open incidents (a job out of retries, a step's code that failed), by process");
        Gauge.builder("msgsrv.commands.running", commandsRunning, AtomicLong::get)
                .description("changing commands running on hosts, each watched by its step").register(registry);
        Gauge.builder("msgsrv.metrics.refreshed", refreshedAt, at -> at.get() / 1000.0).baseUnit("seconds")
                .description("when the gauges read from the database were last refreshed whole (Unix time)")
                .register(registry);
        this.refreshFailures = Counter.builder("msgsrv.metrics.refresh.failures")
                .description("refreshes of the gauges that failed in part (those gauges keep their last value)")
                .register(registry);
    }

    /**
     * A step ended on a host: its outcome (SUCCEEDED, FAILED, ALREADY_DONE, UNREACHABLE) and how long it took,
     * from its job's start to its judgement (a command's run included). Counted when the caller's transaction commits
     * (at once without one): a job whose transaction fails after the judgement is run again, and counts its step then.
     */
    public void stepEnded(String step, String outcome, Duration took) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            stepEndedCommitted(step, outcome, took);
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                stepEndedCommitted(step, outcome, took);
            }
        });
    }

    /**
     * {@link #stepEnded}, counted at once: its judgement was committed in a transaction of its own (a changing
     * command's, with its run's row in the command ledger, which a job run again finds judged and does not count).
     */
    public void stepEndedCommitted(String step, String outcome, Duration took) {
        Counter.builder("msgsrv.host.steps").tag("step", step).tag("outcome", outcome)
                .description("host steps by outcome").register(registry).increment();
        Timer.builder("msgsrv.host.step.duration").tag("step", step).tag("outcome", outcome)
                .description("host step duration").register(registry).record(took);
    }

    /** The id of a run's step's process instance, from {@code command_run r}: HostStepProcess.runId's inverse. */
    private static final String STEP_INSTANCE =
            "SUBSTRING(r.run_id, 5, LENGTH(r.run_id) - 5 - LENGTH(CAST(r.attempt AS VARCHAR)))";

    @Scheduled(fixedDelayString = "PT15S", initialDelayString = "PT5S")
    public void refresh() {
        // each gauge on its own: one that cannot be read keeps its last value, the others are read, and the failure
        // shows (msgsrv_metrics_refresh_failures_total, msgsrv_metrics_refreshed_seconds standing still)
        boolean whole = section("rollouts by state", () -> {
            Map<String, Long> states = new java.util.LinkedHashMap<>();
            Rollout.STATES.forEach(state -> states.put(state, 0L));
            jdbc.queryForList("SELECT state, COUNT(*) AS n FROM \"MSGSRV\".rollout GROUP BY state")
                    .forEach(r -> states.put((String) r.get("state"), ((Number) r.get("n")).longValue()));
            rolloutsByState.set(states);
        });
        List<ProcessDefinition> deployed = new java.util.ArrayList<>();
        whole &= section("open tasks", () -> {
            deployed.addAll(repository.createProcessDefinitionQuery().latestVersion().list());
            List<UserTask> userTasks = deployed.stream().flatMap(definition -> repository.getBpmnModelInstance(
                    definition.getId()).getModelElementsByType(UserTask.class).stream()).toList();
            Map<String, List<Task>> openApprovals = open(CHANGE_MANAGERS);
            Map<String, List<Task>> openOperatorTasks = open(OPERATORS);
            long now = ClockUtil.getCurrentTime().getTime(); // after the queries: no task is younger than now
            approvals.refresh(formsOf(userTasks, CHANGE_MANAGERS), openApprovals, now);
            operatorTasks.refresh(formsOf(userTasks, OPERATORS), openOperatorTasks, now);
        });
        whole &= section("incidents", () -> {
            Map<String, Long> byProcess = new java.util.TreeMap<>();
            deployed.forEach(definition -> byProcess.put(definition.getKey(), 0L));
            jdbc.queryForList("SELECT d.KEY_ AS process, COUNT(*) AS n FROM ACT_RU_INCIDENT i JOIN ACT_RE_PROCDEF d"
                    + " ON d.ID_ = i.PROC_DEF_ID_ GROUP BY d.KEY_")
                    .forEach(r -> byProcess.put((String) r.get("process"), ((Number) r.get("n")).longValue()));
            incidents.set(byProcess);
        });
        whole &= section("commands running", () ->
                // a run its step no longer watches (the step marked done or its rollout aborted while the host was
                // lost, or waiting for an operator's decision: its host could not be reached) is not counted: whether
                // it still runs is unknown, and its ledger row stays as it was. The step's process instance is in the
                // run id
                commandsRunning.set(jdbc.queryForObject("SELECT COUNT(*) FROM \"MSGSRV\".command_run r"
                        + " WHERE r.state = 'LAUNCHED' AND EXISTS (SELECT 1 FROM ACT_RU_EXECUTION e WHERE e.ID_ = "
                        + STEP_INSTANCE + ") AND NOT EXISTS (SELECT 1 FROM ACT_RU_TASK t WHERE t.PROC_INST_ID_ = "
                        + STEP_INSTANCE + ")", Long.class)));
        if (whole) {
            refreshedAt.set(System.currentTimeMillis());
        }
    }

    private boolean section(String gauges, Runnable refresh) {
        try {
            refresh.run();
            return true;
        } catch (RuntimeException e) {
            refreshFailures.increment();
            log.warn("the {} gauges could not be read; they keep their last value: {}", gauges, e.toString());
            return false;
        }
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
        private final Labelled pending;
        private final Labelled oldestAge;

        OpenTasks(MeterRegistry registry, String name, String label, String description) {
            this.pending = new Labelled(registry, name + ".pending", label, null, 1, description);
            this.oldestAge = new Labelled(registry, name + ".oldest.age", label, "seconds", 1000,
                    "age of the oldest of the " + description);
        }

        void refresh(java.util.Set<String> deployed, Map<String, List<Task>> open, long now) {
            Map<String, Long> counts = new java.util.TreeMap<>();
            Map<String, Long> ages = new java.util.TreeMap<>();
            deployed.forEach(key -> {
                counts.put(key, 0L);
                ages.put(key, 0L);
            });
            open.forEach((key, list) -> {
                counts.put(key, (long) list.size());
                ages.put(key, now - list.stream().mapToLong(t -> t.getCreateTime().getTime()).min().orElse(now));
            });
            pending.set(counts);
            oldestAge.set(ages);
        }
    }

    /**
     * A gauge by one label, each value held for its series: a series, once published, stays (at 0 when nothing is
     * counted for it), and a refresh sets values without removing a series a scrape could then miss.
     */
    private static final class Labelled {
        private final MeterRegistry registry;
        private final String name;
        private final String label;
        private final String unit;
        private final double scale;
        private final String description;
        private final Map<String, AtomicLong> values = new java.util.concurrent.ConcurrentHashMap<>();

        /** {@code scale}: what a held value is divided by when published (milliseconds held, seconds published). */
        Labelled(MeterRegistry registry, String name, String label, String unit, double scale, String description) {
            this.registry = registry;
            this.name = name;
            this.label = label;
            this.unit = unit;
            this.scale = scale;
            this.description = description;
        }

        /** The given series set; any published before and not given, to 0. */
        void set(Map<String, Long> now) {
            values.forEach((key, held) -> held.set(now.getOrDefault(key, 0L)));
            now.forEach((key, value) -> values.computeIfAbsent(key, k -> {
                AtomicLong held = new AtomicLong();
                Gauge.builder(name, held, h -> h.get() / scale).tag(label, k).baseUnit(unit).description(description)
                        .register(registry);
                return held;
            }).set(value));
        }
    }
}
