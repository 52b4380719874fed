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
        return start(hosts, "per-host");
    }

    private ProcessInstance start(List<String> hosts, String policy) {
        ProcessInstance pi = runtimeService().startProcessInstanceByKey("Rollout", "r-1",
                Map.of("rolloutId", "r-1", "hosts", hosts, "requestedBy", "operator", "cabRejected", false,
                        "tierRejected", false, "downtimePolicy", policy, "tiers", List.of("message-stores", "webmail")));
        runJobs();
        return pi;
    }

    private void decideCab(String... decisions) {
        List<Task> cab = taskService().createTaskQuery().taskDefinitionKey("Task_ApproveRollout").list();
        Assertions.assertThat(cab).hasSize(2);
        for (int i = 0; i < decisions.length; i++) {
            taskService().complete(cab.get(i).getId(), withVariables("decision", decisions[i]));
        }
        runJobs();
    }

    @Test
    void rejectsTheRolloutWhenOneCabMemberRejectsAndStartsNoHost() {
        ProcessInstance pi = start(List.of("ms1"));
        decideCab("reject");
        assertThat(pi).isEnded().hasPassed("EndEvent_RolloutRejected").hasNotPassed("CallActivity_UpgradeHosts");
        Assertions.assertThat(beans.rolloutStates).containsExactly("AWAITING_APPROVAL", "REJECTED");
    }

    @Test
    void asksForTheDowntimeOfEachTierWhenThePolicyIsPerTierAndSkipsTheHostApproval() {
        beans.hostApproval = false;
        ProcessInstance pi = start(List.of("ms1"), "per-tier");
        decideCab("approve", "approve");
        List<Task> tiers = taskService().createTaskQuery().taskDefinitionKey("Task_ApproveTierDowntime").list();
        Assertions.assertThat(tiers).hasSize(2);
        tiers.forEach(t -> taskService().complete(t.getId(), withVariables("decision", "approve")));
        runJobs();
        assertThat(pi).isEnded().hasPassed("Task_ApproveTierDowntime", "EndEvent_RolloutCompleted");
        Assertions.assertThat(taskService().createTaskQuery().taskDefinitionKey("Task_ApproveHostUpgrade").count()).isZero();
    }

    @Test
    void rejectsTheRolloutWhenATiersDowntimeIsRejected() {
        ProcessInstance pi = start(List.of("ms1"), "per-tier");
        decideCab("approve", "approve");
        Task tier = taskService().createTaskQuery().taskDefinitionKey("Task_ApproveTierDowntime").list().get(0);
        taskService().complete(tier.getId(), withVariables("decision", "reject"));
        runJobs();
        assertThat(pi).isEnded().hasPassed("EndEvent_TierRejected").hasNotPassed("CallActivity_UpgradeHosts");
    }

    @Test
    void upgradesEveryHostUnderTheRolloutsBusinessKey() {
        ProcessInstance pi = start(List.of("ms1", "ms2"));
        decideCab("approve", "approve");
        List<Task> approvals = taskService().createTaskQuery().processInstanceBusinessKey("r-1")
                .taskDefinitionKey("Task_ApproveHostUpgrade").list();
        Assertions.assertThat(approvals).hasSize(2);
        approvals.forEach(t -> taskService().complete(t.getId(), withVariables("decision", "approve")));
        runJobs();
        assertThat(pi).isEnded().hasPassed("CallActivity_UpgradeHosts", "EndEvent_RolloutCompleted");
        Assertions.assertThat(beans.rolloutStates).containsExactly("AWAITING_APPROVAL", "RUNNING", "FINISHED");
        Assertions.assertThat(historyService().createHistoricProcessInstanceQuery().processInstanceBusinessKey("r-1")
                .processDefinitionKey("HostUpgradeSolaris").count()).isEqualTo(2);
    }

    @Test
    void abortsTheRolloutWhenAnOperatorAbortsAFailedStep() {
        beans.will("stop-messaging-server", "FAILED");
        ProcessInstance pi = start(List.of("ms1"));
        decideCab("approve", "approve");
        Task approval = taskService().createTaskQuery().processInstanceBusinessKey("r-1").singleResult();
        taskService().complete(approval.getId(), withVariables("decision", "approve"));
        runJobs();
        Task failure = taskService().createTaskQuery().taskDefinitionKey("Task_DecideOnFailure").singleResult();
        Assertions.assertThat(failure).isNotNull();
        taskService().complete(failure.getId(), withVariables("decision", "abort", "decisionComment", "broken"));
        runJobs();
        assertThat(pi).isEnded().hasPassed("EndEvent_RolloutAborted").hasNotPassed("EndEvent_RolloutCompleted");
        Assertions.assertThat(beans.rolloutStates).containsExactly("AWAITING_APPROVAL", "RUNNING", "ABORTED");
    }
}
