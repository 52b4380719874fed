package com.msgupgrade.hostops;

import com.msgupgrade.TimerWakeUp;
import com.msgupgrade.ssh.CommandResult;
import com.msgupgrade.ssh.RemoteShell;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Watches the launch channels of detached commands (DetachedRunner#launchAndWait), so that a step's job does not
 * hold a job thread and a database connection while its command runs: the job launches the command and hands
 * over to HostStep's durable timer; when the channel closes (the command ended, or the connection was lost),
 * the timer is made due and the job executor told, and the step's check runs at once. The channel brings the
 * run's output and exit status with it when the run ended; the check takes them from here when it runs on this
 * node ({@link #ended}), instead of asking the host again. A channel still open
 * after {@code msgsrv.runs.quick-wait}, or after the command's timeout if that is shorter, is closed (the
 * command runs on, detached) and the step checked all the same: it then polls at the poll interval, and stops
 * a command past its timeout. Nothing depends on the watcher for correctness: a wake-up lost to a crash only
 * means the timer fires at its own time, on whichever node.
 */
@Component
public class CommandWatcher {

    private static final Logger log = LoggerFactory.getLogger(CommandWatcher.class);

    private final Duration window;
    private final JdbcTemplate jdbc;
    private final TimerWakeUp timers;
    private final Map<String, Watched> watched = new ConcurrentHashMap<>();
    /** Runs seen to end on their launch channel, by run id, until their step's check takes them. */
    private final Map<String, Seen> ended = new ConcurrentHashMap<>();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(daemon("command-watcher"));
    private final ExecutorService wakeUps = Executors.newFixedThreadPool(2, daemon("command-wake-up"));
    private volatile boolean stopped;

    /** @param mdc the rollout, host and step of the launching job's log lines, for the wake-up's */
    private record Watched(String stepInstanceId, String runId, RemoteShell.Started launch, long until,
            Map<String, String> mdc) {}

    private record Seen(DetachedRunner.Ended ended, long at) {}

    /** How long a run seen to end waits for its check here: a check that went to another node never comes. */
    private static final long KEEP_SEEN_NANOS = TimeUnit.MINUTES.toNanos(10);

    CommandWatcher(@Value("${msgsrv.runs.quick-wait}") Duration window, JdbcTemplate jdbc, TimerWakeUp timers) {
        this.window = window;
        this.jdbc = jdbc;
        this.timers = timers;
        loop.scheduleWithFixedDelay(this::checkAll, 10, 10, TimeUnit.MILLISECONDS);
    }

    /** Whether launches are watched at all ({@code msgsrv.runs.quick-wait} is not zero). */
    boolean enabled() {
        return !window.isZero() && !window.isNegative() && !stopped;
    }

    /**
     * Watches the launch of the run that the HostStep instance {@code stepInstanceId} started, for the quick wait
     * or the command's {@code timeout} if shorter, once the current transaction (the one that arms the step's
     * timer) has committed; closes it if that transaction rolls back.
     */
    void watch(String stepInstanceId, String runId, RemoteShell.Started launch, Duration timeout) {
        Duration watchFor = timeout.compareTo(window) < 0 ? timeout : window;
        Map<String, String> mdc = MDC.getCopyOfContextMap();
        Watched w = new Watched(stepInstanceId, runId, launch, System.nanoTime() + watchFor.toNanos(),
                mdc == null ? Map.of() : mdc);
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            watched.put(stepInstanceId, w);
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                if (status == STATUS_COMMITTED && !stopped) {
                    watched.put(stepInstanceId, w);
                } else {
                    close(launch);
                }
            }
        });
    }

    /**
     * How the run ended, as its launch channel told this node, once (the caller judges it); empty when this node did
     * not see it end.
     */
    Optional<DetachedRunner.Ended> ended(String runId) {
        return Optional.ofNullable(ended.remove(runId)).map(Seen::ended);
    }

    private void checkAll() {
        long now = System.nanoTime();
        ended.values().removeIf(seen -> now - seen.at() > KEEP_SEEN_NANOS);
        for (Watched w : watched.values()) {
            boolean closed;
            try {
                Optional<CommandResult> result = w.launch().awaitExit(Duration.ZERO, () -> true);
                result.flatMap(DetachedRunner::endedOnLaunch)
                        .ifPresent(run -> ended.put(w.runId(), new Seen(run, System.nanoTime())));
                closed = result.isPresent();
            } catch (RuntimeException e) {
                closed = true; // the connection was lost: the step's check finds out how the run stands
                MDC.setContextMap(w.mdc());
                try {
                    log.info("lost the launch channel of run {} ({}): the step's check asks the host how it stands",
                            w.runId(), e.getMessage());
                } finally {
                    MDC.clear();
                }
            }
            if (closed || System.nanoTime() > w.until()) {
                watched.remove(w.stepInstanceId());
                close(w.launch());
                wakeUps.execute(() -> {
                    MDC.setContextMap(w.mdc());
                    try {
                        wake(w.stepInstanceId());
                    } finally {
                        MDC.clear();
                    }
                });
            }
        }
    }

    /** Makes the step's timer due now and tells the job executor, so that its check runs at once. */
    private void wake(String stepInstanceId) {
        try {
            jdbc.queryForList("SELECT ID_ FROM ACT_RU_JOB WHERE PROCESS_INSTANCE_ID_ = ? AND TYPE_ = 'timer'"
                    + " AND LOCK_OWNER_ IS NULL", String.class, stepInstanceId)
                    .forEach(job -> timers.wake(job, "HostStep " + stepInstanceId + " after its command ended"));
        } catch (RuntimeException e) {
            log.warn("could not wake HostStep {} after its command ended (its timer fires at its own time): {}",
                    stepInstanceId, e.getMessage());
        }
    }

    /** Stops watching (the node is stopping): commands run on, detached; their timers fire on the next node. */
    @PreDestroy
    public void stop() {
        stopped = true;
        loop.shutdownNow();
        wakeUps.shutdownNow();
        watched.values().forEach(w -> close(w.launch()));
        watched.clear();
        ended.clear();
    }

    private static void close(RemoteShell.Started launch) {
        try {
            launch.close();
        } catch (RuntimeException e) {
            // the channel is gone already
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
