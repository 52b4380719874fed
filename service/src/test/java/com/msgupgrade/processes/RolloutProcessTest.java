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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Rollout, UpgradeUnit and UpgradeCluster: gates, phases in order, units by topology, every branch. */
@Deployment(resources = {"processes/Rollout.bpmn", "processes/UpgradeUnit.bpmn", "processes/UpgradeCluster.bpmn",
        "processes/HostUpgradeSolaris.bpmn", "processes/HostStep.bpmn", "processes/HostRollbackSolaris.bpmn"})
class RolloutProcessTest extends ProcessTestBase {

    @RegisterExtension
    static ProcessEngineExtension engine = ProcessTestBeans.engine();

    private ProcessInstance start(List<String> hosts, String policy) {
        ProcessInstance pi = runtimeService().startProcessInstanceByKey("Rollout", "r-1",
                Map.of("rolloutId", "r-1", "hosts", hosts, "requestedBy", "operator", "cabRejected", false,
                        "tierRejected", false, "downtimePolicy", policy));
        ProcessTestBeans.runJobs();
        return pi;
    }

    private void completeAll(String taskKey, Map<String, Object> variables) {
        List<Task> tasks = taskService().createTaskQuery().taskDefinitionKey(taskKey).list();
        Assertions.assertThat(tasks).as(taskKey).isNotEmpty();
        tasks.forEach(t -> taskService().complete(t.getId(), variables));
        ProcessTestBeans.runJobs();
    }

    private void approveThrough(String... taskKeys) {
        for (String key : taskKeys) {
            completeAll(key, withVariables("decision", key.startsWith("Task_Approve") || key.equals("Task_SignOff")
                    || key.startsWith("Task_Accept") ? "approve" : "confirmed"));
        }
    }

    private void standalone(String phase, String... hosts) {
        beans.phaseUnits.put(phase, java.util.Arrays.stream(hosts).map(h -> "u-" + h).toList());
        for (String h : hosts) {
            beans.topologies.put("u-" + h, "standalone");
            beans.unitHosts.put("u-" + h, List.of(h));
        }
    }

    @Test
    void rejectsTheRolloutWhenOneCabMemberRejectsAndStartsNoHost() {
        standalone("stores", "ms1");
        ProcessInstance pi = start(List.of("ms1"), "per-host");
        Task cab = taskService().createTaskQuery().taskDefinitionKey("Task_ApproveRollout").list().get(0);
        taskService().complete(cab.getId(), withVariables("decision", "reject"));
        ProcessTestBeans.runJobs();
        assertThat(pi).isEnded().hasPassed("EndEvent_RolloutRejected").hasNotPassed("SubProcess_Phases");
        Assertions.assertThat(beans.rolloutStates).containsExactly("AWAITING_APPROVAL", "REJECTED");
    }

    @Test
    void runsThePhasesInOrderThenPostUpgradeStepsVerificationAndSignOff() {
        standalone("stores", "st1", "st2");
        beans.phaseSteps.put("enable-imap", List.of("st1/enable-imap", "st2/enable-imap"));
        standalone("webmail", "web1");
        beans.phaseSteps.put("webmail-proxy", List.of("web1/configure-webmail-proxy"));
        ProcessInstance pi = start(List.of("st1", "st2", "web1"), "per-host");
        approveThrough("Task_ApproveRollout", "Task_ConfirmDependencies", "Task_RecordDirectoryBackup");
        completeAll("Task_ApproveHostUpgrade", withVariables("decision", "approve"));
        // the webmail starts only after both stores are upgraded and IMAP is enabled on them
        Assertions.assertThat(beans.hostsStarted).containsExactly("st1", "st2", "web1");
        int webmailStarts = beans.stepHosts.indexOf("web1/verify-current-version");
        Assertions.assertThat(beans.stepHosts.indexOf("st1/verify-upgrade")).isLessThan(webmailStarts);
        Assertions.assertThat(beans.stepHosts.indexOf("st2/verify-upgrade")).isLessThan(webmailStarts);
        Assertions.assertThat(beans.stepHosts.indexOf("st1/enable-imap")).isLessThan(webmailStarts);
        Assertions.assertThat(beans.stepHosts.indexOf("st2/enable-imap")).isLessThan(webmailStarts);
        completeAll("Task_ApproveHostUpgrade", withVariables("decision", "approve"));
        approveThrough("Task_DecommissionConfigDirectory");
        List<String> steps = beans.stepHosts;
        Assertions.assertThat(steps.subList(steps.size() - 3, steps.size()))
                .containsExactlyInAnyOrder("st1/verify-upgrade", "st2/verify-upgrade", "web1/verify-upgrade");
        Assertions.assertThat(steps.get(steps.size() - 4)).isEqualTo("web1/configure-webmail-proxy");
        approveThrough("Task_SignOff");
        assertThat(pi).isEnded().hasPassed("Task_SignOff", "EndEvent_RolloutCompleted");
        Assertions.assertThat(beans.rolloutStates).containsExactly("AWAITING_APPROVAL", "RUNNING", "FINISHED");
    }

    @Test
    void runsTheUnitsAndStepsOfAPhaseInGroupsEachExactlyOnceBeforeTheNextPhase() {
        List<String> stores = java.util.stream.IntStream.rangeClosed(1, 10).mapToObj(i -> "st" + i).toList();
        standalone("stores", stores.toArray(String[]::new));
        beans.phaseSteps.put("enable-imap", stores.stream().map(h -> h + "/enable-imap").toList());
        beans.hostApproval = false;
        ProcessInstance pi = start(stores, "per-host");
        approveThrough("Task_ApproveRollout", "Task_ConfirmDependencies", "Task_RecordDirectoryBackup");
        // ten units in groups of four, four and two; every host started once, IMAP enabled on each once, after all
        Assertions.assertThat(historyService().createHistoricActivityInstanceQuery().activityId("SubProcess_UnitGroups")
                .count()).isEqualTo(3);
        Assertions.assertThat(beans.hostsStarted).containsExactlyInAnyOrderElementsOf(stores);
        List<String> imap = beans.stepHosts.stream().filter(s -> s.endsWith("/enable-imap")).toList();
        Assertions.assertThat(imap).containsExactlyInAnyOrderElementsOf(beans.phaseSteps.get("enable-imap"));
        int lastUpgrade = stores.stream().mapToInt(h -> beans.stepHosts.indexOf(h + "/verify-upgrade")).max().getAsInt();
        Assertions.assertThat(beans.stepHosts.indexOf(imap.get(0))).isGreaterThan(lastUpgrade);
        approveThrough("Task_DecommissionConfigDirectory");
        Assertions.assertThat(beans.stepHosts.stream().filter(s -> s.endsWith("/verify-upgrade")).count()).isEqualTo(20);
        approveThrough("Task_SignOff");
        assertThat(pi).isEnded().hasPassed("EndEvent_RolloutCompleted");
    }

    @Test
    void rollsALoadBalancedGroupOneHostAtATimeWithAHealthCheckAfterEach() {
        beans.phaseUnits.put("mta-mmp", List.of("u-lb"));
        beans.topologies.put("u-lb", "load-balanced");
        beans.unitHosts.put("u-lb", List.of("mta1", "mta2"));
        ProcessInstance pi = start(List.of("mta1", "mta2"), "per-host");
        approveThrough("Task_ApproveRollout", "Task_ConfirmDependencies", "Task_RecordDirectoryBackup");
        Assertions.assertThat(taskService().createTaskQuery().taskDefinitionKey("Task_ApproveHostUpgrade").count())
                .isEqualTo(1);
        completeAll("Task_ApproveHostUpgrade", withVariables("decision", "approve"));
        // mta2 starts (its read-only version check, then its approval) only after mta1 is healthy again
        Assertions.assertThat(beans.stepHosts).endsWith("mta1/verify-upgrade", "mta1/check-health",
                "mta2/verify-current-version");
        Assertions.assertThat(beans.hostsStarted).containsExactly("mta1", "mta2");
        completeAll("Task_ApproveHostUpgrade", withVariables("decision", "approve"));
        // then the final verification of both, before the decommissioning is offered
        Assertions.assertThat(beans.stepHosts.subList(beans.stepHosts.size() - 4, beans.stepHosts.size() - 2))
                .containsExactly("mta2/verify-upgrade", "mta2/check-health");
        Assertions.assertThat(beans.stepHosts.subList(beans.stepHosts.size() - 2, beans.stepHosts.size()))
                .containsExactlyInAnyOrder("mta1/verify-upgrade", "mta2/verify-upgrade");
        approveThrough("Task_DecommissionConfigDirectory", "Task_SignOff");
        assertThat(pi).isEnded();
    }

    /**
     * The guide: "After upgrading MEM to Webmail Server, configure it to access the Message Store": each webmail
     * front end of a load-balanced group right after its own upgrade, before its health check and the next member,
     * not once the whole tier is done.
     */
    @Test
    void pointsEachWebmailAtItsStoresRightAfterItsOwnUpgrade() {
        beans.phaseUnits.put("webmail", List.of("u-web"));
        beans.topologies.put("u-web", "load-balanced");
        beans.unitHosts.put("u-web", List.of("web1", "web2"));
        beans.webmailHosts.addAll(List.of("web1", "web2"));
        start(List.of("web1", "web2"), "per-host");
        approveThrough("Task_ApproveRollout", "Task_ConfirmDependencies", "Task_RecordDirectoryBackup");
        completeAll("Task_ApproveHostUpgrade", withVariables("decision", "approve"));
        completeAll("Task_ApproveHostUpgrade", withVariables("decision", "approve"));
        Assertions.assertThat(beans.stepHosts).containsSubsequence("web1/verify-upgrade",
                "web1/configure-webmail-proxy", "web1/check-health", "web2/verify-current-version",
                "web2/verify-upgrade", "web2/configure-webmail-proxy", "web2/check-health");
    }

    @Test
    void checksTheHealthOnlyOfAGroupMemberThatWasUpgraded() {
        beans.phaseUnits.put("mta-mmp", List.of("u-lb"));
        beans.topologies.put("u-lb", "load-balanced");
        beans.unitHosts.put("u-lb", List.of("mta1", "mta2"));
        beans.notUpgraded.add("mta1"); // its approval rejected, say: it still serves 6.2p3, never stopped
        start(List.of("mta1", "mta2"), "per-host");
        approveThrough("Task_ApproveRollout", "Task_ConfirmDependencies", "Task_RecordDirectoryBackup");
        completeAll("Task_ApproveHostUpgrade", withVariables("decision", "approve"));
        Assertions.assertThat(beans.hostsStarted).containsExactly("mta1", "mta2");
        Assertions.assertThat(beans.stepHosts).doesNotContain("mta1/check-health").contains("mta2/verify-current-version");
    }

    @Test
    void stopsRollingWhenAHostOfALoadBalancedGroupFails() {
        beans.phaseUnits.put("mta-mmp", List.of("u-lb"));
        beans.topologies.put("u-lb", "load-balanced");
        beans.unitHosts.put("u-lb", List.of("mta1", "mta2"));
        beans.will("install-newconfig", "FAILED");
        start(List.of("mta1", "mta2"), "per-host");
        approveThrough("Task_ApproveRollout", "Task_ConfirmDependencies", "Task_RecordDirectoryBackup");
        completeAll("Task_ApproveHostUpgrade", withVariables("decision", "approve"));
        Assertions.assertThat(taskService().createTaskQuery().taskDefinitionKey("Task_DecideOnFailure").count()).isOne();
        Assertions.assertThat(beans.hostsStarted).containsExactly("mta1");
        Assertions.assertThat(beans.stepHosts).noneMatch(s -> s.startsWith("mta2/"));
    }

    @Test
    void waitsWhilePausedAndStartsNothingMoreWhenAborting() {
        standalone("stores", "st1", "st2");
        beans.slots.addAll(List.of("wait", "go", "skip"));
        ProcessInstance pi = start(List.of("st1", "st2"), "per-host");
        approveThrough("Task_ApproveRollout", "Task_ConfirmDependencies", "Task_RecordDirectoryBackup");
        Job timer = managementService().createJobQuery().timers().activityId("Timer_WaitForSlot").singleResult();
        Assertions.assertThat(timer).isNotNull();
        managementService().executeJob(timer.getId());
        ProcessTestBeans.runJobs();
        completeAll("Task_ApproveHostUpgrade", withVariables("decision", "approve"));
        Assertions.assertThat(beans.hostsStarted).hasSize(1);
        Assertions.assertThat(historyService().createHistoricActivityInstanceQuery().activityId("EndEvent_NotStarted")
                .count()).isOne();
        assertThat(pi).isWaitingAt("Task_DecommissionConfigDirectory");
    }

    @Test
    void verifiesOnlyTheUpgradedHostsAndOffersNoDecommissionWhileAHostIsNotAt63() {
        standalone("stores", "st1", "st2");
        ProcessInstance pi = start(List.of("st1", "st2"), "per-host");
        approveThrough("Task_ApproveRollout", "Task_ConfirmDependencies", "Task_RecordDirectoryBackup");
        beans.notUpgraded.add("st2"); // its upgrade was rejected, say
        completeAll("Task_ApproveHostUpgrade", withVariables("decision", "approve"));
        Assertions.assertThat(beans.stepHosts.stream().filter(s -> s.endsWith("/verify-upgrade")).toList())
                .containsExactly("st1/verify-upgrade", "st2/verify-upgrade", "st1/verify-upgrade");
        assertThat(pi).isWaitingAt("Task_SignOff").hasPassed("SubProcess_FinalVerificationGroups")
                .hasNotPassed("Task_DecommissionConfigDirectory");
        Assertions.assertThat(beans.decommissionsNotOffered).hasSize(1);
        approveThrough("Task_SignOff");
        assertThat(pi).isEnded().hasPassed("EndEvent_RolloutCompleted");
    }

    @Test
    void endsAbortedWithoutPostUpgradeWorkWhenAnOperatorAborted() {
        standalone("stores", "st1");
        beans.slots.add("skip");
        beans.aborting = true;
        ProcessInstance pi = start(List.of("st1"), "per-host");
        approveThrough("Task_ApproveRollout", "Task_ConfirmDependencies", "Task_RecordDirectoryBackup");
        assertThat(pi).isEnded().hasPassed("EndEvent_RolloutAbortedByOperator")
                .hasNotPassed("Task_DecommissionConfigDirectory");
        Assertions.assertThat(historyService().createHistoricActivityInstanceQuery().activityId("EndEvent_NotStarted")
                .count()).isOne();
        Assertions.assertThat(beans.hostsStarted).isEmpty();
    }

    @Test
    void asksForEachTiersDowntimeWhenThePolicyIsPerTierAndStopsWhenOneIsRejected() {
        standalone("stores", "st1");
        beans.tierApproval = true;
        beans.hostApproval = false;
        ProcessInstance pi = start(List.of("st1"), "per-tier");
        approveThrough("Task_ApproveRollout", "Task_ConfirmDependencies", "Task_RecordDirectoryBackup");
        completeAll("Task_ApproveTierDowntime", withVariables("decision", "reject", "decisionComment", "no"));
        assertThat(pi).isEnded().hasPassed("EndEvent_RolloutStoppedAtTier");
        Assertions.assertThat(beans.hostsStarted).isEmpty();
    }

    @Test
    void upgradesAClusterNodeByNodeThroughTheStandbyAndTheStandbyLast() {
        beans.phaseUnits.put("stores", List.of("u-cluster"));
        beans.topologies.put("u-cluster", "cluster");
        beans.unitHosts.put("u-cluster", List.of("node1", "node2"));
        beans.standbys.put("u-cluster", "nodex");
        ProcessInstance pi = start(List.of("node1", "node2", "nodex"), "per-host");
        approveThrough("Task_ApproveRollout", "Task_ConfirmDependencies", "Task_RecordDirectoryBackup",
                "Task_ApproveFailover");
        Assertions.assertThat(beans.stepHosts.subList(0, 14)).containsExactly("node1/verify-current-version",
                "nodex/verify-current-version", "nodex/useconfig", "node1/stop-messaging-server",
                "nodex/start-messaging-server", "node1/apply-core-patch", "node1/confirm-patches",
                "node1/patch-config", "nodex/stop-messaging-server", "node1/install-newconfig",
                "node1/start-messaging-server", "node1/import-ldif", "node1/verify-upgrade",
                "node2/verify-current-version");
        // as the plan has it (the steps on the standby named), for the node and, last, the standby
        com.msgupgrade.inventory.Host node1 = new com.msgupgrade.inventory.Host("node1", "10.0.0.1", 22, "root", "solaris",
                "sparc", "/opt/SUNWmsgsr", "6.2p3", List.of("store"), List.of(), null, null, null, null, null);
        com.msgupgrade.inventory.Host nodex = new com.msgupgrade.inventory.Host("nodex", "10.0.0.3", 22, "root", "solaris",
                "sparc", "/opt/SUNWmsgsr", "6.2p3", List.of("store"), List.of(), null, null, null, null, null);
        Assertions.assertThat(beans.stepHosts.subList(0, 13)).containsExactlyElementsOf(
                com.msgupgrade.planning.HostSteps.clusterNode(node1, nodex).stream()
                        .map(c -> (c.on() == null ? "node1" : c.on()) + "/" + c.step().id()).toList());
        Assertions.assertThat(beans.stepHosts.stream().filter(s -> s.startsWith("nodex/")).toList())
                .containsSubsequence(com.msgupgrade.planning.HostSteps.clusterStandby(nodex).stream()
                        .map(c -> "nodex/" + c.step().id()).toArray(String[]::new));
        Assertions.assertThat(beans.stepHosts.stream().filter(s -> s.startsWith("nodex/apply")).toList()).hasSize(1);
        Assertions.assertThat(beans.stepHosts.indexOf("nodex/apply-core-patch"))
                .isGreaterThan(beans.stepHosts.indexOf("node2/verify-upgrade"));
        approveThrough("Task_DecommissionConfigDirectory");
        approveThrough("Task_SignOff");
        assertThat(pi).isEnded();
        Assertions.assertThat(beans.hostStates).containsSubsequence("node1:RUNNING", "node1:UPGRADED", "node2:RUNNING",
                "node2:UPGRADED", "nodex:RUNNING", "nodex:UPGRADED");
        // each host of the cluster claimed its slot as it came, the standby last
        Assertions.assertThat(beans.hostsStarted).containsExactly("node1", "node2", "nodex");
        Assertions.assertThat(beans.clustersAsked).containsExactly(List.of("node1", "node2", "nodex"));
    }

    private void cluster() {
        beans.phaseUnits.put("stores", List.of("u-cluster"));
        beans.topologies.put("u-cluster", "cluster");
        beans.unitHosts.put("u-cluster", List.of("node1", "node2"));
        beans.standbys.put("u-cluster", "nodex");
    }

    @Test
    void startsNoHostOfAClusterThatMayNotStartAndAsksNoApproval() {
        cluster();
        beans.clusterStarts.add("skip"); // aborting, or a node's webmail reads a store that is not at 6.3
        beans.notUpgraded.addAll(List.of("node1", "node2", "nodex"));
        ProcessInstance pi = start(List.of("node1", "node2", "nodex"), "per-host");
        approveThrough("Task_ApproveRollout", "Task_ConfirmDependencies", "Task_RecordDirectoryBackup");
        Assertions.assertThat(taskService().createTaskQuery().taskDefinitionKey("Task_ApproveFailover").count()).isZero();
        Assertions.assertThat(beans.stepHosts).isEmpty();
        Assertions.assertThat(historyService().createHistoricActivityInstanceQuery()
                .activityId("EndEvent_ClusterNotStarted").count()).isOne();
        assertThat(pi).isWaitingAt("Task_SignOff");
    }

    @Test
    void claimsTheClustersFirstSlotBeforeItsApprovalAndMarksItsHostsRejectedWhenTheApprovalIs() {
        cluster();
        beans.clusterStarts.addAll(List.of("wait", "go")); // paused or busy, then a slot
        start(List.of("node1", "node2", "nodex"), "per-host");
        approveThrough("Task_ApproveRollout", "Task_ConfirmDependencies", "Task_RecordDirectoryBackup");
        Assertions.assertThat(taskService().createTaskQuery().taskDefinitionKey("Task_ApproveFailover").count()).isZero();
        Job timer = managementService().createJobQuery().timers().activityId("Timer_WaitForClusterSlot").singleResult();
        Assertions.assertThat(timer).isNotNull();
        managementService().executeJob(timer.getId());
        ProcessTestBeans.runJobs();
        completeAll("Task_ApproveFailover", withVariables("decision", "reject", "decisionComment", "not tonight"));
        Assertions.assertThat(beans.clustersAsked).hasSize(2);
        Assertions.assertThat(beans.stepHosts).isEmpty();
        Assertions.assertThat(beans.hostStates).containsExactly("node1:REJECTED", "node2:REJECTED", "nodex:REJECTED");
    }

    /**
     * A cluster with a host whose path is not certified or cannot be rolled back (Linux) asks for the risk to be
     * accepted before its approval, as a host process does: not accepted, none of its hosts is upgraded; accepted,
     * its approval is asked.
     */
    @Test
    void asksTheClustersRiskAcceptanceBeforeItsApproval() {
        cluster();
        beans.risk = true;
        start(List.of("node1", "node2", "nodex"), "per-host");
        approveThrough("Task_ApproveRollout", "Task_ConfirmDependencies", "Task_RecordDirectoryBackup");
        Assertions.assertThat(taskService().createTaskQuery().taskDefinitionKey("Task_ApproveFailover").count()).isZero();
        completeAll("Task_AcceptClusterRisk", withVariables("decision", "reject", "decisionComment", "not this path"));
        Assertions.assertThat(taskService().createTaskQuery().taskDefinitionKey("Task_ApproveFailover").count()).isZero();
        Assertions.assertThat(beans.stepHosts).isEmpty();
        Assertions.assertThat(beans.hostStates).containsExactly("node1:REJECTED", "node2:REJECTED", "nodex:REJECTED");
        Assertions.assertThat(historyService().createHistoricActivityInstanceQuery()
                .activityId("EndEvent_ClusterRiskNotAccepted").count()).isOne();

        // a second rollout (the first one's cluster asked for no approval)
        start(List.of("node1", "node2", "nodex"), "per-host");
        approveThrough("Task_ApproveRollout", "Task_ConfirmDependencies", "Task_RecordDirectoryBackup",
                "Task_AcceptClusterRisk");
        Assertions.assertThat(taskService().createTaskQuery().taskDefinitionKey("Task_ApproveFailover").count()).isOne();
    }

    @Test
    void waitsBeforeAClusterNodeWhilePausedAndPatchesNoStandbyWhenAborting() {
        cluster();
        // node1 goes; node2 waits (paused), then goes; the standby is told to skip (aborting)
        beans.slots.addAll(List.of("go", "wait", "go", "skip"));
        ProcessInstance pi = start(List.of("node1", "node2", "nodex"), "per-host");
        approveThrough("Task_ApproveRollout", "Task_ConfirmDependencies", "Task_RecordDirectoryBackup",
                "Task_ApproveFailover");
        Job timer = managementService().createJobQuery().timers().activityId("Timer_WaitForSlot").singleResult();
        Assertions.assertThat(timer).isNotNull();
        Assertions.assertThat(beans.stepHosts).contains("node1/verify-upgrade").noneMatch(s -> s.startsWith("node2/"));
        managementService().executeJob(timer.getId());
        ProcessTestBeans.runJobs();
        Assertions.assertThat(beans.stepHosts).contains("node2/verify-upgrade");
        Assertions.assertThat(beans.hostsStarted).containsExactly("node1", "node2");
        Assertions.assertThat(beans.stepHosts).doesNotContain("nodex/apply-core-patch");
        Assertions.assertThat(historyService().createHistoricActivityInstanceQuery()
                .activityId("EndEvent_StandbyNotStarted").count()).isOne();
        assertThat(pi).isNotEnded();
    }

    /**
     * A cluster approved outside its rollout's windows (or in a blackout): its first node is not stopped until one
     * opens (its timer due then); the standby claims through the same gate.
     */
    @Test
    void aClusterNodeStartsItsFailoverOnlyInAChangeWindow() {
        cluster();
        beans.windowOpen = false;
        ProcessInstance pi = start(List.of("node1", "node2", "nodex"), "per-host");
        approveThrough("Task_ApproveRollout", "Task_ConfirmDependencies", "Task_RecordDirectoryBackup",
                "Task_ApproveFailover");
        Job timer = managementService().createJobQuery().timers().activityId("Timer_WaitForNodeWindow").singleResult();
        Assertions.assertThat(timer).as("the node waits for the window's start").isNotNull();
        Assertions.assertThat(timer.getDuedate()).isAfter(new java.util.Date(System.currentTimeMillis() + 3_000_000));
        Assertions.assertThat(beans.stepHosts).isEmpty();
        beans.windowOpen = true;
        managementService().executeJob(timer.getId());
        ProcessTestBeans.runJobs();
        Assertions.assertThat(beans.stepHosts).contains("node1/stop-messaging-server", "node2/verify-upgrade",
                "nodex/apply-core-patch");
        approveThrough("Task_DecommissionConfigDirectory");
        approveThrough("Task_SignOff");
        assertThat(pi).isEnded();
    }

    @Test
    void asksForTheSymmetricPairsDowntimeBeforeItStarts() {
        beans.phaseUnits.put("stores", List.of("u-pair"));
        beans.topologies.put("u-pair", "symmetric-ha");
        beans.unitHosts.put("u-pair", List.of("sym1", "sym2"));
        start(List.of("sym1", "sym2"), "per-host");
        approveThrough("Task_ApproveRollout", "Task_ConfirmDependencies", "Task_RecordDirectoryBackup");
        Assertions.assertThat(beans.hostsStarted).isEmpty();
        completeAll("Task_ApproveSymmetricDowntime", withVariables("decision", "reject", "decisionComment", "no"));
        Assertions.assertThat(beans.hostsStarted).isEmpty();
        Assertions.assertThat(historyService().createHistoricActivityInstanceQuery()
                .activityId("EndEvent_SymmetricRejected").count()).isOne();
    }

    /**
     * An operator aborts at a host's failed step: that host stops, the rollout aborts as an abort through the API does
     * (nothing new starts), and a host under way elsewhere finishes its procedure instead of being cut off between
     * its stop-msg and its start-msg.
     */
    @Test
    void abortsTheRolloutWhenAnOperatorAbortsAFailedStepAndLetsTheHostsUnderWayFinish() {
        standalone("stores", "ms1", "ms2");
        beans.phaseSteps.put("enable-imap", List.of("ms1/enable-imap", "ms2/enable-imap"));
        beans.will("stop-messaging-server", "FAILED"); // ms1's; ms2's then succeeds
        ProcessInstance pi = start(List.of("ms1", "ms2"), "per-host");
        approveThrough("Task_ApproveRollout", "Task_ConfirmDependencies", "Task_RecordDirectoryBackup");
        completeAll("Task_ApproveHostUpgrade", withVariables("decision", "approve"));
        String failedHost = (String) taskService().getVariable(taskService().createTaskQuery()
                .taskDefinitionKey("Task_DecideOnFailure").singleResult().getId(), "hostName");
        String other = failedHost.equals("ms1") ? "ms2" : "ms1";
        Assertions.assertThat(beans.stepHosts).contains(other + "/patch-config");
        completeAll("Task_DecideOnFailure", withVariables("decision", "abort", "decisionComment", "broken"));
        Assertions.assertThat(historyService().createHistoricActivityInstanceQuery().activityId("EndEvent_HostAborted")
                .count()).as("the unit's boundary caught the abort").isOne();
        assertThat(pi).isEnded().hasPassed("EndEvent_RolloutAbortedByOperator")
                .hasNotPassed("EndEvent_RolloutAborted", "EndEvent_RolloutCompleted", "Task_DecommissionConfigDirectory");
        Assertions.assertThat(beans.stepHosts).contains(other + "/verify-upgrade")
                .noneMatch(s -> s.endsWith("/enable-imap"));
        Assertions.assertThat(beans.rolloutStates).containsExactly("AWAITING_APPROVAL", "RUNNING",
                "ABORTING at " + failedHost, "FINISHED");
    }
    /**
     * An operator rolls a host back at its failed step, then aborts at a failed step of that rollback: the rollback
     * runs nothing more on the host, and the abort reaches the rollout through the host's unit, as an abort at a step
     * of the upgrade does.
     */
    @Test
    void anAbortAtAFailedStepOfARollbackWithinTheRolloutStopsTheRollbackAndAbortsTheRollout() {
        standalone("stores", "ms1");
        beans.directoryChanged = false;
        beans.will("install-newconfig", "FAILED");
        beans.will("uninstall-newconfig", "FAILED");
        ProcessInstance pi = start(List.of("ms1"), "per-host");
        approveThrough("Task_ApproveRollout", "Task_ConfirmDependencies", "Task_RecordDirectoryBackup");
        completeAll("Task_ApproveHostUpgrade", withVariables("decision", "approve"));
        completeAll("Task_DecideOnFailure", withVariables("decision", "rollback"));
        completeAll("Task_ApproveRollback", withVariables("decision", "approve"));
        Assertions.assertThat(beans.stepsRun).endsWith("uninstall-newconfig");
        completeAll("Task_DecideOnFailure", withVariables("decision", "abort", "decisionComment", "by hand"));
        Assertions.assertThat(beans.stepsRun).endsWith("uninstall-newconfig");
        Assertions.assertThat(historyService().createHistoricActivityInstanceQuery().activityId("EndEvent_HostAborted")
                .count()).as("the unit's boundary caught the abort").isOne();
        assertThat(pi).isEnded().hasPassed("EndEvent_RolloutAbortedByOperator")
                .hasNotPassed("EndEvent_RolloutCompleted");
    }
}
