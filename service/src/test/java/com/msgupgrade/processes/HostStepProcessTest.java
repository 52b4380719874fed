package com.msgupgrade.processes;

import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.*;

import java.util.Map;
import org.assertj.core.api.Assertions;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@Deployment(resources = "processes/HostStep.bpmn")
class HostStepProcessTest extends ProcessTestBase {

    @RegisterExtension
    static ProcessEngineExtension engine = ProcessTestBeans.engine();

    private ProcessInstance startStep(String stepId) {
        ProcessInstance pi = runtimeService().startProcessInstanceByKey("HostStep", "r-1",
                Map.of("rolloutId", "r-1", "hostName", "ms1", "stepId", stepId));
        execute(job(pi)); // Task_RunStep (asyncBefore)
        return pi;
    }

    @Test
    void endsWhenTheStepIsDone() {
        ProcessInstance pi = startStep("stop-messaging-server");
        assertThat(pi).isEnded().hasPassed("Task_RunStep", "EndEvent_StepDone").hasNotPassed("Task_DecideOnFailure");
    }

    @Test
    void endsWhenTheStepWasAlreadyDone() {
        beans.will("apply-core-patch", "SKIPPED");
        ProcessInstance pi = startStep("apply-core-patch");
        assertThat(pi).isEnded().hasPassed("EndEvent_StepDone");
    }

    @Test
    void waitsDurablyAndChecksAgainWhileTheCommandRuns() {
        beans.will("apply-core-patch", "RUNNING", "RUNNING", "DONE");
        ProcessInstance pi = startStep("apply-core-patch");
        assertThat(pi).isWaitingAt("Timer_WaitForCommand");
        execute(job(pi)); // the timer fires and Task_CheckRun runs in the same job: still running
        assertThat(pi).isWaitingAt("Timer_WaitForCommand");
        execute(job(pi)); // Task_CheckRun: done
        assertThat(pi).isEnded().hasPassed("Task_CheckRun", "EndEvent_StepDone");
        Assertions.assertThat(beans.stepsRun).containsExactly("apply-core-patch");
    }

    @Test
    void retriesAFailedStepWithANewAttemptWhenTheOperatorSaysSo() {
        beans.will("patch-config", "FAILED", "DONE");
        ProcessInstance pi = startStep("patch-config");
        assertThat(pi).isWaitingAt("Task_DecideOnFailure");
        assertThat(task(pi)).hasCandidateGroup("operators");
        complete(task(pi), withVariables("decision", "retry"));
        execute(job(pi)); // after the user task
        Assertions.assertThat(runtimeService().getVariable(pi.getId(), "attempt")).isEqualTo(2L);
        execute(job(pi));
        assertThat(pi).isEnded().hasPassed("EndEvent_StepDone");
        Assertions.assertThat(beans.stepsRun).containsExactly("patch-config", "patch-config");
    }

    @Test
    void endsAsDoneByHandWhenTheOperatorMarksItDone() {
        beans.will("import-ldif", "FAILED");
        ProcessInstance pi = startStep("import-ldif");
        complete(task(pi), withVariables("decision", "markDone", "decisionComment", "imported by hand"));
        execute(job(pi));
        assertThat(pi).isEnded().hasPassed("EndEvent_StepMarkedDone").hasNotPassed("EndEvent_StepDone");
    }

    @Test
    void throwsTheRollbackErrorWhenTheOperatorChoosesRollback() {
        beans.will("install-newconfig", "FAILED");
        ProcessInstance pi = startStep("install-newconfig");
        complete(task(pi), withVariables("decision", "rollback"));
        execute(job(pi));
        assertThat(pi).isEnded().hasPassed("EndEvent_RollbackRequested").hasNotPassed("EndEvent_StepDone");
    }

    @Test
    void throwsTheAbortErrorWhenTheOperatorAborts() {
        beans.will("stop-messaging-server", "FAILED");
        ProcessInstance pi = startStep("stop-messaging-server");
        complete(task(pi), withVariables("decision", "abort", "decisionComment", "host broken"));
        execute(job(pi));
        assertThat(pi).isEnded().hasPassed("EndEvent_RolloutAborted");
    }
}
