package com.msgupgrade.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.msgupgrade.simulator.HostSpec;
import com.msgupgrade.simulator.SimulatedFleet;
import com.msgupgrade.support.EndToEndTest;
import com.msgupgrade.support.FleetSupport;
import com.msgupgrade.support.FreshPostgres;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The log lines written while working on a rollout's host name the rollout, the host and the step, the engine's
 * own included: here the line the job executor writes when a step's job failed because the host refused SSH.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "msgsrv.demo=true",
        "msgsrv.runs.poll-interval=PT1S",
        "msgsrv.runs.retry-cycle=R3/PT10S"})
@ExtendWith(OutputCaptureExtension.class)
@ContextConfiguration(initializers = FreshPostgres.class)
class LogContextEndToEndTest extends EndToEndTest {

    static final SimulatedFleet fleet = FleetSupport.start("log-context", "127.0.0.86", List.of(
            HostSpec.solaris("ms1", "6.2p3", List.of("store"))));

    @DynamicPropertySource
    static void fleetProperties(DynamicPropertyRegistry registry) {
        FleetSupport.register(registry, fleet);
    }

    @AfterAll
    static void stopFleet() {
        fleet.close();
    }

    @Autowired
    ManagementService management;
    @Autowired
    RepositoryService repository;
    @Autowired
    RuntimeService runtime;

    @Test
    void engineLinesAboutAHostsStepNameTheRolloutTheHostAndTheStep(CapturedOutput output) {
        flow.deploy("logs", FleetSupport.deploymentJson(fleet), List.of("ms1"), d -> { });
        fleet.host("ms1").stopSsh();
        String id = flow.startApproved("logs");
        await().atMost(Duration.ofSeconds(30)).until(() -> management.createJobQuery().withException().count() > 0);
        fleet.host("ms1").startSsh();
        // a refused decision on the host's gate, over the engine's REST API (an HTTP thread)
        assertThat(flow.decide(id, "Task_ApproveHostUpgrade", "approver1", Map.of("decision", "maybe",
                "decisionComment", "not a choice"))).isEqualTo(org.springframework.http.HttpStatus.BAD_REQUEST);
        flow.approve(id, "Task_ApproveHostUpgrade");
        flow.finish(id);

        List<String> lines = Arrays.asList(output.getAll().split("\\R"));
        String context = "[rollout=" + id + " host=ms1 step=verify-current-version]";
        // the job executor's line about the failed job, written after its transaction rolled back
        assertThat(lines).filteredOn(l -> l.contains("ENGINE-14006")).isNotEmpty().allMatch(l -> l.contains(context));
        // the service's own lines about the host's steps
        assertThat(lines).filteredOn(l -> l.matches(".*(started|attached to) run .* on ms1: .*")).isNotEmpty()
                .allMatch(l -> l.contains("[rollout=" + id + " host=ms1 step="));
        assertThat(lines).filteredOn(l -> l.contains("refused a decision by approver1")).hasSize(1)
                .allMatch(l -> l.contains("[rollout=" + id + " host=ms1 step="));
    }

    @Test
    void aThreadThatCallsTheEngineGetsItsOwnContextBack() {
        String deployment = repository.createDeployment().addModelInstance("probe.bpmn", Bpmn.createExecutableProcess(
                "LogContextProbe").camundaHistoryTimeToLive(1).startEvent().userTask().endEvent().done()).deploy().getId();
        try {
            MDC.put(LogContext.HOST, "the caller's");
            // the process's activities run on this thread up to the user task, naming their host as they start
            runtime.startProcessInstanceByKey("LogContextProbe", Map.of("hostName", "ms9", "stepId", "probe"));
            assertThat(MDC.get(LogContext.HOST)).isEqualTo("the caller's");
            assertThat(MDC.get(LogContext.STEP)).isNull();
        } finally {
            MDC.remove(LogContext.HOST);
            repository.deleteDeployment(deployment, true);
        }
    }
}
