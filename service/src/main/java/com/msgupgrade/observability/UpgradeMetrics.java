package com.msgupgrade.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.task.Task;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The service's metrics (Prometheus at /actuator/prometheus): rollouts by state, host steps by outcome,
 * step durations by step id, pending approvals and their age, commands running on hosts.
 */
@Component
public class UpgradeMetrics {

    private final MeterRegistry registry;
    private final JdbcTemplate jdbc;
    private final TaskService tasks;
    private final MultiGauge rolloutsByState;
    private final MultiGauge pendingApprovals;
    private final MultiGauge oldestApproval;
    private final AtomicLong commandsRunning = new AtomicLong();

    UpgradeMetrics(MeterRegistry registry, JdbcTemplate jdbc, TaskService tasks) {
        this.registry = registry;
        this.jdbc = jdbc;
        this.tasks = tasks;
        this.rolloutsByState = MultiGauge.builder("msgsrv.rollouts").description("rollouts by state").register(registry);
        this.pendingApprovals = MultiGauge.builder("msgsrv.approvals.pending").description("open decisions by gate")
                .register(registry);
        this.oldestApproval = MultiGauge.builder("msgsrv.approvals.oldest.age").baseUnit("seconds")
                .description("age of the oldest open decision by gate").register(registry);
        Gauge.builder("msgsrv.commands.running", commandsRunning, AtomicLong::get)
                .description("detached commands running on hosts").register(registry);
    }

    /** A step ended on a host: its outcome and how long it took. */
    public void stepEnded(String step, String outcome, Duration took) {
        Counter.builder("msgsrv.host.steps").tag("step", step).tag("outcome", outcome)
                .description("host steps by outcome").register(registry).increment();
        Timer.builder("msgsrv.host.step.duration").tag("step", step).description("host step duration")
                .register(registry).record(took);
    }

    @Scheduled(fixedDelayString = "PT15S", initialDelayString = "PT5S")
    public void refresh() {
        Map<String, Integer> states = jdbc.queryForList("SELECT state, COUNT(*) AS n FROM \"MSGSRV\".rollout GROUP BY state")
                .stream().collect(Collectors.toMap(r -> (String) r.get("state"), r -> ((Number) r.get("n")).intValue()));
        rolloutsByState.register(states.entrySet().stream()
                .map(e -> MultiGauge.Row.of(Tags.of("state", e.getKey()), e.getValue())).toList(), true);
        List<Task> open = tasks.createTaskQuery().active().list();
        Map<String, List<Task>> byGate = open.stream().collect(Collectors.groupingBy(Task::getTaskDefinitionKey));
        long now = new Date().getTime();
        pendingApprovals.register(byGate.entrySet().stream()
                .map(e -> MultiGauge.Row.of(Tags.of("gate", e.getKey()), e.getValue().size())).toList(), true);
        oldestApproval.register(byGate.entrySet().stream()
                .map(e -> MultiGauge.Row.of(Tags.of("gate", e.getKey()), (now - e.getValue().stream()
                        .mapToLong(t -> t.getCreateTime().getTime()).min().orElse(now)) / 1000.0)).toList(), true);
        commandsRunning.set(jdbc.queryForObject("SELECT COUNT(*) FROM \"MSGSRV\".command_run WHERE state = 'LAUNCHED'",
                Long.class));
    }
}
