package com.msgupgrade.rollout;

import com.msgupgrade.audit.AuditTrail;
import com.msgupgrade.web.InvalidRequestException;
import com.msgupgrade.web.NotFoundException;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Pause, resume and abort of a running rollout, and its failure policy. The models claim a slot before each host
 * starts ({@link #claim}, a cluster's hosts {@link #clusterMayStart} and {@link #claimInWindow}): {@code go},
 * {@code wait} (paused or busy: a durable wait), {@code window} (a cluster's host outside its change window) or
 * {@code skip} (aborting, blocked, or no change window left: nothing new starts). Hosts already running finish.
 */
@Component("rolloutControl")
public class RolloutControl {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RolloutControl.class);

    public static final String RUNNING = "RUNNING";
    public static final String PAUSED = "PAUSED";
    public static final String ABORTING = "ABORTING";

    private final JdbcTemplate jdbc;
    private final AuditTrail audit;
    private final int parallelism;
    private final SlotWakeUp slots;
    private final RolloutLock work;
    private final RolloutPlans plans;
    private final org.springframework.beans.factory.ObjectProvider<org.camunda.bpm.engine.RuntimeService> runtime;
    private final RolloutRepository rollouts;
    private final com.msgupgrade.approval.ApprovalSettings approvals;
    private final com.msgupgrade.OwnTransaction ownTransaction;

    RolloutControl(JdbcTemplate jdbc, AuditTrail audit,
            @org.springframework.beans.factory.annotation.Value("${msgsrv.rollout.parallelism:4}") int parallelism,
            SlotWakeUp slots, RolloutLock work, RolloutPlans plans,
            org.springframework.beans.factory.ObjectProvider<org.camunda.bpm.engine.RuntimeService> runtime,
            RolloutRepository rollouts, com.msgupgrade.approval.ApprovalSettings approvals,
            com.msgupgrade.OwnTransaction ownTransaction) {
        this.ownTransaction = ownTransaction;
        this.rollouts = rollouts;
        this.approvals = approvals;
        this.runtime = runtime;
        this.plans = plans;
        this.work = work;
        this.slots = slots;
        this.jdbc = jdbc;
        this.audit = audit;
        this.parallelism = com.msgupgrade.Settings.atLeast(parallelism, 1, "msgsrv.rollout.parallelism");
    }

    /**
     * Hosts in these states hold one of the rollout's slots: a host being rolled back too (its rollback's steps stop
     * it, and run without claiming again).
     */
    static final List<String> BUSY = List.of("STARTING", "RUNNING", "AWAITING_APPROVAL", "AWAITING_RISK_ACCEPTANCE",
            "AWAITING_REVIEW", "WAITING_DECISION", "AWAITING_CONFIG_MERGE", "ROLLBACK_REQUESTED",
            "AWAITING_ROLLBACK_APPROVAL", "AWAITING_DIRECTORY_RESTORE");

    /**
     * May this host start? {@code go} (and the host takes a slot), {@code wait} (paused, or the rollout has
     * {@code msgsrv.rollout.parallelism} hosts busy), {@code skip} (aborting; the stores its webmail reads or its
     * group's members not serving: BLOCKED; no change window left, for a host not of a cluster: NOT_STARTED, with
     * why). Serialized per rollout by a
     * lock (the rollout's work lock, {@link RolloutLock}), so two units never both take the last slot.
     * <p>
     * In the transaction of the job that asks, which is the one that created the units (UpgradeUnit's claim has no
     * job of its own): at a tier's start the hundred units of a phase claim one after another in one transaction,
     * the lock taken once, instead of a hundred jobs queueing for it on the job executor's threads while the
     * hosts that got a slot, and every writer of the audit trail, waited behind them. A claim is undone with the
     * transaction that asked; a host that already holds a slot goes again.
     */
    @Transactional
    public String claim(String rolloutId, String host) {
        work.hold(rolloutId);
        String control = control(rolloutId);
        if (ABORTING.equals(control)) {
            notStartedForTheAbort(rolloutId, host);
            return "skip";
        }
        if (PAUSED.equals(control)) {
            return "wait";
        }
        String busyStates = Rollout.sqlList(BUSY);
        // a slot is a host's, or a whole cluster's: its nodes one at a time with the standby they fail over to, the
        // standby patched last (busy from the first failover on)
        List<com.msgupgrade.inventory.Deployment.Group> clusters = plans.deployment(rolloutId).groups().stream()
                .filter(com.msgupgrade.inventory.Deployment.Group::formsACluster).toList();
        StringBuilder slotOf = new StringBuilder(clusters.isEmpty() ? "host_name" : "CASE");
        List<Object> args = new java.util.ArrayList<>();
        List<String> sharing = List.of(host);
        for (int i = 0; i < clusters.size(); i++) {
            List<String> hosts = clusters.get(i).membersAndStandby();
            slotOf.append(" WHEN host_name IN (").append(placeholders(hosts.size())).append(") THEN '#").append(i)
                    .append("'"); // no host's name begins with '#' (DeploymentValidator)
            args.addAll(hosts);
            sharing = hosts.contains(host) ? hosts : sharing;
        }
        if (!clusters.isEmpty()) {
            slotOf.append(" ELSE host_name END");
        }
        args.addAll(sharing);
        args.add(rolloutId);
        Map<String, Object> slots = jdbc.queryForMap("SELECT COUNT(DISTINCT CASE WHEN state IN " + busyStates
                + " THEN " + slotOf + " END) AS busy, COALESCE(MAX(CASE WHEN host_name IN (" + placeholders(sharing.size())
                + ") AND state IN " + busyStates + " THEN 1 ELSE 0 END), 0) AS holds FROM \"MSGSRV\".rollout_host"
                + " WHERE rollout_id = ?", args.toArray());
        if (((Number) slots.get("holds")).intValue() == 1) {
            return "go";
        }
        if (!momentLeft(rolloutId) && !inACluster(rolloutId, host)) {
            // its windows are over (or what is left of them lies in blackouts): nobody is asked to approve a host
            // that cannot start (a cluster's host: clusterMayStart and claimInWindow decide, the cluster as one)
            notStarted(rolloutId, host);
            return "skip";
        }
        List<String> notAt63 = storesNotAt63(rolloutId, host);
        if (!notAt63.isEmpty()) {
            block(rolloutId, host, readsOldStores(host, notAt63) + ", so " + host + " is left as it is; upgrade it once"
                    + " its stores are at 6.3");
            return "skip";
        }
        List<String> leftDown = groupMembersLeftDown(rolloutId, host);
        if (!leftDown.isEmpty()) {
            block(rolloutId, host, "its load-balanced group's " + String.join(", ", leftDown) + " may not be serving"
                    + " (the guide upgrades each instance while the others remain running), so " + host + " is not"
                    + " stopped; upgrade it once they serve again");
            return "skip";
        }
        if (((Number) slots.get("busy")).intValue() >= parallelism) {
            return "wait";
        }
        setState(rolloutId, host, "STARTING");
        return "go";
    }

    /**
     * The states in which a host of the rollout serves, or was never stopped: upgraded (and health-checked), rolled
     * back (started again), rejected, blocked or not started before anything ran. Any other state of an earlier
     * member (halted after its stop-msg, a rollback rejected, aborted mid-way) may have left it stopped.
     */
    static final List<String> SERVING_OR_UNTOUCHED = List.of("UPGRADED", "ROLLED_BACK", "REJECTED", "BLOCKED",
            "NOT_STARTED", "PENDING");

    /**
     * The other members of {@code host}'s load-balanced group that this rollout may have left stopped (not in
     * {@link #SERVING_OR_UNTOUCHED}), each with its state.
     */
    List<String> groupMembersLeftDown(String rolloutId, String host) {
        List<String> others = plans.deployment(rolloutId).groups().stream()
                .filter(g -> "load-balanced".equals(g.topology()) && g.members().contains(host))
                .flatMap(g -> g.members().stream()).filter(m -> !m.equals(host)).distinct().toList();
        if (others.isEmpty()) {
            return List.of();
        }
        List<Object> args = new java.util.ArrayList<>(List.of(rolloutId));
        args.addAll(others);
        args.addAll(SERVING_OR_UNTOUCHED);
        return jdbc.query("SELECT host_name, state FROM \"MSGSRV\".rollout_host WHERE rollout_id = ? AND host_name IN ("
                + placeholders(others.size()) + ") AND state NOT IN (" + placeholders(SERVING_OR_UNTOUCHED.size())
                + ") ORDER BY host_name",
                (rs, i) -> rs.getString("host_name") + " (" + rs.getString("state") + ")", args.toArray());
    }

    private static String placeholders(int count) {
        return String.join(",", java.util.Collections.nCopies(count, "?"));
    }

    private boolean inACluster(String rolloutId, String host) {
        return plans.deployment(rolloutId).groupOf(host).filter(com.msgupgrade.inventory.Deployment.Group::formsACluster)
                .isPresent();
    }

    private boolean momentLeft(String rolloutId) {
        return rollouts.changePolicy(rolloutId).momentLeft(java.time.Instant.now(), approvals.blackouts());
    }

    /** A host that does not start for want of a window: NOT_STARTED, why in the audit trail. */
    private void notStarted(String rolloutId, String host) {
        if (rollouts.hosts(rolloutId).stream().noneMatch(h -> h.host().equals(host) && !"NOT_STARTED".equals(h.state()))) {
            return; // not the rollout's (a standby at 6.3 already), or said already (a cluster's standby, after its nodes)
        }
        setState(rolloutId, host, "NOT_STARTED");
        audit.record(rolloutId, "system", "HOST_NOT_STARTED", host, null, Map.of("reason", NO_MOMENT_LEFT
                + ": nothing was changed on the host"));
    }

    /**
     * May a cluster's node or standby start its failover step now? As {@link #claim}; then, outside the rollout's
     * windows or in a blackout, {@code window}: the host waits (the cluster keeping its slot) for
     * {@code changeWindows.nextStart}, as a standalone host does before its {@code stop-msg}. When no moment is left,
     * a cluster not begun yet (none of its hosts past its claim) is not started, each host NOT_STARTED; one under way
     * goes on, recorded ({@code OUTSIDE_WINDOW}), rather than being left with nodes at two releases and the standby
     * at the nodes' old one.
     */
    @Transactional
    public String claimInWindow(String rolloutId, String host) {
        work.hold(rolloutId);
        // paused: it waits, whatever the windows (as claim answers); aborting: claim says skip
        if (RUNNING.equals(control(rolloutId)) && !momentLeft(rolloutId)) {
            List<String> cluster = plans.deployment(rolloutId).groupOf(host)
                    .map(com.msgupgrade.inventory.Deployment.Group::membersAndStandby).orElse(List.of(host));
            boolean begun = rollouts.hosts(rolloutId).stream().filter(h -> cluster.contains(h.host()))
                    .anyMatch(h -> !List.of("PENDING", "STARTING", "NOT_STARTED").contains(h.state()));
            if (!begun) {
                cluster.forEach(h -> notStarted(rolloutId, h));
                slots.wake(rolloutId, 1); // the cluster's slot is free
                return "skip";
            }
        }
        String slot = claim(rolloutId, host);
        if (!"go".equals(slot)) {
            return slot;
        }
        com.msgupgrade.approval.ChangePolicy policy = rollouts.changePolicy(rolloutId);
        java.time.Instant now = java.time.Instant.now();
        if (policy.open(now, approvals.blackouts())) {
            return "go";
        }
        if (policy.nextStart(now, approvals.blackouts()).isPresent()) {
            return "window";
        }
        audit.record(rolloutId, "system", "OUTSIDE_WINDOW", host, null, Map.of("reason", NO_MOMENT_LEFT + ", and its"
                + " cluster is under way: " + host + " goes on rather than leaving the cluster's nodes at two releases"));
        return "go";
    }

    /**
     * May an asymmetric-HA or N+1 cluster start? {@code skip} when the rollout is aborting, or when a host of the
     * cluster serves webmail that reads a store which did not reach 6.3: then every host of the cluster ends
     * {@code BLOCKED}. The guide upgrades such a cluster as one, each node failed over to the standby while it is
     * patched and the standby patched last "so it is at the same patch level as all the other nodes": a node left
     * at its release would have to fail over onto a standby at another one. Otherwise its first host claims a slot
     * ({@link #claim}: {@code go}, or {@code wait} while paused or busy) before the cluster asks for its approval,
     * as a standalone host does, so that the approval lets the cluster go at once; its later hosts go on with the
     * cluster's slot.
     */
    @Transactional
    public String clusterMayStart(String rolloutId, List<String> nodes, String standby) {
        work.hold(rolloutId);
        List<String> hosts = new java.util.ArrayList<>(nodes);
        if (standby != null) {
            hosts.add(standby);
        }
        if (ABORTING.equals(control(rolloutId))) {
            hosts.forEach(host -> notStartedForTheAbort(rolloutId, host));
            return "skip";
        }
        Map<String, List<String>> blocking = new java.util.LinkedHashMap<>();
        for (String host : hosts) {
            List<String> notAt63 = storesNotAt63(rolloutId, host);
            if (!notAt63.isEmpty()) {
                blocking.put(host, notAt63);
            }
        }
        if (blocking.isEmpty()) {
            if (RUNNING.equals(control(rolloutId)) && !momentLeft(rolloutId)) { // paused: claim answers wait
                hosts.forEach(host -> notStarted(rolloutId, host));
                return "skip";
            }
            return claim(rolloutId, hosts.get(0));
        }
        String why = String.join("; ", blocking.entrySet().stream()
                .map(e -> readsOldStores(e.getKey(), e.getValue())).toList());
        for (String host : hosts) {
            block(rolloutId, host, why + ". The cluster of " + String.join(", ", hosts) + " is upgraded as one, node"
                    + " by node through the standby, the standby last to the level of all the other nodes (guide, High"
                    + " Availability Clusters), so none of its hosts is started; upgrade it once those stores are at 6.3");
        }
        return "skip";
    }

    /**
     * At the rollout's end, however it ended: each cluster whose standby did not reach 6.3 while some of its nodes did
     * is recorded ({@code STANDBY_NOT_PATCHED}): those nodes must not fail over to the standby until it is patched
     * (guide: once 6.3 has used a configuration, avoid reverting to the 6.2p3 binaries).
     */
    @Transactional(propagation = org.springframework.transaction.annotation.Propagation.MANDATORY)
    public void recordUnpatchedStandbys(String rolloutId) {
        Map<String, String> states = new java.util.HashMap<>();
        jdbc.query("SELECT host_name, state FROM \"MSGSRV\".rollout_host WHERE rollout_id = ?",
                rs -> { states.put(rs.getString(1), rs.getString(2)); }, rolloutId);
        for (var g : plans.deployment(rolloutId).groups()) {
            if (!g.formsACluster() || "UPGRADED".equals(states.getOrDefault(g.standby(), "UPGRADED"))) {
                continue; // no standby, or at 6.3 (a standby the rollout left out was there before)
            }
            List<String> at63 = g.members().stream().filter(n -> "UPGRADED".equals(states.get(n))).sorted().toList();
            if (!at63.isEmpty()) {
                audit.record(rolloutId, "system", "STANDBY_NOT_PATCHED", g.standby(), null, Map.of("reason",
                        "the standby " + g.standby() + " of cluster " + g.name() + " was not patched ("
                        + states.get(g.standby()) + ") while " + String.join(", ", at63) + " of its nodes "
                        + (at63.size() == 1 ? "is" : "are") + " at 6.3: do not fail " + (at63.size() == 1 ? "it" : "them")
                        + " over to " + g.standby() + " until it is patched (guide: once 6.3 has used a configuration,"
                        + " avoid reverting to the 6.2p3 binaries)"));
            }
        }
    }

    private static String readsOldStores(String host, List<String> notAt63) {
        return host + " reads the Message Store of " + String.join(", ", notAt63) + ", which did not reach 6.3 in this"
                + " rollout: a Version 6.3 Webmail Server with an older back-end Message Store is not supported (guide"
                + " caution)";
    }

    private void setState(String rolloutId, String host, String state) {
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = ? WHERE rollout_id = ? AND host_name = ?", state,
                rolloutId, host);
    }

    /** A host the rollout reached while aborting: NOT_STARTED, as the trail says. */
    private void notStartedForTheAbort(String rolloutId, String host) {
        setState(rolloutId, host, "NOT_STARTED");
        audit.record(rolloutId, "system", "HOST_STATE", host, null, Map.of("state", "NOT_STARTED", "why",
                "the rollout was aborting when its turn came"));
    }

    private void block(String rolloutId, String host, String reason) {
        setState(rolloutId, host, "BLOCKED");
        audit.record(rolloutId, "system", "HOST_BLOCKED", host, null, Map.of("reason", reason));
    }

    /**
     * The stores (other hosts) that {@code host}'s webmail reads and that this rollout was to upgrade but did not
     * (rejected, halted, failed, rolled back), each with its state: the guide upgrades a webmail only after every
     * store it reads is at 6.3 with IMAP enabled (the phases' order sees to the rest). A store the rollout did not
     * include was at 6.3 already.
     */
    List<String> storesNotAt63(String rolloutId, String host) {
        List<String> read = plans.deployment(rolloutId).webmailStores().getOrDefault(host, List.of()).stream()
                .filter(store -> !store.equals(host)).toList();
        if (read.isEmpty()) {
            return List.of();
        }
        List<Object> args = new java.util.ArrayList<>(List.of(rolloutId));
        args.addAll(read);
        return jdbc.query("SELECT host_name, state FROM \"MSGSRV\".rollout_host WHERE rollout_id = ? AND host_name IN ("
                + placeholders(read.size()) + ") AND state <> 'UPGRADED'"
                + " ORDER BY host_name", (rs, i) -> rs.getString(1) + " (" + rs.getString(2) + ")", args.toArray());
    }

    public boolean aborting(String rolloutId) {
        return ABORTING.equals(control(rolloutId));
    }

    /** Why a host does not start though the rollout is not aborting. */
    public static final String NO_MOMENT_LEFT = "no maintenance window of the rollout is left to start in (out of its"
            + " blackouts)";

    /**
     * Whether the rollout aborts as its phases end (Rollout.bpmn's "Abort requested?"), under its work lock: an abort
     * either comes first and is seen here, or waits and then finds the rollout past its phases ({@link #abort}).
     */
    public boolean abortingAtPhasesEnd(String rolloutId) {
        work.hold(rolloutId);
        return aborting(rolloutId);
    }

    public String control(String rolloutId) {
        List<String> values = jdbc.queryForList("SELECT control FROM \"MSGSRV\".rollout WHERE id = ?", String.class,
                rolloutId);
        if (values.isEmpty()) {
            throw new NotFoundException("no rollout " + rolloutId);
        }
        return values.get(0);
    }

    @Transactional
    public void pause(String rolloutId, String user) {
        pause(rolloutId, user, null);
    }

    /** @param reason why, as the operator gave it (null: none given) */
    @Transactional
    public void pause(String rolloutId, String user, String reason) {
        change(rolloutId, user, PAUSED, List.of(RUNNING), "ROLLOUT_PAUSED", reason);
    }

    @Transactional
    public void resume(String rolloutId, String user) {
        resume(rolloutId, user, null);
    }

    /** @param reason why, as the operator gave it (null: none given) */
    @Transactional
    public void resume(String rolloutId, String user, String reason) {
        change(rolloutId, user, RUNNING, List.of(PAUSED), "ROLLOUT_RESUMED", reason);
        slots.wake(rolloutId, parallelism);
        slots.wakePhaseHeldByPause(rolloutId);
    }

    @Transactional
    public void abort(String rolloutId, String user) {
        abort(rolloutId, user, null);
    }

    /** @param reason why, as the operator gave it (null: none given) */
    @Transactional
    public void abort(String rolloutId, String user, String reason) {
        change(rolloutId, user, ABORTING, List.of(RUNNING, PAUSED), "ROLLOUT_ABORT_REQUESTED", reason);
        pastTheHosts(rolloutId).ifPresent(at -> {
            // its end would say ABORTED of a rollout whose every host went through its procedure
            throw new InvalidRequestException("cannot abort rollout " + rolloutId, List.of("the rollout is at " + at
                    + ": every host's procedure is over, nothing is left to abort (a change manager who does not"
                    + " accept the change rejects the sign-off)"));
        });
        slots.wake(rolloutId, Integer.MAX_VALUE); // every waiting unit ends without starting its host
        slots.wakeHeldByWindows(rolloutId); // as does every approved host waiting for a window
        // a rollout still before its hosts (the CAB, the dependencies, the backup) ends ABORTED at once: nothing
        // was started, and its open tasks would otherwise keep it (and its deployment) from ending
        runtime.getObject().createMessageCorrelation(ROLLOUT_ABORTED_MESSAGE).processInstanceBusinessKey(rolloutId)
                .correlateAllWithResult();
    }

    /**
     * A task before any host (the CAB's, the dependencies', the backup's) opening while the rollout is aborting: the
     * abort's message found no task to end (the process was between two of them, or not at the first yet), so it is
     * sent again once this transaction committed, and ends the rollout ABORTED at this task. Read under the rollout's
     * work lock, which the abort holds until its own message is sent: one of the two always finds the task.
     */
    public void openedBeforeTheHosts(org.camunda.bpm.engine.delegate.DelegateTask task) {
        String rolloutId = (String) task.getVariable(RolloutProcess.ROLLOUT_ID);
        work.hold(rolloutId);
        if (ABORTING.equals(control(rolloutId))) {
            SlotWakeUp.afterCommit(() -> com.msgupgrade.observability.LogContext.inRollout(rolloutId,
                    () -> endTaskBeforeTheHosts(rolloutId)));
        }
    }

    /** Sends the abort's message again: it ends the rollout ABORTED at a task before its hosts, if one is open. */
    private void endTaskBeforeTheHosts(String rolloutId) {
        try {
            ownTransaction.executeWithoutResult(status -> runtime.getObject()
                    .createMessageCorrelation(ROLLOUT_ABORTED_MESSAGE).processInstanceBusinessKey(rolloutId)
                    .correlateAllWithResult());
        } catch (org.camunda.bpm.engine.OptimisticLockingException e) {
            // another node's (or the task's own) message ended the task at the same moment
            log.debug("rollout {}: its open task was ended by another at the same moment ({})", rolloutId, e.toString());
        } catch (RuntimeException e) {
            // the task stays open, the rollout ABORTING: the task's decision ends it (the hosts do not start), or the
            // sweep's next turn
            log.warn("rollout {} is aborting, but ending its open task failed ({}): decide the task to end the"
                    + " rollout", rolloutId, e.toString());
        }
    }

    /**
     * What an abort does once it has committed, again for every aborting rollout: a wake-up or message lost (its node
     * stopped between the abort's commit and them, or they failed) left an approved host or a phase waiting for its
     * window, days perhaps, or the CAB's, the dependencies' or the backup's task open, the rollout ABORTING and
     * refusing every control until then. Both are harmless when nothing waits: the message ends only a task before
     * the hosts, the wake-up only timers of window waits.
     */
    @org.springframework.scheduling.annotation.Scheduled(initialDelayString = "PT30S",
            fixedDelayString = "${msgsrv.rollout.abort-sweep-interval:PT1M}")
    public void sweepAborting() {
        try {
            for (String rolloutId : jdbc.queryForList("SELECT id FROM \"MSGSRV\".rollout WHERE control = ? AND state"
                    + " NOT IN " + Rollout.endedSql(), String.class, ABORTING)) {
                slots.wakeHeldByWindows(rolloutId);
                com.msgupgrade.observability.LogContext.inRollout(rolloutId, () -> endTaskBeforeTheHosts(rolloutId));
            }
        } catch (RuntimeException e) {
            log.warn("could not look for aborting rollouts to wake (looks again in a minute): {}", e.getMessage());
        }
    }

    /** Rollout.bpmn's activities after its phases, as an operator would name them. */
    static final Map<String, String> AFTER_THE_HOSTS = Map.of("SubProcess_FinalVerificationGroups",
            "its final verification", "Task_DecommissionConfigDirectory",
            "the configuration Directory Server's decommissioning", "Task_SignOff", "its sign-off",
            "EndEvent_RolloutCompleted", "its end");

    /** Where the rollout's process is, when past its phases (its hosts' procedures over). */
    private java.util.Optional<String> pastTheHosts(String rolloutId) {
        String process = jdbc.queryForObject("SELECT process_instance_id FROM \"MSGSRV\".rollout WHERE id = ?",
                String.class, rolloutId);
        org.camunda.bpm.engine.runtime.ActivityInstance tree = process == null ? null
                : runtime.getObject().getActivityInstance(process);
        return tree == null ? java.util.Optional.empty() : after(tree);
    }

    private static java.util.Optional<String> after(org.camunda.bpm.engine.runtime.ActivityInstance instance) {
        java.util.stream.Stream<String> here = java.util.stream.Stream.concat(
                java.util.stream.Stream.of(instance.getActivityId()),
                java.util.Arrays.stream(instance.getChildTransitionInstances()).map(t -> t.getActivityId()));
        java.util.Optional<String> found = here.map(id -> AFTER_THE_HOSTS.get(id.replace("#multiInstanceBody", "")))
                .filter(java.util.Objects::nonNull).findFirst();
        if (found.isPresent()) {
            return found;
        }
        return java.util.Arrays.stream(instance.getChildActivityInstances()).map(RolloutControl::after)
                .flatMap(java.util.Optional::stream).findFirst();
    }

    /** The message Rollout.bpmn's tasks before any host catch (their boundary events): the rollout ends ABORTED. */
    static final String ROLLOUT_ABORTED_MESSAGE = "RolloutAborted";

    /**
     * An abort decided at a host (an operator's decision on its failed step, a rejected review of a cluster node):
     * the rollout aborts as {@link #abort} does, nothing new starts and the hosts under way finish their procedure,
     * unless it is aborting already. {@code user}: who decided; {@code host}: where (null: {@code where} says).
     */
    @Transactional(propagation = org.springframework.transaction.annotation.Propagation.MANDATORY)
    public void abortAt(String rolloutId, String user, String host, String where) {
        work.hold(rolloutId);
        String current = control(rolloutId);
        if (ABORTING.equals(current)) {
            return;
        }
        jdbc.update("UPDATE \"MSGSRV\".rollout SET control = ? WHERE id = ?", ABORTING, rolloutId);
        Map<String, Object> detail = new java.util.LinkedHashMap<>(Map.of("from", current, "to", ABORTING));
        detail.put("decidedAt", host != null ? "host " + host : where);
        audit.record(rolloutId, user, "ROLLOUT_ABORT_REQUESTED", host, null, detail);
        slots.wake(rolloutId, Integer.MAX_VALUE);
        slots.wakeHeldByWindows(rolloutId);
    }

    private void change(String rolloutId, String user, String to, List<String> from, String kind, String reason) {
        control(rolloutId); // an unknown rollout is told so (404) before its lock is looked for
        work.hold(rolloutId); // a claim reads the control once, and acts on it, under the same lock
        String current = control(rolloutId);
        String state = jdbc.queryForObject("SELECT state FROM \"MSGSRV\".rollout WHERE id = ?", String.class,
                rolloutId);
        if (Rollout.ENDED.contains(state)) {
            throw new InvalidRequestException("cannot change rollout " + rolloutId,
                    List.of("the rollout has ended (" + state + "): there is nothing left to pause, resume or abort"));
        }
        if (!from.contains(current)) {
            throw new InvalidRequestException("cannot change rollout " + rolloutId,
                    List.of("the rollout is " + current + "; this needs it " + String.join(" or ", from)));
        }
        jdbc.update("UPDATE \"MSGSRV\".rollout SET control = ? WHERE id = ?", to, rolloutId);
        Map<String, Object> detail = new java.util.LinkedHashMap<>(Map.of("from", current, "to", to));
        if (reason != null) {
            detail.put("reason", reason);
        }
        audit.record(rolloutId, user, kind, null, null, detail);
    }

    /**
     * A step failed on a host. Policy {@code stop} (default): the rollout pauses, no other host starts until
     * an operator decided and resumed. Policy {@code continue}: others go on until more than the maximum of
     * failed hosts.
     */
    @Transactional
    public void hostFailed(String rolloutId, String host) {
        // two hosts failing at once count each other's failure: the second counts after the first committed
        work.hold(rolloutId);
        Map<String, Object> policy = jdbc.queryForMap("SELECT control, failure_policy, max_failed_hosts FROM"
                + " \"MSGSRV\".rollout WHERE id = ?", rolloutId);
        int failed = jdbc.queryForObject("SELECT COUNT(*) FROM \"MSGSRV\".rollout_host WHERE rollout_id = ?"
                + " AND state IN ('WAITING_DECISION', 'FAILED', 'ABORTED')", Integer.class, rolloutId);
        boolean stop = "stop".equals(policy.get("failure_policy"))
                || failed > ((Number) policy.get("max_failed_hosts")).intValue();
        // only a running rollout pauses: an abort or a pause is kept, not overwritten (they take the work lock too;
        // the condition holds whoever changes the control)
        if (stop && RUNNING.equals(policy.get("control")) && jdbc.update("UPDATE \"MSGSRV\".rollout SET control = ?"
                + " WHERE id = ? AND control = ?", PAUSED, rolloutId, RUNNING) == 1) {
            audit.record(rolloutId, "system", "ROLLOUT_PAUSED", host, null, Map.of("reason",
                    "failure policy " + policy.get("failure_policy") + ": a step failed on " + host
                            + " (" + failed + " failed hosts)"));
        }
    }

    void setPolicy(String rolloutId, String failurePolicy, int maxFailedHosts) {
        jdbc.update("UPDATE \"MSGSRV\".rollout SET failure_policy = ?, max_failed_hosts = ? WHERE id = ?",
                failurePolicy, maxFailedHosts, rolloutId);
    }
}
