package com.msgupgrade.hostops;

import com.msgupgrade.audit.AuditTrail;
import com.msgupgrade.catalog.HostCommand;
import com.msgupgrade.catalog.PatchConfigOutput;
import com.msgupgrade.catalog.StepCatalog;
import com.msgupgrade.catalog.StepId;
import com.msgupgrade.cluster.ClusterNode;
import com.msgupgrade.cluster.GracefulShutdown;
import com.msgupgrade.inventory.Deployment;
import com.msgupgrade.inventory.Host;
import com.msgupgrade.observability.LogContext;
import com.msgupgrade.rollout.Rollout;
import com.msgupgrade.rollout.RolloutRepository;
import com.msgupgrade.secrets.SecretResolver;
import com.msgupgrade.ssh.CommandResult;
import com.msgupgrade.ssh.HostEndpoint;
import com.msgupgrade.ssh.RemoteShell;
import com.msgupgrade.ssh.RemoteShell.RemoteSession;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Service;

/**
 * Runs one step of the guide on one host: checks whether its effect is already there, runs its
 * command (detached under a run id when it changes the host), waits a little for it, and judges the
 * result. Every command is recorded in the audit trail with its exit code and output hash.
 */
@Service
public class HostStepService {

    private static final Logger log = LoggerFactory.getLogger(HostStepService.class);
    static final int EXCERPT_CHARS = 2000;
    static final String SYSTEM = "system";

    private final RolloutRepository rollouts;
    private final StepCatalog catalog;
    private final RemoteShell shell;
    private final SecretResolver secrets;
    private final CommandLedger ledger;
    private final AuditTrail audit;
    private final CommandWatcher watcher;
    private final com.msgupgrade.observability.UpgradeMetrics metrics;
    private final HostStepSettings settings;
    private final ClusterNode node;
    private final GracefulShutdown shutdown;

    HostStepService(RolloutRepository rollouts, StepCatalog catalog, RemoteShell shell, SecretResolver secrets,
            CommandLedger ledger, AuditTrail audit, CommandWatcher watcher,
            com.msgupgrade.observability.UpgradeMetrics metrics, HostStepSettings settings, ClusterNode node,
            GracefulShutdown shutdown) {
        this.metrics = metrics;
        this.settings = settings;
        this.node = node;
        this.shutdown = shutdown;
        this.rollouts = rollouts;
        this.catalog = catalog;
        this.shell = shell;
        this.secrets = secrets;
        this.ledger = ledger;
        this.audit = audit;
        this.watcher = watcher;
    }

    /** The identity of one attempt of one step; the run id is stable across re-executions of the job. */
    public record StepRequest(String rolloutId, String hostName, StepId step, int attempt, String runId,
            String peerHostName, String stepInstanceId) {

        /** The request for an earlier attempt's run, which a retry re-attaches to: that run's id and attempt. */
        StepRequest withRunId(String earlierRunId) {
            return new StepRequest(rolloutId, hostName, step, HostStepProcess.attemptOfRun(earlierRunId), earlierRunId,
                    peerHostName, stepInstanceId);
        }
    }

    /** Starts (or re-attaches to) the step's run and waits up to the quick-wait for it. */
    public StepOutcome run(StepRequest request) {
        try (var ignored = mdc(request)) {
            Context ctx = context(request);
            Optional<CommandLedger.Run> known = ledger.find(request.runId());
            if (known.isEmpty()) {
                // an operator's retry after the host was lost while an earlier attempt's command ran: that run
                // is re-attached, never started a second time
                Optional<CommandLedger.Run> earlier = ledger.unfinishedEarlierRun(request.runId());
                if (earlier.isPresent()) {
                    request = request.withRunId(earlier.get().runId());
                    known = earlier;
                }
            }
            if (known.isPresent() && known.get().state() == CommandLedger.State.FINISHED) {
                // judged before (the job run again): its outcome stands, whether the host answers now or not
                return recorded(request, known.get());
            }
            try (RemoteSession session = shell.open(ctx.endpoint())) {
                if (known.isPresent()) {
                    log.info("re-attaching to run {} of step {} on {}", request.runId(), request.step().id(),
                            request.hostName());
                    return awaitRun(session, ctx, request, known.get().launchedAt());
                }
                if (ctx.command().check() != null && alreadyDone(session, ctx, request)) {
                    return new StepOutcome(StepOutcome.State.SKIPPED, request.runId(), null, null, List.of());
                }
                if (!ctx.command().mutating()) {
                    return runReadOnly(session, ctx, request);
                }
                return launch(session, ctx, request);
            }
        }
    }

    /** Has the shell start connecting to the host ahead of the step's job ({@link RemoteShell#connectAhead}). */
    public void connectAhead(String rolloutId, String hostName) {
        try {
            rollouts.get(rolloutId).deployment().host(hostName).ifPresent(host -> shell.connectAhead(endpoint(host)));
        } catch (RuntimeException e) {
            log.debug("not connecting ahead to {}: {}", hostName, e.toString()); // the step's job will say
        }
    }

    /** Polls a run started earlier (a durable wait ended) without starting anything. */
    public StepOutcome check(StepRequest request) {
        try (var ignored = mdc(request)) {
            Context ctx = context(request);
            CommandLedger.Run run = ledger.find(request.runId()).orElseThrow(() -> new IllegalStateException(
                    "no run " + request.runId() + " in the command ledger for " + request.step().id()));
            if (run.state() == CommandLedger.State.FINISHED) {
                // judged before (the job run again): its outcome stands, whether the host answers now or not; a
                // failure to reach it would have an operator decide on a step whose command ran, and retry it
                return recorded(request, run);
            }
            Optional<DetachedRunner.Ended> seen = run.state() == CommandLedger.State.LAUNCHED
                    ? watcher.ended(request.runId()) : Optional.empty();
            if (seen.isPresent()) {
                // this node saw the run end on the channel that launched it, output and exit status included
                log.debug("run {} ended (exit {}), as its launch channel answered", request.runId(),
                        seen.get().exitCode());
                return judge(ctx.recordedAs(run), request, seen.get(), run.launchedAt());
            }
            try (RemoteSession session = shell.open(ctx.endpoint())) {
                return awaitRun(session, ctx, request, run.launchedAt());
            }
        }
    }

    private boolean alreadyDone(RemoteSession session, Context ctx, StepRequest request) {
        HostCommand.Check check = ctx.command().check();
        Instant started = Instant.now();
        CommandResult result = session.exec(check.commandLine(), null);
        boolean done = result.exitCode() == 0 && check.alreadyDone().test(result.stdout())
                && !takesBackWhatThisRolloutDid(request) && !retriedAfterItsOwnFailure(ctx, request);
        recordCommand(ctx, request, "CHECK", check.commandLine(), result.exitCode(), done ? "ALREADY_DONE" : "TO_DO",
                started, mask(ctx, result.stdout(), result.stderr()), shownSha(ctx, result.stdoutSha256(),
                        result.stdout()), null, () -> {});
        if (done) {
            metrics.stepEnded(request.step().id(), "ALREADY_DONE", Duration.between(started, Instant.now()));
            log.info("step {} on {} already done ({}): not run again", request.step().id(), request.hostName(),
                    check.description());
        }
        return done;
    }

    /**
     * Whether this rollout did, on the host, the step this one takes back ({@link StepId#undoes}), and nothing took it
     * back since: then the step is to run, whatever its check reads on the host (a configutil after install-newconfig
     * changed the msg.conf it compares). Done as its audit trail records it: its command succeeded, or it was found
     * done (installed by hand before a retry) or marked done, none of which the ledger shows as a run that succeeded.
     */
    private boolean takesBackWhatThisRolloutDid(StepRequest request) {
        String step = request.step().id();
        return request.step().undoes().flatMap(undone -> audit.lastDone(request.rolloutId(), request.hostName(),
                List.of(undone.id(), step))).filter(last -> !last.equals(step)).isPresent();
    }

    /** A retry of a step that runs whole after its own failed run ({@link StepCatalog#runsWholeAfterItsOwnFailure}). */
    private boolean retriedAfterItsOwnFailure(Context ctx, StepRequest request) {
        return catalog.runsWholeAfterItsOwnFailure(request.step(), ctx.host())
                && ledger.lastEnded(request.rolloutId(), request.hostName(), List.of(request.step().id()), false)
                        .filter(last -> !"SUCCEEDED".equals(last.outcome())).isPresent();
    }

    private StepOutcome runReadOnly(RemoteSession session, Context ctx, StepRequest request) {
        log.debug("running {} on {}: {}", request.step().id(), request.hostName(), ctx.command().commandLine());
        Instant started = Instant.now();
        CommandResult result = session.exec(ctx.command().commandLine(), null);
        return judge(ctx, request, result.exitCode(), mask(ctx, result.stdout(), result.stderr()),
                shownSha(ctx, result.stdoutSha256(), result.stdout()), started);
    }

    /**
     * The hosts' work directories found to be the connecting user's only (DetachedRunner): checked again after a
     * restart, not at every launch (the check is a few processes on the host, at every changing command).
     */
    private final java.util.Set<String> checkedWorkDirs = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Whether this launch checks the host's work directory (its first since the service started). */
    private boolean workDirToCheck(Context ctx) {
        return !checkedWorkDirs.contains(workDirKey(ctx));
    }

    private static String workDirKey(Context ctx) {
        return ctx.host().address() + ":" + ctx.host().sshPort() + ":" + ctx.host().sshUser() + ":"
                + ctx.host().workDir();
    }

    private StepOutcome launch(RemoteSession session, Context ctx, StepRequest request) {
        String runDir = DetachedRunner.runDir(ctx.host().workDir(), request.runId());
        String secret;
        try {
            secret = secretOf(ctx);
        } catch (SecretResolver.SecretUnavailableException e) {
            return secretUnavailable(ctx, request, e);
        }
        ledger.prepared(request.runId(), request.rolloutId(), request.hostName(), request.step().id(),
                request.attempt(), ctx.command().commandLine(), node.id(), ctx.command().secretName(),
                JobFence.current());
        RemoteShell.Started launch = DetachedRunner.launchAndWait(session, runDir, ctx.command().commandLine(),
                secret, workDirToCheck(ctx));
        boolean watching = false;
        try {
            boolean started;
            try {
                started = DetachedRunner.started(launch);
            } catch (DetachedRunner.OtherRunGoesOnException e) {
                return heldBack(ctx, request, e);
            }
            checkedWorkDirs.add(workDirKey(ctx));
            if (started) {
                recordLaunch(ctx, request, true); // in the trail before the ledger says launched (as a run's end)
            }
            ledger.launched(request.runId());
            log.info("{} run {} of step {} on {}: {}", started ? "started" : "attached to", request.runId(),
                    request.step().id(), request.hostName(), ctx.command().commandLine());
            if (started && watcher.enabled() && !shutdown.isDraining()) {
                // the job ends here, its thread and connection free while the command runs; the launch's channel
                // closes when the run ends, and the watcher then has the step checked at once
                watcher.watch(request.stepInstanceId(), request.runId(), launch, settings.timeoutOf(ctx.command()));
                watching = true;
                return StepOutcome.watched(request.runId());
            }
            return awaitRun(session, ctx, request, Instant.now());
        } finally {
            if (!watching) {
                launch.close();
            }
        }
    }

    /** Looks once at a launched run: judged when it ended, stopped when past its timeout, else still running. */
    private StepOutcome awaitRun(RemoteSession session, Context today, StepRequest request, Instant launchedAt) {
        String runDir = DetachedRunner.runDir(today.host().workDir(), request.runId());
        Optional<CommandLedger.Run> known = ledger.find(request.runId());
        if (known.isPresent() && known.get().state() == CommandLedger.State.FINISHED) {
            return recorded(request, known.get());
        }
        // the run is the command its ledger row recorded, launched, judged and audited as such
        Context ctx = known.map(today::recordedAs).orElse(today);
        if (ctx != today) {
            log.warn("run {} of step {} on {} is the command recorded in the ledger, not today's rendering of it: {}",
                    request.runId(), request.step().id(), request.hostName(), ctx.command().commandLine());
        }
        if (known.isPresent() && known.get().state() == CommandLedger.State.PREPARED) {
            // the previous attempt died between writing the ledger and launching: launch now (guarded on the host),
            // unless this job was taken from this thread meanwhile
            ledger.stillHeld(JobFence.current());
            try {
                // recorded whoever launched it: the attempt that died may have launched it before it could record it
                recordLaunch(ctx, request, DetachedRunner.launch(session, runDir, ctx.command().commandLine(),
                        secretOf(ctx), workDirToCheck(ctx)));
            } catch (DetachedRunner.OtherRunGoesOnException e) {
                // the earlier attempt may have written the run's secret before it died: nothing will launch this run
                DetachedRunner.secretRemoved(session, runDir);
                return heldBack(ctx, request, e);
            }
            checkedWorkDirs.add(workDirKey(ctx));
            ledger.launched(request.runId());
        }
        Instant since = launchedAt == null ? Instant.now() : launchedAt;
        Duration timeout = settings.timeoutOf(ctx.command());
        Optional<DetachedRunner.Ended> ended;
        try {
            ended = DetachedRunner.ended(session, runDir);
        } catch (DetachedRunner.RunLostException e) {
            return lost(ctx, request, e, since);
        }
        if (ended.isPresent()) {
            return judge(ctx, request, ended.get(), since);
        }
        if (Duration.between(since, Instant.now()).compareTo(timeout) > 0) {
            DetachedRunner.Stop stop = DetachedRunner.kill(session, runDir);
            java.util.List<String> still = stop.stillRunning();
            if (stop.alreadyEnded()) {
                // the command ended on its own between the look above and the kill, which signalled nothing: its own
                // exit status is the answer, not the timeout (a retry of a command that succeeded would run it again);
                // its wrapper may still be writing it (the next look reads it), or the host restarted meanwhile (lost)
                try {
                    Optional<DetachedRunner.Ended> endedMeanwhile = DetachedRunner.ended(session, runDir);
                    if (endedMeanwhile.isPresent()) {
                        return judge(ctx, request, endedMeanwhile.get(), since);
                    }
                    if (Duration.between(since, Instant.now()).compareTo(timeout.plus(WRAPPER_GRACE)) > 0) {
                        // the wrapper writes the status within milliseconds of its command's end: long past that, a
                        // pid the run recorded passes for alive because another process took it, and looking again
                        // would say the same for ever; the run is marked ended on the host, which would otherwise hold
                        // every later launch there back as long as that process lives
                        DetachedRunner.markEnded(session, runDir, DetachedRunner.GONE_EXIT_STATUS);
                        return failed(ctx, request, -1, "timed out after " + timeout + "; its command is gone, yet no"
                                + " exit status was written and a process id the run recorded is alive (another"
                                + " process's since?); the run is marked ended on the host (exit status "
                                + DetachedRunner.GONE_EXIT_STATUS + "): check the host before deciding (a retry would"
                                + " run the command again)", "", null, since);
                    }
                    return StepOutcome.running(request.runId());
                } catch (DetachedRunner.RunLostException e) {
                    return lost(ctx, request, e, since);
                }
            }
            return failed(ctx, request, -1, still.isEmpty() ? "timed out after " + timeout + " and was stopped"
                    : "timed out after " + timeout + "; processes " + String.join(" ", still) + " of the run did not"
                    + " stop (TERM, then KILL): check the host before deciding (a retry would run the command again)",
                    "", null, since);
        }
        // the durable timer takes over; the command runs on
        return StepOutcome.running(request.runId());
    }

    /** How long after a run's timeout its wrapper may still be writing the exit status of a command that ended. */
    static final Duration WRAPPER_GRACE = Duration.ofSeconds(30);

    /** The run was not launched: another run goes on on the host, which must end before anything else changes it. */
    private StepOutcome heldBack(Context ctx, StepRequest request, DetachedRunner.OtherRunGoesOnException e) {
        return failed(ctx, request, -1, e.getMessage() + " (a command an earlier rollout or attempt left running when"
                + " its connection was lost): let it end, or stop it, then retry; this step's command did not run", "",
                null, Instant.now());
    }

    /** The step's secret cannot be had: the command is not launched, and the operator decides (a retry, once set). */
    private StepOutcome secretUnavailable(Context ctx, StepRequest request, SecretResolver.SecretUnavailableException e) {
        return failed(ctx, request, -1, e.getMessage() + "; this step's command did not run: configure the secret, then"
                + " retry", "", null, Instant.now());
    }

    /** Nothing will ever end the run: it failed into the operator's decision, whether its command ran unknown. */
    private StepOutcome lost(Context ctx, StepRequest request, DetachedRunner.RunLostException e, Instant since) {
        return failed(ctx, request, -1, e.getMessage() + ": whether the command ran is unknown; look at the host before"
                + " deciding", "", null, since);
    }

    private StepOutcome judge(Context ctx, StepRequest request, DetachedRunner.Ended ended, Instant launchedAt) {
        CommandResult output = ended.output();
        return judge(ctx, request, ended.exitCode(), mask(ctx, output.stdout()), shownSha(ctx, output.stdoutSha256(),
                output.stdout()),
                launchedAt == null ? Instant.now() : launchedAt);
    }

    private StepOutcome judge(Context ctx, StepRequest request, int exitCode, String output, String sha256,
            Instant started) {
        if (!ctx.command().exitOk(exitCode)) {
            return failed(ctx, request, exitCode, "exit code " + exitCode, output, sha256, started);
        }
        Optional<String> problem = ctx.command().verify().apply(output);
        if (problem.isPresent()) {
            return failed(ctx, request, exitCode, "verification failed: " + problem.get(), output, sha256, started);
        }
        finish(ctx, request, exitCode, "SUCCEEDED", null, output, sha256, started);
        return new StepOutcome(StepOutcome.State.DONE, request.runId(), exitCode, null, findings(request.step(), output));
    }

    /** What a step's output shows the people deciding next: patch-config's conflicts, the configurations' diff. */
    private static List<String> findings(StepId step, String output) {
        return switch (step) {
            case PATCH_CONFIG -> PatchConfigOutput.conflicts(output);
            case COMPARE_CONFIGURATIONS -> List.of(excerpt(output));
            default -> List.of();
        };
    }

    /**
     * A run judged before, whose job is run again (its transaction failed to commit after the judgement, which the
     * ledger and the audit trail keep, each committed on its own): the recorded outcome, without asking the host
     * again (its run directory may be gone by now) nor recording the command a second time; the findings read from
     * the output's excerpt the ledger keeps (its head and its end).
     */
    private StepOutcome recorded(StepRequest request, CommandLedger.Run run) {
        String output = run.outputExcerpt() == null ? "" : run.outputExcerpt();
        log.info("run {} of step {} on {} was judged before ({}): its recorded outcome stands", run.runId(),
                request.step().id(), request.hostName(), run.outcome());
        if ("SUCCEEDED".equals(run.outcome())) {
            // an excerpt cut in the middle may have lost conflict lines: SKIPPED leaves patch-config's conflicts
            // unknown, and its new configuration is reviewed (PatchConfigReview)
            boolean whole = output.length() <= EXCERPT_CHARS;
            return new StepOutcome(whole || request.step() != StepId.PATCH_CONFIG ? StepOutcome.State.DONE
                    : StepOutcome.State.SKIPPED, request.runId(), run.exitCode(), null, findings(request.step(), output));
        }
        return new StepOutcome(StepOutcome.State.FAILED, request.runId(), run.exitCode(), "Step '"
                + request.step().title() + "' (" + request.step().id() + ") failed on host " + request.hostName()
                + ": exit code " + run.exitCode() + " (" + run.outcome() + ", as recorded when it was judged)\n"
                + output, List.of());
    }

    private StepOutcome failed(Context ctx, StepRequest request, int exitCode, String reason, String output,
            String sha256, Instant started) {
        finish(ctx, request, exitCode, "FAILED", reason, output, sha256, started);
        String failure = "Step '" + request.step().title() + "' (" + request.step().id() + ") failed on host "
                + request.hostName() + ": " + reason + "\nCommand: " + ctx.command().commandLine() + "\n"
                + excerpt(output);
        log.warn("step {} failed on {}: {}", request.step().id(), request.hostName(), reason);
        return new StepOutcome(StepOutcome.State.FAILED, request.runId(), exitCode, failure, List.of());
    }

    private void finish(Context ctx, StepRequest request, int exitCode, String outcome, String failure, String output,
            String sha256, Instant started) {
        Duration took = Duration.between(started, Instant.now());
        if (!ctx.command().mutating()) {
            recordCommand(ctx, request, "COMMAND", ctx.command().commandLine(), exitCode, outcome, started, output,
                    sha256, failure, () -> {});
            metrics.stepEnded(request.step().id(), outcome, took); // a read judged again is read again: counted then
            return;
        }
        // the entry and the ledger's judgement in one transaction: a stop before it commits leaves the run to be
        // judged, and recorded, by the next try; after it, the next try finds the outcome (recorded()) and records
        // nothing. Counted as it commits, once, whatever becomes of the job's transaction
        recordCommand(ctx, request, "COMMAND", ctx.command().commandLine(), exitCode, outcome, started, output,
                sha256, failure, () -> ledger.finished(request.runId(), exitCode, outcome, excerpt(output), sha256));
        metrics.stepEndedCommitted(request.step().id(), outcome, took);
    }

    /**
     * A changing command started on the host: in the audit trail at once, so that what ran where is there even if the
     * step never sees the run end (its host lost, the step then marked done). Its end is the {@code COMMAND} entry. A
     * try that stopped between the launch and the ledger's record of it leaves the next try to record it (it may then
     * be in the trail twice, the second time as found started).
     */
    private void recordLaunch(Context ctx, StepRequest request, boolean startedNow) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("runId", request.runId());
        detail.put("launch", startedNow ? "started" : "found started (an earlier try of the step launched it and"
                + " stopped before it could record it)");
        detail.put("attempt", request.attempt());
        detail.put("address", ctx.host().address());
        detail.put("command", ctx.command().commandLine());
        detail.put("node", node.id());
        detail.put("launchedAt", Instant.now().toString());
        if (ctx.command().secretName() != null) {
            detail.put("secret", ctx.command().secretName());
        }
        audit.recordCommitted(request.rolloutId(), SYSTEM, "COMMAND_LAUNCHED", request.hostName(), request.step().id(),
                detail);
    }

    /**
     * A step that failed without its run being judged, in the trail under {@code kind}: it could not reach its host
     * ({@code HOST_UNREACHABLE}), or the host answered the handling of its run with an error ({@code HOST_ERROR}); with
     * its run as the ledger knows it. A run prepared and not known to have started may still have started (the
     * connection lost between the launch and its answer): what ran where must be in the trail even if the operator
     * then marks the step done or aborts.
     */
    void recordNotJudged(StepRequest request, String kind, String outcome, String reason) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("runId", request.runId());
        detail.put("attempt", request.attempt());
        detail.put("outcome", outcome);
        detail.put("failure", reason);
        // an operator's retry re-attaches to an earlier attempt's run that did not end: that is the run it could not reach
        ledger.find(request.runId()).or(() -> ledger.unfinishedEarlierRun(request.runId())).ifPresent(run -> {
            detail.put("runId", run.runId());
            detail.put("attempt", run.attempt());
            detail.put("command", run.commandLine());
            detail.put("run", switch (run.state()) {
                case PREPARED -> "prepared, not known to have started: the launch may have reached the host before"
                        + " the connection was lost (look at the run's directory on the host before deciding)";
                case LAUNCHED -> "launched, its end not seen";
                case FINISHED -> "ended (" + run.outcome() + ")";
            });
            if (run.secretName() != null) {
                // its secret's file may be on the host: the sweeper removes it once the host answers
                detail.put("secret", run.secretName());
            }
        });
        audit.recordCommitted(request.rolloutId(), SYSTEM, kind, request.hostName(), request.step().id(), detail);
    }

    private void recordCommand(Context ctx, StepRequest request, String kind, String commandLine, int exitCode,
            String outcome, Instant started, String output, String sha256, String failure, Runnable alsoWritten) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("runId", request.runId());
        detail.put("attempt", request.attempt());
        detail.put("address", ctx.host().address());
        detail.put("command", commandLine);
        detail.put("exitCode", exitCode);
        detail.put("outcome", outcome);
        detail.put("startedAt", started.toString());
        detail.put("endedAt", Instant.now().toString());
        detail.put("outputExcerpt", excerpt(output));
        detail.put("outputSha256", sha256 == null ? "" : sha256);
        if (ctx.command().secretName() != null) {
            detail.put("secret", ctx.command().secretName());
        }
        if (failure != null) {
            detail.put("failure", failure); // why: its exit code, a verification, a timeout, a lost or held-back run
        }
        // committed on its own: the command ran on the host whatever becomes of the job's transaction, and the
        // rollout's audit lock is not held while the job goes on waiting for the host
        audit.recordCommitted(request.rolloutId(), SYSTEM, kind, request.hostName(), request.step().id(), detail,
                alsoWritten);
    }

    /** The value of the step's secret, resolved only here, at the host action; null when it has none. */
    private String secretOf(Context ctx) {
        return ctx.command().secretName() == null ? null : secrets.resolve(ctx.command().secretName());
    }

    /**
     * A secret never leaves in output even if a tool echoed it: each part masked on its own, where one kept up to
     * the output limit may end with the start of a secret that was cut there.
     */
    private String mask(Context ctx, String... parts) {
        StringBuilder masked = new StringBuilder();
        String secret;
        try {
            java.util.Optional<String> found = ctx.command().secretName() == null ? java.util.Optional.empty()
                    : secrets.find(ctx.command().secretName());
            if (ctx.command().secretName() != null && found.isEmpty()) {
                // removed from the configuration while the command ran, or not configured on this node
                return withheld("the secret " + ctx.command().secretName() + " is no longer configured");
            }
            secret = found.filter(value -> !value.isEmpty()).orElse(null);
        } catch (SecretResolver.SecretUnavailableException e) {
            return withheld(e.getMessage());
        }
        for (String part : parts) {
            // the configurations' credentials, which their files keep in clear
            String text = ctx.command().step() == StepId.COMPARE_CONFIGURATIONS
                    ? com.msgupgrade.catalog.SettingsMask.masked(part) : part;
            masked.append(secret == null ? text : withoutSecret(text, secret));
        }
        return masked.toString();
    }

    /** The command ran; what it wrote cannot be masked, so none of it is kept. */
    private static String withheld(String why) {
        return "(the output is withheld: " + why + ", so a secret in it could not be masked)";
    }

    /**
     * The output's hash, unless the step's secret was in its kept part (masked there) or could not be read to look
     * for it: a hash of an output holding the secret would let guesses at the secret be tested against it offline.
     */
    private String shownSha(Context ctx, String sha256, String stdout) {
        if (ctx.command().secretName() == null || sha256 == null) {
            return sha256;
        }
        return mask(ctx, stdout).equals(stdout) ? sha256 : "";
    }

    /** The shortest start of a secret taken for one where a text ends with it (a shorter one is ordinary text). */
    static final int SECRET_START_MASKED = 4;

    /**
     * {@code text} with every occurrence of the secret masked, and its start where the text ends with one (after
     * the replacement characters of a multi-byte character the output limit cut).
     */
    static String withoutSecret(String text, String secret) {
        String masked = text.replace(secret, "****");
        int end = masked.length();
        while (end > 0 && masked.charAt(end - 1) == '\uFFFD') {
            end--;
        }
        String kept = masked.substring(0, end);
        for (int length = secret.length() - 1; length >= SECRET_START_MASKED; length--) {
            if (kept.endsWith(secret.substring(0, length))) {
                return kept.substring(0, kept.length() - length) + "****";
            }
        }
        return masked;
    }

    static String excerpt(String output) {
        if (output == null) {
            return "";
        }
        return output.length() <= EXCERPT_CHARS ? output
                : output.substring(0, EXCERPT_CHARS / 2) + "\n…\n" + output.substring(output.length() - EXCERPT_CHARS / 2);
    }

    private Context context(StepRequest request) {
        Rollout rollout = rollouts.get(request.rolloutId());
        Deployment deployment = rollout.deployment();
        Host host = deployment.host(request.hostName()).orElseThrow(() -> new IllegalStateException(
                "host " + request.hostName() + " is not part of rollout " + request.rolloutId()));
        Host peer = request.peerHostName() == null ? null : deployment.host(request.peerHostName()).orElseThrow(
                () -> new IllegalStateException("host " + request.peerHostName() + " is not part of the rollout"));
        HostCommand command = catalog.render(request.step(), deployment, host, peer);
        if (request.step() == StepId.VERIFY_CURRENT_VERSION && peer != null) {
            // a cluster's standby before a node fails over to it: at the node's patch level, as the node reported it
            // (when the node's read was marked done by hand instead, the release alone is checked)
            HostCommand standbyVersion = command;
            command = audit.lastCommandOutput(request.rolloutId(), peer.name(), StepId.VERIFY_CURRENT_VERSION.id())
                    .map(nodeVersion -> StepCatalog.atPatchLevelOf(standbyVersion, peer.name(), nodeVersion))
                    .orElse(command);
        }
        return new Context(host, command, endpoint(host));
    }

    static HostEndpoint endpoint(Host host) {
        return new HostEndpoint(host.name(), host.address(), host.sshPort(), host.sshUser());
    }

    private record Context(Host host, HostCommand command, HostEndpoint endpoint) {

        /** The same step with the command line its run was recorded with (the settings may have changed since). */
        Context recordedAs(CommandLedger.Run run) {
            return run.commandLine() == null || run.commandLine().equals(command.commandLine()) ? this
                    : new Context(host, command.withCommandLine(run.commandLine()), endpoint);
        }
    }

    private static MdcScope mdc(StepRequest r) {
        return new MdcScope(r);
    }

    /** Names the rollout, host and step in the log lines written inside it; puts back what was there before. */
    private static final class MdcScope implements AutoCloseable {
        private static final List<String> KEYS = List.of(LogContext.ROLLOUT, LogContext.HOST, LogContext.STEP);
        private final Map<String, String> before = new LinkedHashMap<>();

        MdcScope(StepRequest r) {
            KEYS.forEach(key -> before.put(key, MDC.get(key)));
            MDC.put(LogContext.ROLLOUT, r.rolloutId());
            MDC.put(LogContext.HOST, r.hostName());
            MDC.put(LogContext.STEP, r.step().id());
        }

        @Override
        public void close() {
            before.forEach(LogContext::set);
        }
    }
}
