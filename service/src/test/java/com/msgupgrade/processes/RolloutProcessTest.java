package com.msgupgrade.processes;

import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.*;

import java.util.List;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.camunda.bpm.engine.test.mock.Mocks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@Deployment(resources = {"processes/Rollout.bpmn", "processes/HostUpgradeSolaris.bpmn", "processes/HostStep.bpmn"})
class RolloutProcessTest {

    @RegisterExtension
    static ProcessEngineExtension engine = ProcessTestBeans.engine();

    ProcessTestBeans beans;

    @BeforeEach
    void setUp() {
        beans = ProcessTestBeans.register();
    }

    @AfterEach
    void tearDown() {
        Mocks.reset();
    }

    private void runJobs() {
        for (int i = 0; i < 500; i++) {
            List<Job> jobs = managementService().createJobQuery().executable().list();
            if (jobs.isEmpty()) {
                return;
            }
            managementService().executeJob(jobs.get(0).getId());
        }
        throw new AssertionError("jobs kept coming");
    }

    private ProcessInstance start(List<String> hosts) {
        ProcessInstance pi = runtimeService().startProcessInstanceByKey("Rollout", "r-1",
                Map.of("rolloutId", "r-1", "hosts", hosts, "requestedBy", "operator"));
        runJobs();
        return pi;
    }

    @Test
    void upgradesEveryHostUnderTheRolloutsBusinessKey() {
        ProcessInstance pi = start(List.of("ms1", "ms2"));
        List<Task> approvals = taskService().createTaskQuery().processInstanceBusinessKey("r-1")
                .taskDefinitionKey("Task_ApproveHostUpgrade").list();
        Assertions.assertThat(approvals).hasSize(2);
        approvals.forEach(t -> taskService().complete(t.getId(), withVariables("decision", "approve")));
        runJobs();
        assertThat(pi).isEnded().hasPassed("CallActivity_UpgradeHosts", "EndEvent_RolloutCompleted");
        Assertions.assertThat(beans.rolloutStates).containsExactly("RUNNING", "FINISHED");
        Assertions.assertThat(historyService().createHistoricProcessInstanceQuery().processInstanceBusinessKey("r-1")
                .processDefinitionKey("HostUpgradeSolaris").count()).isEqualTo(2);
    }

    @Test
    void abortsTheRolloutWhenAnOperatorAbortsAFailedStep() {
        beans.will("stop-messaging-server", "FAILED");
        ProcessInstance pi = start(List.of("ms1"));
        Task approval = taskService().createTaskQuery().processInstanceBusinessKey("r-1").singleResult();
        taskService().complete(approval.getId(), withVariables("decision", "approve"));
        runJobs();
        Task failure = taskService().createTaskQuery().taskDefinitionKey("Task_DecideOnFailure").singleResult();
        Assertions.assertThat(failure).isNotNull();
        taskService().complete(failure.getId(), withVariables("decision", "abort", "decisionComment", "broken"));
        runJobs();
        assertThat(pi).isEnded().hasPassed("EndEvent_RolloutAborted").hasNotPassed("EndEvent_RolloutCompleted");
        Assertions.assertThat(beans.rolloutStates).containsExactly("RUNNING", "ABORTED");
    }
}
