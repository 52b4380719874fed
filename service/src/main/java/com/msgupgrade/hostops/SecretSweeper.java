package com.msgupgrade.hostops;

import com.msgupgrade.inventory.Host;
import com.msgupgrade.observability.LogContext;
import com.msgupgrade.rollout.RolloutRepository;
import com.msgupgrade.ssh.RemoteShell;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.camunda.bpm.engine.RuntimeService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Lazy;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Removes the secret files that a run's own end did not: a run's wrapper removes its secret when the command ends,
 * and a timeout's stop removes it too, but a step can end without either. The host rebooted (or its connection was
 * lost) while the command ran, and an operator then aborted the rollout or marked the step done; or the rollout was
 * aborted, or its process cancelled, while the step waited. Nothing launches on that host again in the rollout, so
 * the next launch's clean-up ({@link DetachedRunner}) may never come. Every {@code msgsrv.runs.secret-sweep-interval},
 * each run given a secret that did not end as the service saw, whose HostStep instance is gone (nobody will launch
 * or wait for it any more), has its secret's files removed on its host unless its wrapper still runs; the ledger
 * records when they were found gone. A host that cannot be reached, or a run that still goes on (a command that
 * outlived its rollout's abort), is asked about again later, each time after twice the wait before, up to an hour.
 * Any node may sweep: removing twice is harmless.
 */
@Component
class SecretSweeper {

    private static final Logger log = LoggerFactory.getLogger(SecretSweeper.class);
    private static final Duration MAX_BACKOFF = Duration.ofHours(1);

    private final CommandLedger ledger;
    private final RolloutRepository rollouts;
    private final RemoteShell shell;
    private final RuntimeService runtime;
    private final Duration interval;
    /** Runs whose host could not be reached, or that still ran: when to ask again, and the wait before that. */
    private final Map<String, Backoff> later = new ConcurrentHashMap<>();

    private record Backoff(long nextNanos, Duration delay) {}

    SecretSweeper(CommandLedger ledger, RolloutRepository rollouts, RemoteShell shell, @Lazy RuntimeService runtime,
            @Value("${msgsrv.runs.secret-sweep-interval:PT1M}") Duration interval) {
        this.ledger = ledger;
        this.rollouts = rollouts;
        this.shell = shell;
        this.runtime = runtime;
        this.interval = interval;
    }

    @Scheduled(fixedDelayString = "${msgsrv.runs.secret-sweep-interval:PT1M}",
            initialDelayString = "${msgsrv.runs.secret-sweep-interval:PT1M}")
    void sweep() {
        for (CommandLedger.Run run : ledger.secretPossiblyLeft()) {
            Backoff backoff = later.get(run.runId());
            if ((backoff != null && System.nanoTime() < backoff.nextNanos()) || stepGoesOn(run)) {
                continue;
            }
            try (var r = MDC.putCloseable(LogContext.ROLLOUT, run.rolloutId());
                    var h = MDC.putCloseable(LogContext.HOST, run.host());
                    var s = MDC.putCloseable(LogContext.STEP, run.step())) {
                sweep(run);
            }
        }
    }

    /** Whether the run's HostStep instance is still there: it may launch the run, or re-attach to it. */
    private boolean stepGoesOn(CommandLedger.Run run) {
        return runtime.createProcessInstanceQuery().processInstanceId(HostStepProcess.instanceOfRun(run.runId()))
                .count() > 0;
    }

    private void sweep(CommandLedger.Run run) {
        try {
            Host host = rollouts.get(run.rolloutId()).deployment().host(run.host()).orElseThrow(
                    () -> new IllegalStateException("its rollout no longer names host " + run.host()));
            String runDir = DetachedRunner.runDir(host.workDir(), run.runId());
            try (RemoteShell.RemoteSession session = shell.open(HostStepService.endpoint(host))) {
                if (DetachedRunner.secretRemoved(session, runDir)) {
                    ledger.secretRemoved(run.runId());
                    later.remove(run.runId());
                    log.info("the secret files of run {} ({}) are gone from {}: its step ended without the run's end",
                            run.runId(), run.step(), run.host());
                } else {
                    log.debug("run {} still runs on {} (asking again in {}): its wrapper removes the secret when it"
                            + " ends", run.runId(), run.host(), askLater(run));
                }
            }
        } catch (RuntimeException e) {
            log.warn("could not remove the secret of run {} from {} (asking again in {}): {}", run.runId(), run.host(),
                    askLater(run), e.getMessage());
        }
    }

    /** Asks about the run again after twice the wait before (the sweep's interval at first), an hour at most. */
    private Duration askLater(CommandLedger.Run run) {
        Backoff before = later.get(run.runId());
        Duration wait = before == null ? interval : before.delay().multipliedBy(2);
        wait = wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
        later.put(run.runId(), new Backoff(System.nanoTime() + wait.toNanos(), wait));
        return wait;
    }
}
