package com.msgupgrade.processes;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.test.mock.Mocks;

/**
 * Stand-ins for the service's beans in process tests: the models' expressions resolve to these, so a
 * test decides what each step reports and records which steps ran.
 */
public final class ProcessTestBeans {

    /** Step outcomes to hand out per step id (default DONE), and the step ids in the order they ran. */
    public final Map<String, Deque<String>> outcomes = new HashMap<>();
    public final List<String> stepsRun = new ArrayList<>();
    /** host/step of every step run, in order */
    public final List<String> stepHosts = new ArrayList<>();
    public boolean conflicts;
    public boolean locales;
    /** Whether the host's upgrade imported the LDIF (a rollback then asks for the Directory Server's restore). */
    public boolean directoryChanged = true;
    public boolean proxyAdmin;
    public boolean risk;
    public boolean hostApproval = true;
    public boolean windowOpen = true;
    public final List<String> hostStates = new ArrayList<>();
    public final List<String> rolloutStates = new ArrayList<>();
    public String hostProcessKey = "HostUpgradeSolaris";
    /** phase id → units (kind units) or host/step items (kind steps) */
    public final Map<String, List<String>> phaseUnits = new java.util.LinkedHashMap<>();
    public final Map<String, List<String>> phaseSteps = new java.util.LinkedHashMap<>();
    /** unit id → topology, hosts, standby */
    public final Map<String, String> topologies = new HashMap<>();
    public final Map<String, List<String>> unitHosts = new HashMap<>();
    public final Map<String, String> standbys = new HashMap<>();
    public final Deque<String> slots = new ArrayDeque<>();
    public boolean tierApproval;
    public final List<String> hostsStarted = new ArrayList<>();
    /** Hosts that did not reach 6.3 (the rest of those started did). */
    public final java.util.Set<String> notUpgraded = new java.util.HashSet<>();
    public final List<String> decommissionsNotOffered = new ArrayList<>();
    /** Hosts whose webmail reads stores: pointed at them right after their own upgrade. */
    public final java.util.Set<String> webmailHosts = new java.util.HashSet<>();

    /**
     * The in-memory engine of process tests. Its configuration is not named camunda.cfg.xml: the engine
     * REST filter of the Spring Boot tests would otherwise build a second default engine from it.
     */
    public static org.camunda.bpm.engine.test.junit5.ProcessEngineExtension engine() {
        return org.camunda.bpm.engine.test.junit5.ProcessEngineExtension.builder()
                .configurationResource("process-test.camunda.cfg.xml").build();
    }

    /** Executes due jobs (of every instance of the test) until only waits for people or timers are left. */
    public static void runJobs() {
        var management = org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.managementService();
        for (int i = 0; i < 2000; i++) {
            List<org.camunda.bpm.engine.runtime.Job> jobs = management.createJobQuery().executable().list();
            if (jobs.isEmpty()) {
                return;
            }
            management.executeJob(jobs.get(0).getId());
        }
        throw new AssertionError("jobs kept coming");
    }

    /** The service's default: a person reviews the new configuration after every patch-config. */
    public static void reviewEveryPatchConfig() {
        Mocks.register("patchConfigReview", new com.msgupgrade.hostops.PatchConfigReview("always"));
    }

    /** Reviews only the conflicts patch-config reported (as the tests but one do). */
    public static void reviewReportedConflictsOnly() {
        Mocks.register("patchConfigReview", new com.msgupgrade.hostops.PatchConfigReview("when-reported"));
    }

    public static ProcessTestBeans register() {
        ProcessTestBeans beans = new ProcessTestBeans();
        Mocks.register("runHostStep", (JavaDelegate) beans::runStep);
        Mocks.register("checkHostStep", (JavaDelegate) beans::checkStep);
        Mocks.register("connectAhead", (org.camunda.bpm.engine.delegate.ExecutionListener) execution -> {});
        Mocks.register("hostStepSettings", new Settings());
        Mocks.register("decisions", beans.new DecisionsStub());
        Mocks.register("processStatus", beans.new StatusStub());
        Mocks.register("hostFacts", beans.new FactsStub());
        Mocks.register("hostProcesses", beans.new HostProcessesStub());
        Mocks.register("approvalPolicy", new PolicyStub());
        Mocks.register("approvalDeadlines", new DeadlinesStub());
        Mocks.register("changeWindows", beans.new WindowsStub());
        Mocks.register("rolloutPlan", beans.new PlanStub());
        Mocks.register("claimHostSlot", (JavaDelegate) beans::claim);
        Mocks.register("rolloutControl", beans.new ControlStub());
        Mocks.register("rolloutLock", new LockStub());
        // the models' tests open the review for the conflicts they report; reviewEveryPatchConfig() as the default
        reviewReportedConflictsOnly();
        return beans;
    }

    private void claim(DelegateExecution execution) {
        execution.setVariable("slot", claim((String) execution.getVariable("hostName")));
    }

    private String claim(String host) {
        String slot = slots.isEmpty() ? "go" : slots.poll();
        if (slot.equals("go")) {
            hostsStarted.add(host);
        }
        return slot;
    }

    public void will(String stepId, String... states) {
        outcomes.computeIfAbsent(stepId, k -> new ArrayDeque<>()).addAll(List.of(states));
    }

    private void runStep(DelegateExecution execution) {
        String step = (String) execution.getVariable("stepId");
        stepHosts.add(execution.getVariable("hostName") + "/" + step);
        if (execution.getVariable("attempt") == null) {
            execution.setVariable("attempt", 1);
        }
        stepsRun.add(step);
        report(execution, step);
    }

    private void checkStep(DelegateExecution execution) {
        report(execution, (String) execution.getVariable("stepId"));
    }

    private void report(DelegateExecution execution, String step) {
        Deque<String> queue = outcomes.get(step);
        String state = queue == null || queue.isEmpty() ? "DONE" : queue.poll();
        // as the service does: read by the gateway in the same transaction, not stored
        com.msgupgrade.hostops.StepVariables.setForThisTransaction(execution, "stepState", state);
        if (state.equals("FAILED")) {
            execution.setVariable("failure", "step " + step + " failed: exit code 1");
            execution.setVariable("exitCode", 1);
        }
        if (step.equals("patch-config") && !state.equals("RUNNING")) {
            execution.setVariable("conflictsFound", state.equals("DONE") ? conflicts : null);
            execution.setVariable("conflicts", conflicts ? "msg.conf: service.imap.port" : "");
        }
    }

    public static final class PolicyStub {
        public List<Integer> quorumSlots() {
            return List.of(1, 2);
        }
    }

    public static final class DeadlinesStub {
        public String escalateAfter(String gate) {
            return "PT8H";
        }

        public String rejectAfter(String gate) {
            return "PT72H";
        }
    }

    public boolean aborting;
    /** What the clusters' start answers, in turn ({@code go} once none is left), and the hosts each asked about. */
    public final Deque<String> clusterStarts = new ArrayDeque<>();
    public final List<List<String>> clustersAsked = new ArrayList<>();

    public final class ControlStub {
        public boolean aborting(String rolloutId) {
            return aborting;
        }

        public boolean abortingAtPhasesEnd(String rolloutId) {
            return aborting;
        }

        /** The real one sends the abort's message again after the commit; the process tests send theirs. */
        public void openedBeforeTheHosts(Object task) {
        }

        public String clusterMayStart(String rolloutId, List<String> nodes, String standby) {
            List<String> hosts = new ArrayList<>(nodes);
            hosts.add(standby);
            clustersAsked.add(hosts);
            return clusterStarts.isEmpty() ? "go" : clusterStarts.poll();
        }

        public String claim(String rolloutId, String host) {
            return ProcessTestBeans.this.claim(host);
        }

        /** The claim, then the window ({@code window}: wait for it); the real one's no-window-left skip is not here. */
        public String claimInWindow(String rolloutId, String host) {
            String slot = ProcessTestBeans.this.claim(host);
            return "go".equals(slot) && !windowOpen ? "window" : slot;
        }
    }

    public final class PlanStub {
        public List<String> phaseIds(String rolloutId) {
            List<String> ids = new ArrayList<>(phaseUnits.keySet());
            ids.addAll(phaseSteps.keySet());
            return ids;
        }

        public String phaseKind(String rolloutId, String phaseId) {
            return phaseUnits.containsKey(phaseId) ? "units" : "steps";
        }

        public boolean needsTierApproval(String rolloutId, String phaseId) {
            return tierApproval && phaseUnits.containsKey(phaseId);
        }

        public List<String> unitsOf(String rolloutId, String phaseId) {
            return phaseUnits.get(phaseId);
        }

        public List<String> steps(String rolloutId, String phaseId) {
            return aborting ? List.of() : phaseSteps.get(phaseId); // as RolloutPlan: nothing new starts
        }

        public List<Integer> groups(List<?> items) {
            return com.msgupgrade.rollout.RolloutPlan.groupNumbers(items);
        }

        public <T> List<T> group(List<T> items, int number) {
            return com.msgupgrade.rollout.RolloutPlan.groupOf(items, number);
        }

        public List<String> upgradedHosts(String rolloutId) {
            return hostsStarted.stream().distinct().filter(h -> !notUpgraded.contains(h)).toList();
        }

        public boolean allUpgraded(String rolloutId) {
            return notUpgraded.isEmpty();
        }

        public String hostOf(String hostStep) {
            return hostStep.split("/")[0];
        }

        public String stepOf(String hostStep) {
            return hostStep.split("/")[1];
        }

        public String topology(String rolloutId, String unitId) {
            return topologies.get(unitId);
        }

        public String hostState(String rolloutId, String host) {
            return notUpgraded.contains(host) ? "REJECTED" : "UPGRADED";
        }

        public boolean configuresWebmailProxy(String rolloutId, String host) {
            return webmailHosts.contains(host) && !notUpgraded.contains(host);
        }

        public List<String> hosts(String rolloutId, String unitId) {
            return unitHosts.get(unitId);
        }

        public String standby(String rolloutId, String unitId) {
            return standbys.get(unitId);
        }

        public List<String> hostsAndStandby(String rolloutId, String unitId) {
            List<String> hosts = new java.util.ArrayList<>(unitHosts.get(unitId));
            if (standbys.get(unitId) != null) {
                hosts.add(standbys.get(unitId));
            }
            return hosts;
        }
    }

    public final class WindowsStub {
        public String verdict(String rolloutId) {
            return windowOpen ? "open" : "wait";
        }

        public void notStarted(org.camunda.bpm.engine.delegate.DelegateExecution execution) {
            throw new IllegalStateException("no host of these tests is left without a window");
        }

        public String phaseVerdict(String rolloutId, String phaseId) {
            return verdict(rolloutId);
        }

        public java.util.Date phaseNextStart(String rolloutId) {
            return nextStart(rolloutId);
        }

        public void phaseNotRun(org.camunda.bpm.engine.delegate.DelegateExecution execution, String phaseId) {
            throw new IllegalStateException("no phase of these tests is left without a window");
        }

        public java.util.Date nextStart(String rolloutId) {
            return new java.util.Date(System.currentTimeMillis() + 3_600_000);
        }
    }

    public static final class Settings {
        public String getPollInterval() {
            return "PT1S";
        }

        public String waitFor(org.camunda.bpm.engine.delegate.DelegateExecution execution) {
            return getPollInterval();
        }

        public String getSlotPollInterval() {
            return "PT5S";
        }

        public String getRetryCycle() {
            return "R3/PT10S";
        }
    }

    public final class DecisionsStub {
        public void decommissionNotOffered(org.camunda.bpm.engine.delegate.DelegateExecution execution) {
            decommissionsNotOffered.add((String) execution.getVariable("rolloutId"));
        }

        public void open(DelegateTask task, String state) {
            task.getExecution().removeVariable("decision");
        }

        public void gateDecision(DelegateTask task) {}

        public void failureDecision(DelegateTask task) {}

        public void directoryRestored(DelegateTask task) {}

        public void configurationMerged(DelegateTask task) {}

        public void cabDecision(DelegateTask task) {
            if ("reject".equals(task.getVariable("decision"))) {
                task.setVariable("cabRejected", true);
            }
        }

        public void tierDecision(DelegateTask task) {
            if ("reject".equals(task.getVariable("decision"))) {
                task.setVariable("tierRejected", true);
            }
        }

        public void escalate(DelegateTask task) {}

        public void dependenciesConfirmed(DelegateTask task) {}

        public void directoryBackedUp(DelegateTask task) {}

        public void decommissioned(DelegateTask task) {}

        public void signOff(DelegateTask task) {}

        public void rejectAtDeadline(DelegateTask task) {}
    }

    public final class StatusStub {
        public void host(DelegateExecution execution, String state) {
            hostStates.add(execution.getVariable("hostName") + ":" + state);
        }

        public void hostNamed(DelegateExecution execution, String host, String state) {
            hostStates.add(host + ":" + state);
        }

        public void rollbackRequested(DelegateExecution execution) {
            host(execution, "ROLLBACK_REQUESTED");
        }

        public void rollbackRejected(DelegateExecution execution) {
            host(execution, "ROLLBACK_REJECTED");
        }

        public void unitHosts(DelegateExecution execution, String state) {
            String unit = (String) execution.getVariable("unitId");
            unitHosts.get(unit).forEach(h -> hostStates.add(h + ":" + state));
            if (standbys.containsKey(unit)) {
                hostStates.add(standbys.get(unit) + ":" + state);
            }
        }

        public void rollout(DelegateExecution execution, String state) {
            rolloutStates.add(state);
        }

        public void rolloutFinished(DelegateExecution execution) {
            rolloutStates.add("FINISHED");
        }

        public void rolloutStoppedAtTier(DelegateExecution execution) {
            rolloutStates.add(aborting ? "ABORTED" : "REJECTED");
        }

        public void abortedAtHost(DelegateExecution execution) {
            aborting = true;
            rolloutStates.add("ABORTING at " + execution.getVariable("hostName"));
        }
    }

    public final class FactsStub {
        public boolean hasLocales(String rolloutId, String host) {
            return locales;
        }

        public boolean directoryChanged(String rolloutId, String host) {
            return directoryChanged;
        }

        public void directoryNotRestored(DelegateExecution execution) {
            stepsRun.add("(directory not restored)");
        }

        public boolean proxyAdminDiffers(String rolloutId, String host) {
            return proxyAdmin;
        }

        public boolean riskToAccept(String rolloutId, String host) {
            return risk;
        }

        public boolean anyRiskToAccept(String rolloutId, List<String> hosts) {
            return risk;
        }

        public boolean hostApprovalRequired(String rolloutId) {
            return hostApproval;
        }
    }

    public final class HostProcessesStub {
        public String keyFor(String rolloutId, String host) {
            return hostProcessKey;
        }
    }

    /** The rollout lock serializes transactions on a database; an in-memory engine has nothing to serialize. */
    public static final class LockStub {
        public void hold(String rolloutId) {
            if (rolloutId == null) {
                throw new IllegalStateException("a called process ended without its rollout id");
            }
        }

        public void holdIfRejoiningInParallel(org.camunda.bpm.engine.delegate.DelegateExecution execution) {
            if (Boolean.TRUE.equals(execution.getVariable("rejoinsInParallel"))) {
                hold((String) execution.getVariable("rolloutId"));
            }
        }
    }
}
