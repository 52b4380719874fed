package com.msgupgrade.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.impl.cfg.StandaloneInMemProcessEngineConfiguration;
import org.camunda.bpm.engine.impl.jobexecutor.DefaultJobExecutor;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A job that creates a job in another process instance (the step after it, a step being a called process) goes on
 * with it in the same thread; of several, it takes one and leaves the others to run in parallel with it.
 */
class JobChainsTest {

    /** The threads each step ran on, in order. */
    static final List<String> stepThreads = new CopyOnWriteArrayList<>();
    /** Steps that must run at the same time: each waits for the others (a retry, after the parent's optimistic
     * locking conflict as they end together, finds them done). */
    static volatile CountDownLatch together;
    static volatile boolean apart;
    /** The thread of the job that created the three steps together. */
    static volatile String phaseThread;

    private ProcessEngine engine;

    private ProcessEngine engine(boolean chains) {
        StandaloneInMemProcessEngineConfiguration configuration = new StandaloneInMemProcessEngineConfiguration();
        configuration.setJdbcUrl("jdbc:h2:mem:job-chains-" + chains + "-" + System.nanoTime());
        configuration.setJobExecutorActivate(true);
        DefaultJobExecutor jobExecutor = new DefaultJobExecutor();
        jobExecutor.setCorePoolSize(4);
        jobExecutor.setMaxPoolSize(4);
        configuration.setJobExecutor(jobExecutor);
        configuration.setBeans(Map.of(
                "step", (JavaDelegate) execution -> stepThreads.add(Thread.currentThread().getName()),
                "phase", (JavaDelegate) execution -> phaseThread = Thread.currentThread().getName(),
                "together", (JavaDelegate) execution -> {
                    stepThreads.add(Thread.currentThread().getName());
                    together.countDown();
                    apart |= !together.await(10, TimeUnit.SECONDS);
                }));
        if (chains) {
            configuration.getProcessEnginePlugins().add(new JobChains());
        }
        engine = configuration.buildProcessEngine();
        engine.getRepositoryService().createDeployment()
                .addModelInstance("Step.bpmn", step("Step", "${step}"))
                .addModelInstance("Together.bpmn", step("Together", "${together}"))
                .addModelInstance("Host.bpmn", Bpmn.createExecutableProcess("Host").camundaHistoryTimeToLive(1)
                        .startEvent()
                        .callActivity("Steps").calledElement("Step")
                        .multiInstance().sequential().cardinality("10").multiInstanceDone()
                        .endEvent().done())
                .addModelInstance("Phase.bpmn", Bpmn.createExecutableProcess("Phase").camundaHistoryTimeToLive(1)
                        .startEvent().camundaAsyncAfter()
                        .serviceTask("Task_Phase").camundaDelegateExpression("${phase}")
                        .callActivity("Hosts").calledElement("Together")
                        .multiInstance().parallel().cardinality("3").multiInstanceDone()
                        .endEvent().done())
                .deploy();
        return engine;
    }

    /** A process of one step that talks to a host: the task is a job of its own (asyncBefore). */
    private static BpmnModelInstance step(String key, String delegate) {
        return Bpmn.createExecutableProcess(key).camundaHistoryTimeToLive(1)
                .startEvent()
                .serviceTask("Task_Run").camundaAsyncBefore().camundaDelegateExpression(delegate)
                .endEvent().done();
    }

    @AfterEach
    void close() {
        stepThreads.clear();
        apart = false;
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void theJobThatEndsAStepRunsTheNextStepsJobInTheSameThread() {
        ProcessEngine engine = engine(true);

        engine.getRuntimeService().startProcessInstanceByKey("Host");

        await().atMost(Duration.ofSeconds(20)).until(() -> stepThreads.size() == 10);
        assertThat(Set.copyOf(stepThreads)).as("all ten steps on the thread that ran the first").hasSize(1);
        assertThat(engine.getRuntimeService().createProcessInstanceQuery().count()).isZero();
    }

    @Test
    void withoutThePluginEachStepWaitsForTheJobExecutorToPickItUp() {
        ProcessEngine engine = engine(false);

        engine.getRuntimeService().startProcessInstanceByKey("Host");

        await().atMost(Duration.ofSeconds(20)).until(() -> stepThreads.size() == 10);
        assertThat(Set.copyOf(stepThreads)).as("the job executor handed the steps to its threads")
                .hasSizeGreaterThan(1);
    }

    @Test
    void ofJobsCreatedTogetherTheThreadTakesOneAndTheOthersRunInParallel() {
        ProcessEngine engine = engine(true);
        together = new CountDownLatch(3);

        engine.getRuntimeService().startProcessInstanceByKey("Phase");

        await().atMost(Duration.ofSeconds(30)).until(() ->
                engine.getRuntimeService().createProcessInstanceQuery().count() == 0);
        assertThat(apart).as("a step waited in vain for the others to run with it").isFalse();
        assertThat(stepThreads).as("one step ran on the thread that created them").contains(phaseThread);
    }
}
