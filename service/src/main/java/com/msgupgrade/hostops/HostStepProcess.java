package com.msgupgrade.hostops;

/** Process HostStep (processes/HostStep.bpmn): its key, element ids and variables. */
public final class HostStepProcess {

    private HostStepProcess() {}

    public static final String KEY = "HostStep";
    public static final String TASK_RUN_STEP = "Task_RunStep";
    public static final String TASK_CHECK_RUN = "Task_CheckRun";
    public static final String TASK_DECIDE_ON_FAILURE = "Task_DecideOnFailure";
    public static final String TIMER_WAIT_FOR_COMMAND = "Timer_WaitForCommand";

    // in
    public static final String ROLLOUT_ID = "rolloutId";
    public static final String HOST_NAME = "hostName";
    public static final String STEP_ID = "stepId";
    /** The other host a step involves (useconfig: the node a standby takes over), or absent. */
    public static final String PEER_HOST_NAME = "peerHostName";
    // kept by the process
    public static final String ATTEMPT = "attempt";
    public static final String RUN_ID = "runId";
    public static final String STEP_STATE = "stepState";
    /** The running command's launch is watched (CommandWatcher): the timer waits the quick wait, not the poll interval. */
    public static final String COMMAND_WATCHED = "commandWatched";
    public static final String EXIT_CODE = "exitCode";
    public static final String FAILURE = "failure";
    public static final String DECISION = "decision";
    public static final String DECISION_COMMENT = "decisionComment";
    // out
    public static final String CONFLICTS_FOUND = "conflictsFound";
    public static final String CONFLICTS = "conflicts";
    public static final String CONFIGURATION_DIFF = "configurationDiff";

    /** The id of attempt {@code attempt}'s run of the HostStep instance {@code instanceId}: the same at every try. */
    public static String runId(String instanceId, int attempt) {
        return "run-" + instanceId + "-" + attempt;
    }

    /** The HostStep instance whose step a run was ({@link #runId}'s inverse). */
    public static String instanceOfRun(String runId) {
        if (!runId.startsWith("run-") || runId.lastIndexOf('-') <= "run-".length()) {
            throw new IllegalArgumentException("not a run id (run-<HostStep instance>-<attempt>): " + runId);
        }
        return runId.substring("run-".length(), runId.lastIndexOf('-'));
    }

    /** The attempt whose run it is ({@link #runId}'s inverse). */
    public static int attemptOfRun(String runId) {
        instanceOfRun(runId); // a run id, or refused by name
        return Integer.parseInt(runId.substring(runId.lastIndexOf('-') + 1));
    }
}
