package com.msgupgrade.cluster;

import java.time.Duration;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.jobexecutor.JobExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.task.TaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.stereotype.Component;

/**
 * SIGTERM: the node stops acquiring jobs, running jobs (SSH checks, launches, short read-only commands) finish,
 * and only then does the engine close. Commands running on hosts hold no job: they keep running, and their steps'
 * durable timers fire on this node's next start or on another node, which re-attach by run id. Runs first among the lifecycle beans, before the
 * web server's graceful shutdown, bounded by {@code msgsrv.shutdown.timeout}.
 */
@Component
public class GracefulShutdown implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

    private final ProcessEngine engine;
    private final ThreadPoolTaskExecutor jobThreads;
    private final Duration timeout;
    private volatile boolean running;
    private volatile boolean draining;

    GracefulShutdown(ProcessEngine engine, @Qualifier("camundaTaskExecutor") TaskExecutor jobThreads,
            @Value("${msgsrv.shutdown.timeout:PT30S}") Duration timeout) {
        this.engine = engine;
        if (!(jobThreads instanceof ThreadPoolTaskExecutor pool)) {
            throw new IllegalStateException("the job executor's threads are not a ThreadPoolTaskExecutor: " + jobThreads);
        }
        this.jobThreads = pool;
        this.timeout = timeout;
    }

    /** True once the node is shutting down: no step should wait for a host command any longer. */
    public boolean isDraining() {
        return draining;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        draining = true;
        JobExecutor jobExecutor = ((ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration())
                .getJobExecutor();
        if (jobExecutor != null && jobExecutor.isActive()) {
            jobExecutor.shutdown();
        }
        // no job is acquired any more: the pool runs what it holds (queued jobs included), then ends
        java.util.concurrent.ThreadPoolExecutor pool = jobThreads.getThreadPoolExecutor();
        pool.shutdown();
        try {
            pool.awaitTermination(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (busy()) {
            log.warn("shutting down with {} job(s) still running after {}: they end when the engine closes and"
                    + " are retried by the next node to acquire them", jobThreads.getActiveCount(), timeout);
        } else {
            log.info("job executor drained: no job running; commands still running on hosts are re-attached"
                    + " by run id");
        }
        running = false;
    }

    private boolean busy() {
        return jobThreads.getActiveCount() > 0 || jobThreads.getQueueSize() > 0;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }
}
