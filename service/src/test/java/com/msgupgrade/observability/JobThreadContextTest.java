package com.msgupgrade.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

class JobThreadContextTest {

    /** A pool of one thread, as the job executor's is decorated: the second task finds the first one's keys gone. */
    @Test
    void aJobThreadsNextWorkFindsNoRolloutHostOrStepOfTheLast() throws Exception {
        ThreadPoolTaskExecutor pool = new ThreadPoolTaskExecutor();
        pool.setCorePoolSize(1);
        pool.setMaxPoolSize(1);
        Object decorated = new JobThreadContext().postProcessBeforeInitialization(pool, JobThreadContext.JOB_THREADS);
        assertThat(decorated).isSameAs(pool);
        pool.initialize();
        try {
            AtomicReference<String> seen = new AtomicReference<>("not run");
            pool.submit(() -> {
                MDC.put(LogContext.ROLLOUT, "r-1");
                MDC.put(LogContext.HOST, "ms1");
                MDC.put(LogContext.STEP, "apply-core-patch");
                MDC.put("other", "kept");
            }).get(30, TimeUnit.SECONDS);
            pool.submit(() -> seen.set(MDC.get(LogContext.ROLLOUT) + " " + MDC.get(LogContext.HOST) + " "
                    + MDC.get(LogContext.STEP) + " " + MDC.get("other"))).get(30, TimeUnit.SECONDS);
            assertThat(seen.get()).isEqualTo("null null null kept");
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void anotherPoolIsLeftAsItIs() {
        ThreadPoolTaskExecutor pool = new ThreadPoolTaskExecutor();
        new JobThreadContext().postProcessBeforeInitialization(pool, "applicationTaskExecutor");
        pool.initialize();
        try {
            AtomicReference<String> seen = new AtomicReference<>();
            pool.execute(() -> MDC.put(LogContext.HOST, "ms1"));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> {
                pool.execute(() -> seen.set(MDC.get(LogContext.HOST)));
                assertThat(seen.get()).isEqualTo("ms1");
            });
        } finally {
            pool.shutdown();
        }
    }
}
