package com.msgupgrade.rollout;

import com.msgupgrade.approval.ApprovalSettings;
import com.msgupgrade.approval.ChangePolicy;
import com.msgupgrade.audit.AuditTrail;
import com.msgupgrade.inventory.Deployment;
import com.msgupgrade.inventory.DeploymentRepository;
import com.msgupgrade.planning.Plan;
import com.msgupgrade.planning.Planner;
import com.msgupgrade.web.InvalidRequestException;
import com.msgupgrade.web.NotFoundException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.variable.Variables;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class RolloutService {

    private final DeploymentRepository deployments;
    private final RolloutRepository rollouts;
    private final Planner planner;
    private final RuntimeService runtime;
    private final AuditTrail audit;
    private final ApprovalSettings settings;
    private final RolloutControl control;
    private final RolloutLock lock;

    private final InventoryReleases inventory;

    RolloutService(DeploymentRepository deployments, RolloutRepository rollouts, Planner planner,
            RuntimeService runtime, AuditTrail audit, ApprovalSettings settings, RolloutControl control,
            RolloutLock lock, InventoryReleases inventory) {
        this.inventory = inventory;
        this.control = control;
        this.lock = lock;
        this.settings = settings;
        this.deployments = deployments;
        this.rollouts = rollouts;
        this.planner = planner;
        this.runtime = runtime;
        this.audit = audit;
    }

    /** Plans the upgrade, records the rollout and starts its process, all in one transaction. */
    @Transactional
    public Rollout start(String deploymentName, String target, String user) {
        return start(deploymentName, target, user, ChangePolicy.anyTime());
    }

    @Transactional
    public Rollout start(String deploymentName, String target, String user, ChangePolicy policy) {
        return start(deploymentName, target, user, policy, "stop", 0);
    }

    @Transactional
    public Rollout start(String deploymentName, String target, String user, ChangePolicy policy,
            String failurePolicy, int maxFailedHosts) {
        List<String> policyProblems = new java.util.ArrayList<>(policy.problems(Instant.now(), settings.blackouts()));
        if (!List.of("stop", "continue").contains(failurePolicy)) {
            policyProblems.add("failurePolicy must be stop or continue, was " + failurePolicy);
        }
        if (maxFailedHosts < 0) {
            policyProblems.add("maxFailedHosts must not be negative");
        } else if (maxFailedHosts > 0 && "stop".equals(failurePolicy)) {
            policyProblems.add("maxFailedHosts " + maxFailedHosts + " applies to failurePolicy continue only: under stop"
                    + " the rollout pauses at the first failed host");
        }
        if (deploymentName == null || deploymentName.isBlank()) {
            policyProblems.add(0, "deployment is required: the name of a registered deployment");
        }
        if (!policyProblems.isEmpty()) {
            throw new InvalidRequestException("the rollout cannot be requested as it is", policyProblems);
        }
        // the releases its ended rollouts brought its hosts to, if a node stopped before it registered them (in a
        // transaction of its own, before this one takes any lock)
        inventory.registerPending(deploymentName);
        Deployment deployment = deployments.findForUpdate(deploymentName)
                .orElseThrow(() -> new InvalidRequestException("cannot start a rollout",
                        List.of("no deployment named " + deploymentName)));
        List<String> unfinished = rollouts.unfinished(deploymentName);
        if (!unfinished.isEmpty()) {
            // two rollouts of the same hosts would run the guide's commands on them twice
            throw new InvalidRequestException("cannot start a rollout", List.of("the rollout " + String.join(", ",
                    unfinished) + " of " + deploymentName + " has not ended: let it finish, or abort it, first"));
        }
        refuseMachinesBusyElsewhere(deployment,
                deployment.hosts().stream().map(com.msgupgrade.inventory.Host::name).toList(), "cannot start a rollout");
        List<String> rollingBack = rollouts.rollbacksGoingOn(deploymentName);
        if (!rollingBack.isEmpty()) {
            // a rollback's patchrm beside a new rollout's patchadd on the same host
            throw new InvalidRequestException("cannot start a rollout", List.of("hosts of " + deploymentName
                    + " are being rolled back (" + String.join(", ", rollingBack) + "): let the rollback end first"));
        }
        Plan plan = planner.planToRun(deployment, target);
        if (!plan.runnable()) {
            throw new InvalidRequestException("the plan of " + deploymentName + " has errors", plan.errors());
        }
        List<Plan.HostPlan> toUpgrade = plan.hosts().stream().filter(h -> h.processKey() != null).toList();
        if (toUpgrade.isEmpty()) {
            throw new InvalidRequestException("cannot start a rollout",
                    List.of("every host of " + deploymentName + " is already at " + target));
        }
        String id = "r-" + UUID.randomUUID().toString().substring(0, 13);
        Rollout rollout = new Rollout(id, deploymentName, target, deployment, user, Instant.now(), "REQUESTED", null);
        rollouts.insert(rollout);
        rollouts.storeChangePolicy(id, policy);
        control.setPolicy(id, failurePolicy, maxFailedHosts);
        for (Plan.HostPlan host : toUpgrade) {
            rollouts.insertHost(id, host.host(), host.procedure(), "PENDING");
        }
        Map<String, Object> requested = new java.util.LinkedHashMap<>(Map.of("deployment", deploymentName,
                "target", target, "hosts", toUpgrade.stream().map(Plan.HostPlan::host).toList(),
                "downtimePolicy", policy.downtimePolicy(), "windows", policy.windows().toString(),
                "blackouts", policy.blackouts().toString()));
        // which version of the deployment (GET /api/deployments/{name}/versions/{n}), and what the rollout kept of it
        deployments.findStored(deploymentName).ifPresent(stored -> requested.put("deploymentVersion",
                stored.version().number()));
        deployments.storedSha256(deploymentName).ifPresent(sha -> requested.put("deploymentSha256", sha));
        requested.put("snapshotSha256", com.msgupgrade.inventory.DeploymentRepository.sha256(
                deployments.toJson(deployment)));
        requested.put("failurePolicy", failurePolicy);
        requested.put("maxFailedHosts", maxFailedHosts);
        audit.record(id, user, "ROLLOUT_REQUESTED", null, null, requested);
        ProcessInstance instance = ProcessStarts.byTheService(() -> runtime.startProcessInstanceByKey(
                RolloutProcess.KEY, id, Variables.createVariables()
                .putValue(RolloutProcess.ROLLOUT_ID, id)
                .putValue(RolloutProcess.REQUESTED_BY, user)
                .putValue(RolloutProcess.HOSTS, toUpgrade.stream().map(Plan.HostPlan::host).toList())
                .putValue("downtimePolicy", policy.downtimePolicy())
                .putValue("tiers", com.msgupgrade.planning.Tiers.present(deployment.hosts().stream()
                        .filter(h -> toUpgrade.stream().anyMatch(p -> p.host().equals(h.name()))).toList()))
                .putValue("cabRejected", false)
                .putValue("cabApprovers", "")
                .putValue("tierRejected", false)));
        rollouts.attachProcess(id, instance.getId());
        return rollouts.get(id);
    }

    /**
     * Starts the Solaris rollback of the given hosts of a rollout (every host the rollout changed when none are
     * named: the request is refused whole if one of them cannot be rolled back), each after a change manager
     * approves it. Linux hosts cannot be rolled back (guide caution), nor can cluster hosts.
     */
    @Transactional
    public List<String> rollBack(String id, List<String> hostNames, boolean configDirectoryAvailable,
            boolean mshttpdEnabled, boolean groupServing, String user) {
        Rollout rollout = rollouts.find(id).orElseThrow(() -> new NotFoundException("no rollout " + id));
        // what an ended rollout left to register (its node stopped first), before a host's state changes with this
        // rollback: a rejected rollback gives back an UPGRADED host's state, but a registration in between would miss it
        inventory.registerPending(rollout.deploymentName());
        // the deployment's lock, as a rollout's start takes it: a rollback and a new rollout are decided one at a time
        deployments.findForUpdate(rollout.deploymentName());
        // two requests at the same moment: the second sees the first one's processes (checked below)
        lock.hold(id);
        List<String> newer = rollouts.unfinished(rollout.deploymentName()).stream().filter(other -> !other.equals(id))
                .toList();
        if (!newer.isEmpty()) {
            throw new InvalidRequestException("cannot roll back", List.of("the rollout " + String.join(", ", newer)
                    + " of " + rollout.deploymentName() + " has not ended: a rollback now would run beside its"
                    + " commands on the same hosts; let it end, or abort it, first"));
        }
        List<RolloutRepository.HostProgress> progress = rollouts.hosts(id);
        Map<String, String> states = progress.stream().collect(java.util.stream.Collectors.toMap(
                RolloutRepository.HostProgress::host, RolloutRepository.HostProgress::state));
        if (hostNames != null && hostNames.isEmpty()) {
            // a script's filter that found nothing must not become "every host"
            throw new InvalidRequestException("cannot roll back", List.of("hosts is empty: name the hosts to roll"
                    + " back, or leave hosts out to roll back every host the rollout changed"));
        }
        // none named: every host the rollout changed something on
        List<String> names = hostNames == null
                ? progress.stream().filter(h -> !UNTOUCHED.contains(h.state()) && !ROLLED_BACK.equals(h.state()))
                        .map(RolloutRepository.HostProgress::host).toList()
                : hostNames;
        if (names.isEmpty()) {
            throw new InvalidRequestException("cannot roll back", List.of("no host of rollout " + id + " is left to"
                    + " roll back (every one is " + String.join(" or ", UNTOUCHED) + ", unchanged by it, or "
                    + ROLLED_BACK + "): there is nothing to roll back"));
        }
        List<String> problems = new java.util.ArrayList<>();
        List<String> decommissioned = rollouts.decommissionedConfigDirectory(rollout.deploymentName());
        if (!decommissioned.isEmpty() && !configDirectoryAvailable) {
            problems.add("the configuration Directory Server of " + rollout.deploymentName() + " was decommissioned"
                    + " (rollout " + String.join(", ", decommissioned) + "): " + CONFIG_DIRECTORY_GONE);
        }
        java.util.Set<String> named = new java.util.HashSet<>();
        for (String name : names) {
            var host = rollout.deployment().host(name);
            if (!named.add(name)) {
                problems.add(com.msgupgrade.web.Shown.quoted(name) + " is named more than once");
            } else if (host.isEmpty() || progress.stream().noneMatch(h -> h.host().equals(name))) {
                problems.add(com.msgupgrade.web.Shown.quoted(name) + " is not a host of rollout " + id);
            } else if (!host.get().isSolaris()) {
                problems.add(name + ": " + com.msgupgrade.approval.Decisions.LINUX_NO_ROLLBACK);
            } else if (rollout.deployment().highAvailabilityGroupOf(name).isPresent()) {
                var cluster = rollout.deployment().highAvailabilityGroupOf(name).get();
                problems.add(name + " is a host of the " + cluster.topology() + " cluster " + cluster.name() + ": "
                        + CLUSTER_NO_ROLLBACK);
            } else if (UNTOUCHED.contains(states.get(name))) {
                problems.add(name + " is " + states.get(name) + ": the rollout has not changed anything on it (its"
                        + " upgrade has not started, or will not), so there is nothing to roll back; a rollback now"
                        + " could run beside its upgrade when it starts");
            } else if (rollouts.statesInLaterRollouts(id, rollout.deploymentName(), name).stream()
                    .anyMatch(state -> !UNTOUCHED.contains(state))) {
                problems.add(name + " was worked on by a later rollout of " + rollout.deploymentName() + ": its"
                        + " patches and configuration are that rollout's now; roll it back under that rollout");
            } else if (ROLLED_BACK.equals(states.get(name))) {
                problems.add(name + " is ROLLED_BACK already: it serves at its old release again; a second rollback"
                        + " would stop it, and ask for the Directory Server's restore, for nothing");
            } else if (runtime.createProcessInstanceQuery().processInstanceBusinessKey(id).active()
                    .variableValueEquals(RolloutProcess.HOST_NAME, name).count() > 0) {
                problems.add(name + " still has a process running: decide its failed step (roll back) or wait");
            } else {
                webmailsAt63(rollout, progress, name).forEach(webmail -> problems.add(name + " is a back-end Message"
                        + " Store of " + webmail + ", whose Webmail Server is at 6.3: " + WEBMAIL_63_OLDER_STORE
                        + "; roll " + webmail + " back first"));
                List<String> withoutMshttpd = rollouts.mshttpdDisabled(rollout.deploymentName(),
                        rollout.deployment().webmailStores().getOrDefault(name, List.of()));
                if (!withoutMshttpd.isEmpty() && !mshttpdEnabled) {
                    problems.add(name + " reads the Message Stores " + String.join(", ", withoutMshttpd) + ", whose"
                            + " mshttpd a rollout disabled and shut down (the guide's post-upgrade task, once their"
                            + " webmail is at 6.3): " + MSHTTPD_GONE);
                }
                List<String> reads = rollout.deployment().webmailStores().getOrDefault(name, List.of());
                if (!reads.isEmpty() && !Rollout.ENDED.contains(rollout.state())) {
                    problems.add(name + " is the webmail front end of " + String.join(", ", reads) + ", and rollout "
                            + id + " has not ended: its post-upgrade phase disables mshttpd on those stores once"
                            + " their webmail is at 6.3, and would take it from a front end rolled back meanwhile"
                            + " (MEM again, which reads them through it); roll it back once the rollout has ended");
                }
                // a member the rollout is working on (claimed, or being rolled back) is not overridden: it goes on
                java.util.function.Predicate<String> workedOn = member -> RolloutControl.BUSY.stream()
                        .anyMatch(busy -> member.endsWith("(" + busy + ")")); // "lb2 (RUNNING)"
                List<String> leftDown = control.groupMembersLeftDown(id, name).stream()
                        .filter(member -> !groupServing || workedOn.test(member)).toList();
                if (!leftDown.isEmpty()) {
                    boolean stateable = !groupServing && !leftDown.stream().allMatch(workedOn);
                    problems.add(name + ": its load-balanced group's " + String.join(", ", leftDown) + " may not be"
                            + " serving, and a rollback stops " + name + " too; " + ONE_MEMBER_AT_A_TIME
                            + (stateable ? " (once they serve, say so with \"groupServing\": true)" : ""));
                }
            }
        }
        rollout.deployment().groups().stream().filter(g -> "load-balanced".equals(g.topology()))
                .map(g -> g.members().stream().filter(named::contains).toList()).filter(members -> members.size() > 1)
                .forEach(members -> problems.add(String.join(", ", members) + " are members of one load-balanced"
                        + " group, and a rollback stops each: " + ONE_MEMBER_AT_A_TIME + "; name one, then the next"
                        + " once the one before is " + ROLLED_BACK));
        if (!problems.isEmpty()) {
            throw new InvalidRequestException("cannot roll back", problems);
        }
        refuseMachinesBusyElsewhere(rollout.deployment(), names, "cannot roll back");
        for (String name : names) {
            Map<String, Object> detail = new java.util.LinkedHashMap<>(Map.of("by", user));
            if (mshttpdEnabled) {
                detail.put("mshttpdEnabled", user + " stated that mshttpd serves again on the stores the host reads");
            }
            if (groupServing && !control.groupMembersLeftDown(id, name).isEmpty()) {
                detail.put("groupServing", user + " stated that the other members of the host's load-balanced group"
                        + " serve: " + String.join(", ", control.groupMembersLeftDown(id, name)));
            }
            if (!decommissioned.isEmpty()) {
                detail.put("configDirectoryAvailable", user + " stated that the configuration Directory Server,"
                        + " decommissioned in rollout " + String.join(", ", decommissioned) + ", is available");
            }
            audit.record(id, user, com.msgupgrade.approval.Decisions.ROLLBACK_REQUESTED, name, null, detail);
            ProcessStarts.byTheService(() -> runtime.startProcessInstanceByKey("HostRollbackSolaris", id,
                    Variables.createVariables().putValue(RolloutProcess.ROLLOUT_ID, id)
                            .putValue(RolloutProcess.HOST_NAME, name)));
        }
        return names;
    }

    /**
     * A machine registered in two deployments (the same address and SSH port, whatever the case of the address) is
     * worked on by one of them at a time: a rollout or rollback of one while the other's runs would run the guide's
     * commands on it twice at once. Starts and rollbacks of any deployment are decided one at a time for this.
     */
    private void refuseMachinesBusyElsewhere(Deployment deployment, List<String> hostNames, String what) {
        lock.hold(STARTS_LOCK);
        Map<String, String> mine = new java.util.HashMap<>();
        hostNames.forEach(name -> deployment.host(name).ifPresent(h -> mine.put(h.endpoint(), h.name())));
        List<String> problems = new java.util.ArrayList<>();
        for (Rollout other : rollouts.busyBesides(deployment.name())) {
            for (com.msgupgrade.inventory.Host theirs : other.deployment().hosts()) {
                String host = mine.get(theirs.endpoint());
                if (host != null) {
                    problems.add(host + " (" + theirs.endpoint() + ") is " + theirs.name() + " of deployment "
                            + other.deploymentName() + ", whose rollout " + other.id() + " is under way (or rolling"
                            + " back): the same machine would be worked on twice at once; let it end first");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(what, problems);
        }
    }

    /** The lock row that decides rollout starts and rollbacks one at a time, whatever their deployment. */
    static final String STARTS_LOCK = "starts-and-rollbacks";

    /**
     * The guide, High Availability Clusters: the nodes and the standby share the configuration and data, and the
     * standby runs every node's; a node put back at 6.2p3 is no longer at its standby's patch level, and a standby's
     * rollback would start services on it that a node runs. A symmetric-HA node takes over its partner's store and
     * queues, mirrored on its own disks: put back, it would run its partner's 6.3 data on 6.2p3.
     */
    public static final String CLUSTER_NO_ROLLBACK = "a high-availability cluster's hosts (asymmetric-HA, N+1 or"
            + " symmetric-HA) are not rolled back (guide, High Availability Clusters: once"
            + " you have started using 6.3 with a configuration, you should avoid reverting back to the 6.2p3"
            + " binaries; some 6.3 generated data, e.g. queue files, might not be compatible with 6.2p3)";

    /**
     * The guide, "Prior to 6.3, some configuration data was stored in the Directory Server configuration directory";
     * once every component is at 6.3, "it can be decommissioned": the release a rollback puts back reads it.
     */
    static final String CONFIG_DIRECTORY_GONE = "a host rolled back runs its earlier release again, which keeps some of"
            + " its configuration in that Directory Server (guide: prior to 6.3, some configuration data was stored in"
            + " the Directory Server configuration directory): once it is there again (restored, or never removed),"
            + " say so with \"configDirectoryAvailable\": true";

    /** A webmail front end rolled back is MEM again, which reads its stores through their mshttpd. */
    static final String MSHTTPD_GONE = "rolled back, its Webmail Server is MEM again, which reaches its stores through"
            + " their mshttpd; enable it again on them (configutil -o service.http.enable -v yes, then start-msg"
            + " http), then say so with \"mshttpdEnabled\": true";

    /** The guide's rolling upgrade of load-balanced instances, which a rollback keeps to as well. */
    static final String ONE_MEMBER_AT_A_TIME = "a load-balanced group's members are rolled back one at a time, each"
            + " while the others serve (the guide's rolling upgrade: each instance while the others remain running)";

    /** The guide's caution on the Webmail Server (Post-Upgrade Tasks). */
    static final String WEBMAIL_63_OLDER_STORE = "a Version 6.3 Webmail Server with a Version 6.2 Patch 3 back-end"
            + " Message Store is not supported (guide caution)";

    /**
     * States in which the rollout has run nothing on a host, and will not run anything without a unit claiming it
     * (waiting for a slot, or claimed and starting): a rollback of such a host has nothing to undo, and one of a host
     * still to start would run beside its upgrade.
     */
    static final List<String> UNTOUCHED = List.of("PENDING", "STARTING", "NOT_STARTED", "REJECTED", "BLOCKED");
    private static final String ROLLED_BACK = "ROLLED_BACK";

    /**
     * States in which a host of the rollout has changed nothing and will change nothing without claiming again (a
     * claim checks its stores are at 6.3), or has been put back. A host awaiting its approval or its risk acceptance
     * has claimed: approved, it is upgraded without another look at its stores.
     */
    private static final java.util.Set<String> NOT_AT_63 = java.util.Set.of("PENDING", "REJECTED", "ROLLED_BACK",
            "BLOCKED", "NOT_STARTED");

    /**
     * The webmail hosts that read the store and may run 6.3: upgraded, being upgraded, or at 6.3 before. A host of a
     * cluster under way (the rollout going on, a host of the cluster busy) counts as being upgraded, whatever its
     * own state: the cluster goes on node by node with the slot it holds, and its standby is patched last. So does
     * one that a later rollout of the deployment upgraded (this one left it at its old release: rejected, blocked).
     */
    private List<String> webmailsAt63(Rollout rollout, List<RolloutRepository.HostProgress> progress,
            String store) {
        return rollout.deployment().webmailStores().entrySet().stream()
                .filter(e -> e.getValue().contains(store))
                .map(java.util.Map.Entry::getKey)
                .filter(webmail -> progress.stream().filter(h -> h.host().equals(webmail)).findFirst()
                        .map(h -> !NOT_AT_63.contains(h.state()) || inAClusterUnderWay(rollout, progress, webmail))
                        .orElseGet(() -> rollout.deployment().host(webmail)
                                .map(h -> "6.3".equals(h.sourceRelease())).orElse(false))
                        || rollouts.statesInLaterRollouts(rollout.id(), rollout.deploymentName(), webmail).stream()
                                .anyMatch(state -> !NOT_AT_63.contains(state)))
                .sorted().toList();
    }

    private static boolean inAClusterUnderWay(Rollout rollout, List<RolloutRepository.HostProgress> progress,
            String host) {
        return !Rollout.ENDED.contains(rollout.state()) && rollout.deployment().groupOf(host)
                .filter(Deployment.Group::formsACluster)
                .map(g -> progress.stream().filter(h -> g.membersAndStandby().contains(h.host()))
                        .anyMatch(h -> RolloutControl.BUSY.contains(h.state())))
                .orElse(false);
    }

    public RolloutView view(String id) {
        Rollout r = rollouts.find(id).orElseThrow(() -> new NotFoundException("no rollout " + id));
        String control = this.control.control(id);
        return new RolloutView(r.id(), r.deploymentName(), r.targetRelease(), r.state(), control,
                RolloutControl.PAUSED.equals(control) ? pausedBecause(id) : null, r.requestedBy(), r.requestedAt(),
                r.processInstanceId(), rollouts.hosts(id));
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper DETAIL = new com.fasterxml.jackson.databind.ObjectMapper();

    /** Who paused the rollout and why, as its latest ROLLOUT_PAUSED entry says (the failure policy, or a person). */
    private String pausedBecause(String rolloutId) {
        return audit.last(rolloutId, "ROLLOUT_PAUSED").map(e -> {
            String reason = null;
            try {
                reason = DETAIL.readTree(e.detail()).path("reason").asText(null);
            } catch (com.fasterxml.jackson.core.JsonProcessingException ignored) {
                // no reason to show
            }
            return "by " + e.actor() + (reason == null || reason.isBlank() ? " (no reason given)" : ": " + reason);
        }).orElse(null);
    }

    /** @param pausedBecause while the rollout is PAUSED: who paused it and why */
    public record RolloutView(String id, String deployment, String target, String state, String control,
            String pausedBecause, String requestedBy, Instant requestedAt, String processInstanceId,
            List<RolloutRepository.HostProgress> hosts) {

        /** The view with no host's failure in it. */
        public RolloutView withoutFailures() {
            return new RolloutView(id, deployment, target, state, control, pausedBecause, requestedBy, requestedAt,
                    processInstanceId, hosts.stream().map(h -> new RolloutRepository.HostProgress(h.host(),
                            h.procedure(), h.state(), h.currentStep(), h.updatedAt(), null)).toList());
        }
    }
}
