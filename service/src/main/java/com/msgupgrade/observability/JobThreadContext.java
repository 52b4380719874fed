package com.msgupgrade.observability;

import org.slf4j.MDC;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.stereotype.Component;

/**
 * A job executor's thread names no rollout, host or step once its batch of jobs is done: the lines it writes next
 * (acquiring, unlocking jobs at shutdown) are about no host. Within the batch, the engine's line about a job that
 * failed keeps the job's host and step ({@link LogContext}).
 */
@Component
class JobThreadContext implements BeanPostProcessor {

    /** The engine's job executor's pool (Camunda's Spring Boot starter). */
    static final String JOB_THREADS = "camundaTaskExecutor";

    @Override
    public Object postProcessBeforeInitialization(Object bean, String name) {
        if (JOB_THREADS.equals(name) && bean instanceof ThreadPoolTaskExecutor pool) {
            pool.setTaskDecorator(JobThreadContext::clearedAfter); // before the pool is initialised, which reads it
        }
        return bean;
    }

    /** The work, the rollout, host and step removed from its thread's MDC when it ends. */
    static Runnable clearedAfter(Runnable work) {
        return () -> {
            try {
                work.run();
            } finally {
                MDC.remove(LogContext.ROLLOUT);
                MDC.remove(LogContext.HOST);
                MDC.remove(LogContext.STEP);
            }
        };
    }
}
