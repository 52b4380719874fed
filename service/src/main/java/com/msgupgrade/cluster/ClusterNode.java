package com.msgupgrade.cluster;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * This service process as a node of a cluster on one database. Its id is the job executor's lock owner
 * (ACT_RU_JOB.LOCK_OWNER_ names the node working on a job) and is recorded with every run it launches
 * on a host (MSGSRV.command_run.node_id), so operators and auditors see which node did what.
 */
@Component
public class ClusterNode extends AbstractProcessEnginePlugin {

    private final String id;

    ClusterNode(@Value("${msgsrv.node-id:}") String configured) {
        this.id = configured.isBlank() ? defaultId() : configured;
        if (id.length() > 128) {
            throw new IllegalArgumentException("msgsrv.node-id is longer than 128 characters: " + id);
        }
    }

    public String id() {
        return id;
    }

    /** Every node deploys the models at start-up; unchanged ones are not deployed again (no new versions). */
    @Override
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        if (configuration instanceof org.camunda.bpm.engine.spring.SpringProcessEngineConfiguration spring) {
            spring.setDeployChangedOnly(true);
        }
    }

    @Override
    public void postInit(ProcessEngineConfigurationImpl configuration) {
        if (configuration.getJobExecutor() != null) {
            configuration.getJobExecutor().setLockOwner(id);
        }
    }

    /** host name and process id: unique among the nodes running at one time. */
    private static String defaultId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + "-" + ManagementFactory.getRuntimeMXBean().getPid();
    }
}
