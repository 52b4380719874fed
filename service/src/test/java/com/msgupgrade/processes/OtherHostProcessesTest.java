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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** HostUpgradeLinux61 and HostRollbackSolaris: every branch, and the step order equal to the plan's. */
@Deployment(resources = {"processes/HostUpgradeLinux61.bpmn", "processes/HostRollbackSolaris.bpmn",
        "processes/HostStep.bpmn"})
class OtherHostProcessesTest extends ProcessTestBase {

    @RegisterExtension
    static ProcessEngineExtension engine = ProcessTestBeans.engine();

    private ProcessInstance start(String key) {
        ProcessInstance pi = runtimeService().startProcessInstanceByKey(key, "r-1",
                Map.of("rolloutId", "r-1", "hostName", "ml1"));
        ProcessTestBeans.runJobs();
        return pi;
    }

    private void complete(ProcessInstance pi, String taskKey, String group, Map<String, Object> variables) {
        Task task = taskService().createTaskQuery().processInstanceId(pi.getId()).taskDefinitionKey(taskKey)
                .singleResult();
        Assertions.assertThat(task).as("waiting at " + taskKey).isNotNull();
        assertThat(task).hasCandidateGroup(group);
        taskService().complete(task.getId(), variables);
        ProcessTestBeans.runJobs();
    }

    private static Host host(String os, List<String> locales) {
        return new Host("ml1", "127.0.0.1", 22, "root", os, os.equals("linux") ? "i386" : "sparc", "/opt/x", "6.1",
                List.of("store"), locales, null, null, null, null, null);
    }

    private static List<String> ids(List<HostSteps.Conditional> steps) {
        return steps.stream().map(HostSteps.Conditional::step).map(StepId::id).toList();
    }

    @Test
    void reinstallsLinux61AfterRiskAcceptanceApprovalAndAManualMerge() {
        beans.locales = true;
        ProcessInstance pi = start("HostUpgradeLinux61");
        complete(pi, "Task_AcceptRisk", "change-managers", Map.of("decision", "approve"));
        complete(pi, "Task_ApproveHostUpgrade", "change-managers", Map.of("decision", "approve"));
        assertThat(pi).isWaitingAt("Task_MergeConfiguration");
        Assertions.assertThat(beans.stepsRun).endsWith("configure", "compare-configurations");
        complete(pi, "Task_MergeConfiguration", "operators", Map.of("decision", "merged", "decisionComment", "ports"));
        assertThat(pi).isEnded().hasPassed("Task_InstallLocalizationRpms", "EndEvent_HostUpgraded");
        Assertions.assertThat(beans.stepsRun).containsExactlyElementsOf(
                ids(HostSteps.of(Procedure.LINUX_61_REINSTALL, host("linux", List.of("de")))));
    }

    @Test
    void leavesALinux61HostAloneWhenTheRiskIsNotAcceptedOrTheUpgradeRejected() {
        ProcessInstance refused = start("HostUpgradeLinux61");
        complete(refused, "Task_AcceptRisk", "change-managers", Map.of("decision", "reject"));
        assertThat(refused).isEnded().hasPassed("EndEvent_RiskNotAccepted");

        ProcessInstance rejected = start("HostUpgradeLinux61");
        complete(rejected, "Task_AcceptRisk", "change-managers", Map.of("decision", "approve"));
        complete(rejected, "Task_ApproveHostUpgrade", "change-managers", Map.of("decision", "reject"));
        assertThat(rejected).isEnded().hasPassed("EndEvent_HostUpgradeRejected").hasNotPassed("Task_StopMessagingServer");
        Assertions.assertThat(beans.stepsRun).containsOnly("verify-current-version");
    }

    @Test
    void rollsBackASolarisHostWithLocalizationFirstAfterApprovalAndTheDirectoryRestore() {
        beans.locales = true;
        ProcessInstance pi = start("HostRollbackSolaris");
        complete(pi, "Task_ApproveRollback", "change-managers", Map.of("decision", "approve"));
        complete(pi, "Task_RestoreDirectoryServer", "operators", Map.of("backupReference", "ds-2026-11-28"));
        assertThat(pi).isEnded().hasPassed("Task_RemoveLocalizationPatch", "EndEvent_HostRolledBack");
        Assertions.assertThat(beans.stepsRun).containsExactlyElementsOf(ids(HostSteps.rollback(host("solaris",
                List.of("de")))));
    }

    /** A host whose upgrade never imported the LDIF: its rollback does not ask for the Directory Server's restore. */
    @Test
    void rollsBackWithoutADirectoryRestoreWhenTheUpgradeChangedNothingThere() {
        beans.directoryChanged = false;
        ProcessInstance pi = start("HostRollbackSolaris");
        complete(pi, "Task_ApproveRollback", "change-managers", Map.of("decision", "approve"));
        assertThat(pi).isEnded().hasPassed("EndEvent_HostRolledBack").hasNotPassed("Task_RestoreDirectoryServer");
        Assertions.assertThat(beans.stepsRun).containsSubsequence("stop-messaging-server", "(directory not restored)",
                "uninstall-newconfig");
    }

    /**
     * A rollback started on its own (through the API), aborted by an operator at a failed step: it ends there, and
     * nothing more runs on the host (an error nobody catches would end only the step, and the rollback go on).
     */
    @Test
    void aRollbackAbortedAtAFailedStepRunsNothingMore() {
        beans.directoryChanged = false;
        beans.will("uninstall-newconfig", "FAILED");
        ProcessInstance pi = start("HostRollbackSolaris");
        complete(pi, "Task_ApproveRollback", "change-managers", Map.of("decision", "approve"));
        Task failed = taskService().createTaskQuery().taskDefinitionKey("Task_DecideOnFailure").singleResult();
        Assertions.assertThat(failed).as("uninstall-newconfig's failure to decide").isNotNull();
        taskService().complete(failed.getId(), Map.of("decision", "abort", "decisionComment", "by hand"));
        ProcessTestBeans.runJobs();
        Assertions.assertThat(beans.stepsRun).endsWith("uninstall-newconfig");
        assertThat(pi).isEnded().hasPassed("EndEvent_RollbackAborted").hasNotPassed("Task_RemoveCorePatch",
                "EndEvent_HostRolledBack");
    }

    @Test
    void touchesNothingWhenTheRollbackIsRejected() {
        ProcessInstance pi = start("HostRollbackSolaris");
        complete(pi, "Task_ApproveRollback", "change-managers", Map.of("decision", "reject"));
        assertThat(pi).isEnded().hasPassed("EndEvent_RollbackRejected");
        Assertions.assertThat(beans.stepsRun).isEmpty();
    }
}
