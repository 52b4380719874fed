package com.msgupgrade.processes;

import static org.assertj.core.api.Assertions.assertThat;

import com.msgupgrade.hostops.HostStepProcess;
import com.msgupgrade.hostops.StepVariables;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.camunda.bpm.engine.test.mock.Mocks;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How a step's job writes its variables: what only the same transaction reads is neither stored nor in the
 * history, what does not change is not written again, and a stored value left by an earlier version of the
 * service is updated rather than refused.
 */
class StepVariablesTest {

    @RegisterExtension
    static ProcessEngineExtension extension = ProcessTestBeans.engine();

    ProcessEngine engine;
    String deployment;

    /** A job sets the variables, a gateway reads the transient one, a user task waits (the transaction ends). */
    private static BpmnModelInstance model() {
        return Bpmn.createExecutableProcess("StepVariables").camundaHistoryTimeToLive(1)
                .startEvent()
                .serviceTask("Task_Set").camundaAsyncBefore().camundaDelegateExpression("${setStepVariables}")
                .exclusiveGateway("Gateway_State")
                .condition("done", "${stepState == 'DONE'}").userTask("Task_Done").endEvent()
                .moveToNode("Gateway_State")
                .condition("other", "${stepState != 'DONE'}").userTask("Task_Other").endEvent()
                .done();
    }

    @AfterEach
    void reset() {
        Mocks.reset();
        if (deployment != null) {
            engine.getRepositoryService().deleteDeployment(deployment, true);
        }
    }

    /** Starts the model with these variables and runs its job, whose delegate is {@code setVariables}. */
    private ProcessInstance runJob(Map<String, Object> variables, JavaDelegate setVariables) {
        engine = extension.getProcessEngine();
        Mocks.register("setStepVariables", setVariables);
        deployment = engine.getRepositoryService().createDeployment().addModelInstance("step-variables.bpmn", model())
                .deploy().getId();
        ProcessInstance pi = engine.getRuntimeService().startProcessInstanceByKey("StepVariables", variables);
        engine.getManagementService().executeJob(engine.getManagementService().createJobQuery()
                .processInstanceId(pi.getId()).singleResult().getId());
        return pi;
    }

    @Test
    void aValueReadOnlyInTheJobsTransactionIsNeitherStoredNorInTheHistory() {
        ProcessInstance pi = runJob(Map.of(), execution -> {
            StepVariables.setForThisTransaction(execution, HostStepProcess.STEP_STATE, "DONE");
            StepVariables.set(execution, HostStepProcess.RUN_ID, "run-1");
            StepVariables.set(execution, HostStepProcess.FAILURE, null);
        });

        assertThat(engine.getTaskService().createTaskQuery().processInstanceId(pi.getId()).singleResult()
                .getTaskDefinitionKey()).as("the gateway read the transient state").isEqualTo("Task_Done");
        assertThat(engine.getRuntimeService().getVariables(pi.getId())).containsOnlyKeys(HostStepProcess.RUN_ID);
        assertThat(engine.getHistoryService().createHistoricVariableInstanceQuery().processInstanceId(pi.getId())
                .list()).extracting(v -> v.getName()).containsExactly(HostStepProcess.RUN_ID);
    }

    @Test
    void anUnchangedValueIsNotWrittenAgain() {
        ProcessInstance pi = runJob(Map.of(HostStepProcess.RUN_ID, "run-1"), execution -> {
            StepVariables.set(execution, HostStepProcess.RUN_ID, "run-1");
            StepVariables.setForThisTransaction(execution, HostStepProcess.STEP_STATE, "DONE");
        });

        assertThat(engine.getHistoryService().createHistoricDetailQuery().processInstanceId(pi.getId())
                .variableUpdates().list()).as("only the start's value").hasSize(1);
    }

    @Test
    void aStoredValueLeftByAnEarlierVersionIsUpdated() {
        // a step that waited through the service's upgrade: the earlier version stored its state
        ProcessInstance pi = runJob(Map.of(HostStepProcess.STEP_STATE, "DONE"), execution ->
                StepVariables.setForThisTransaction(execution, HostStepProcess.STEP_STATE, "RUNNING"));

        assertThat(engine.getTaskService().createTaskQuery().processInstanceId(pi.getId()).singleResult()
                .getTaskDefinitionKey()).isEqualTo("Task_Other");
        assertThat(engine.getRuntimeService().getVariable(pi.getId(), HostStepProcess.STEP_STATE)).isEqualTo("RUNNING");
    }
}
