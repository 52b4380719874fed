package com.msgupgrade.processes;

import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.*;

import com.msgupgrade.catalog.StepId;
import com.msgupgrade.inventory.Host;
import com.msgupgrade.planning.HostSteps;
import com.msgupgrade.planning.Procedure;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HostUpgradeSolaris and HostUpgradeLinux (same shape, the guide's Solaris and Linux procedures):
 * every gateway branch, and the order of steps equal to the plan's ({@link HostSteps}).
 */
@Deployment(resources = {"processes/HostUpgradeSolaris.bpmn", "processes/HostUpgradeLinux.bpmn",
        "processes/HostStep.bpmn", "processes/HostRollbackSolaris.bpmn"})
class HostUpgradeProcessTest extends ProcessTestBase {

    @RegisterExtension
    static ProcessEngineExtension engine = ProcessTestBeans.engine();

    private ProcessInstance start(String key) {
        ProcessInstance pi = runtimeService().startProcessInstanceByKey(key, "r-1",
                Map.of("rolloutId", "r-1", "hostName", "ms1"));
        ProcessTestBeans.runJobs();
        return pi;
    }

    private void decide(ProcessInstance pi, String taskKey, String decision) {
        Task task = taskService().createTaskQuery().processInstanceId(pi.getId()).taskDefinitionKey(taskKey)
                .singleResult();
        Assertions.assertThat(task).as("waiting at " + taskKey).isNotNull();
        assertThat(task).hasCandidateGroup("change-managers");
        taskService().complete(task.getId(), withVariables("decision", decision, "decisionComment", "c"));
        ProcessTestBeans.runJobs();
    }

    private static Host host(List<String> locales, boolean proxy) {
        return new Host("ms1", "127.0.0.1", 22, "root", "solaris", "sparc", "/opt/SUNWmsgsr", "6.2p3",
                List.of("store"), locales, null, null, proxy ? new Host.ProxyAdmin("proxy", "proxy-pw") : null, null, null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"HostUpgradeSolaris", "HostUpgradeLinux"})
    void stopsNothingWhenTheUpgradeIsRejected(String key) {
        ProcessInstance pi = start(key);
        assertThat(pi).isWaitingAt("Task_ApproveHostUpgrade");
        decide(pi, "Task_ApproveHostUpgrade", "reject");
        assertThat(pi).isEnded().hasPassed("EndEvent_HostUpgradeRejected");
        Assertions.assertThat(beans.stepsRun).containsExactly("verify-current-version");
    }

    @ParameterizedTest
    @ValueSource(strings = {"HostUpgradeSolaris", "HostUpgradeLinux"})
    void runsTheGuideStepsInOrderWithoutOptionalOnes(String key) {
        ProcessInstance pi = start(key);
        decide(pi, "Task_ApproveHostUpgrade", "approve");
        assertThat(pi).isEnded().hasPassed("EndEvent_HostUpgraded")
                .hasNotPassed("Task_ApplyLocalizationPatch", "Task_ReviewConflicts", "Task_SetProxyAdmin");
        Assertions.assertThat(beans.stepsRun).containsExactlyElementsOf(planned(key, host(List.of(), false)));
        Assertions.assertThat(beans.hostStates).containsExactly("ms1:RUNNING", "ms1:UPGRADED");
    }

    @ParameterizedTest
    @ValueSource(strings = {"HostUpgradeSolaris", "HostUpgradeLinux"})
    void appliesLocalizationAfterTheCoreAndSetsTheProxyAdminAfterReviewedConflicts(String key) {
        beans.locales = true;
        beans.conflicts = true;
        beans.proxyAdmin = true;
        ProcessInstance pi = start(key);
        decide(pi, "Task_ApproveHostUpgrade", "approve");
        assertThat(pi).isWaitingAt("Task_ReviewConflicts");
        Assertions.assertThat(beans.stepsRun).endsWith("patch-config").doesNotContain("install-newconfig");
        decide(pi, "Task_ReviewConflicts", "approve");
        assertThat(pi).isEnded().hasPassed("Task_ApplyLocalizationPatch", "Task_ReviewConflicts",
                "Task_SetProxyAdmin", "EndEvent_HostUpgraded");
        Assertions.assertThat(beans.stepsRun).containsExactlyElementsOf(planned(key, host(List.of("de"), true)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"HostUpgradeSolaris", "HostUpgradeLinux"})
    void reviewsTheNewConfigurationWithoutReportedConflictsByDefaultOrWhenPatchConfigsOutputWasNeverRead(String key) {
        ProcessTestBeans.reviewEveryPatchConfig(); // the service's default
        ProcessInstance pi = start(key);
        decide(pi, "Task_ApproveHostUpgrade", "approve");
        assertThat(pi).isWaitingAt("Task_ReviewConflicts");
        Assertions.assertThat(beans.stepsRun).endsWith("patch-config").doesNotContain("install-newconfig");
        decide(pi, "Task_ReviewConflicts", "approve");
        assertThat(pi).isEnded().hasPassed("EndEvent_HostUpgraded");

        // only reported conflicts open it otherwise, but a patch-config whose output was never read is reviewed:
        // it failed, and an operator marked it done by hand
        ProcessTestBeans.reviewReportedConflictsOnly();
        beans.will("patch-config", "FAILED");
        ProcessInstance marked = start(key);
        decide(marked, "Task_ApproveHostUpgrade", "approve");
        Task failure = taskService().createTaskQuery().taskDefinitionKey("Task_DecideOnFailure").singleResult();
        taskService().complete(failure.getId(), withVariables("decision", "markDone", "decisionComment", "by hand"));
        ProcessTestBeans.runJobs();
        assertThat(marked).isWaitingAt("Task_ReviewConflicts");
    }

    @ParameterizedTest
    @ValueSource(strings = {"HostUpgradeSolaris", "HostUpgradeLinux"})
    void haltsTheHostWhenTheConflictsAreRejected(String key) {
        beans.conflicts = true;
        ProcessInstance pi = start(key);
        decide(pi, "Task_ApproveHostUpgrade", "approve");
        decide(pi, "Task_ReviewConflicts", "reject");
        assertThat(pi).isEnded().hasPassed("EndEvent_ConflictsRejected").hasNotPassed("Task_InstallNewConfiguration");
        Assertions.assertThat(beans.hostStates).endsWith("ms1:HALTED");
    }

    @ParameterizedTest
    @ValueSource(strings = {"HostUpgradeSolaris", "HostUpgradeLinux"})
    void asksForRiskAcceptanceFirstAndStopsWhenItIsRefused(String key) {
        beans.risk = true;
        ProcessInstance pi = start(key);
        assertThat(pi).isWaitingAt("Task_AcceptRisk");
        decide(pi, "Task_AcceptRisk", "reject");
        assertThat(pi).isEnded().hasPassed("EndEvent_RiskNotAccepted").hasNotPassed("Task_ApproveHostUpgrade");
    }

    @ParameterizedTest
    @ValueSource(strings = {"HostUpgradeSolaris", "HostUpgradeLinux"})
    void goesOnToTheApprovalOnceTheRiskIsAccepted(String key) {
        beans.risk = true;
        ProcessInstance pi = start(key);
        decide(pi, "Task_AcceptRisk", "approve");
        assertThat(pi).isWaitingAt("Task_ApproveHostUpgrade");
        decide(pi, "Task_ApproveHostUpgrade", "approve");
        assertThat(pi).isEnded().hasPassed("Task_AcceptRisk", "EndEvent_HostUpgraded");
    }

    @ParameterizedTest
    @ValueSource(strings = {"HostUpgradeSolaris", "HostUpgradeLinux"})
    void waitsDurablyForAChangeWindowBeforeStoppingAnything(String key) {
        beans.windowOpen = false;
        ProcessInstance pi = start(key);
        decide(pi, "Task_ApproveHostUpgrade", "approve");
        assertThat(pi).isWaitingAt("Timer_WaitForChangeWindow");
        Assertions.assertThat(beans.stepsRun).containsExactly("verify-current-version");
        beans.windowOpen = true;
        Job timer = managementService().createJobQuery().processInstanceId(pi.getId()).timers().singleResult();
        managementService().executeJob(timer.getId());
        ProcessTestBeans.runJobs();
        assertThat(pi).isEnded().hasPassed("Timer_WaitForChangeWindow", "EndEvent_HostUpgraded");
    }

    @ParameterizedTest
    @ValueSource(strings = {"HostUpgradeSolaris", "HostUpgradeLinux"})
    void skipsTheHostApprovalWhenDowntimeWasApprovedForTheTier(String key) {
        beans.hostApproval = false;
        ProcessInstance pi = start(key);
        assertThat(pi).isEnded().hasPassed("EndEvent_HostUpgraded").hasNotPassed("Task_ApproveHostUpgrade");
    }

    @org.junit.jupiter.api.Test
    void rollsTheSolarisHostBackWhenAnOperatorDecidesSoOnAFailedStep() {
        beans.will("install-newconfig", "FAILED");
        ProcessInstance pi = start("HostUpgradeSolaris");
        decide(pi, "Task_ApproveHostUpgrade", "approve");
        Task failure = taskService().createTaskQuery().taskDefinitionKey("Task_DecideOnFailure").singleResult();
        taskService().complete(failure.getId(), withVariables("decision", "rollback"));
        ProcessTestBeans.runJobs();
        ProcessInstance rollback = runtimeService().createProcessInstanceQuery()
                .processDefinitionKey("HostRollbackSolaris").singleResult();
        assertThat(rollback).isWaitingAt("Task_ApproveRollback");
        Assertions.assertThat(rollback.getBusinessKey()).isEqualTo("r-1");
        taskService().complete(task(rollback).getId(), withVariables("decision", "approve"));
        ProcessTestBeans.runJobs();
        taskService().complete(task(rollback).getId(), withVariables("backupReference", "ds-backup-2026-11-28"));
        ProcessTestBeans.runJobs();
        assertThat(pi).isEnded().hasPassed("CallActivity_RollBackHost", "EndEvent_RolledBack")
                .hasNotPassed("EndEvent_HostUpgraded");
        Assertions.assertThat(beans.stepsRun).endsWith("install-newconfig", "stop-messaging-server",
                "uninstall-newconfig", "remove-core-patch", "start-messaging-server", "verify-previous-version");
    }

    private static List<String> planned(String key, Host host) {
        Procedure procedure = key.equals("HostUpgradeSolaris") ? Procedure.SOLARIS_PATCH : Procedure.LINUX_RPM_FRESHEN;
        return HostSteps.of(procedure, host).stream().map(HostSteps.Conditional::step).map(StepId::id).toList();
    }
}
