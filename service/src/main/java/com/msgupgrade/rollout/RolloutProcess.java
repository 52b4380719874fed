package com.msgupgrade.rollout;

/** Process Rollout (processes/Rollout.bpmn) and the variables shared with the host processes. */
public final class RolloutProcess {

    private RolloutProcess() {}

    public static final String KEY = "Rollout";
    public static final String ROLLOUT_ID = "rolloutId";
    public static final String HOSTS = "hosts";
    public static final String HOST_NAME = "hostName";
    public static final String REQUESTED_BY = "requestedBy";
    public static final String HOST_PROCESS_KEY = "hostProcessKey";
}
