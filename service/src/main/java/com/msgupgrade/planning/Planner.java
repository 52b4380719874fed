package com.msgupgrade.planning;

import com.msgupgrade.catalog.StepId;

import com.msgupgrade.catalog.HostCommand;
import com.msgupgrade.catalog.StepCatalog;
import com.msgupgrade.inventory.Deployment;
import com.msgupgrade.inventory.Host;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/** Computes the plan of a deployment's upgrade: the dry run, and the rollout's own source of truth. */
@Component
public class Planner {

    public static final String TARGET = "6.3";
    static final String QUEUE_FILE_CAUTION = "once 6.3 has run with a configuration, going back to the old binaries"
            + " risks data written by 6.3 (e.g. queue files) not being readable by the old release";
    static final String CLUSTER_NO_ROLLBACK = "no rollback: the hosts of a high-availability cluster (asymmetric-HA,"
            + " N+1 or symmetric-HA) share their configuration and data, and are not put back one by one ("
            + QUEUE_FILE_CAUTION + ")";
    static final String NO_ROLLBACK = "An upgrade to Messaging Server 6.3 on Linux cannot be rolled back (guide caution)";

    static final String COMMUNICATIONS_EXPRESS = "Communications Express must be upgraded together with the Webmail"
            + " Server and be of the same version (guide caution): the service upgrades Messaging Server only; upgrade"
            + " Communications Express on this host in the same change";

    /** The guide's webmail configuration needs the stores a webmail reads: a host serving webmail names none. */
    static final String NO_WEBMAIL_STORES = "serves webmail but webmailStores names no store it reads: the guide's"
            + " \"configure it to access the Message Store\" (the IMAP proxy admin settings per store) is not planned, its"
            + " stores are not ordered before it, and no back end's mshttpd is shut down for it; name the stores it reads";

    /**
     * The standby takes a node over with {@code useconfig <node's msgSvrBase>/config} (guide: "set up the MS-X
     * binaries to use the MS-1 config/MS-1 data"): a node whose msgSvrBase is the standby's own points it at its own.
     */
    static final String SAME_BASE_AS_STANDBY = "msgSvrBase %s is also the standby %s's: its useconfig would point the"
            + " standby at its own configuration, not this node's; the node's msgSvrBase must be a path of the cluster's"
            + " shared file system, the same on the node and on the standby, which reaches the node's configuration"
            + " and data through it";

    private static String withoutTrailingSlash(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /** The guide's Linux procedure has no IMAP proxy step; the host's proxyAdmin asks for the Solaris one's. */
    static final String LINUX_PROXY_ADMIN = "proxyAdmin is set: the IMAP proxy account is set with configutil as the"
            + " guide's Solaris procedure does (its step 7, LD_LIBRARY_PATH emptied), before start-msg; the guide's"
            + " Linux procedure has no such step: leave proxyAdmin out if the store's own admin account serves";

    private final UpgradePaths paths;
    private final StepCatalog catalog;
    private final com.msgupgrade.hostops.PatchConfigReview review;
    private final com.msgupgrade.secrets.SecretResolver secrets;
    private final com.msgupgrade.ssh.SshProperties ssh;

    public Planner(UpgradePaths paths, StepCatalog catalog, com.msgupgrade.hostops.PatchConfigReview review,
            com.msgupgrade.secrets.SecretResolver secrets, com.msgupgrade.ssh.SshProperties ssh) {
        this.paths = paths;
        this.catalog = catalog;
        this.review = review;
        this.secrets = secrets;
        this.ssh = ssh;
    }

    /**
     * The plan of a rollout about to be requested: its errors also name the secrets of its commands that cannot be
     * resolved now (a rollout is refused on them rather than halted with hosts stopped at the step that needs one).
     * A running rollout's plan ({@link #plan}) leaves them out: its steps look a secret up when they need it. So are
     * an SSH private key or known_hosts file the service cannot read: found after the CAB's approval and the
     * directory's backup, at the first host, otherwise.
     */
    public Plan planToRun(Deployment deployment, String target) {
        Plan plan = plan(deployment, target);
        List<String> problems = new ArrayList<>(secrets.problems(plan.secrets()));
        if (!java.nio.file.Files.isReadable(ssh.privateKey())) {
            problems.add("the SSH private key " + ssh.privateKey() + " (msgsrv.ssh.private-key) is not readable by the"
                    + " service: no host can be reached");
        }
        if (!java.nio.file.Files.isReadable(ssh.knownHosts())) {
            problems.add("the known_hosts file " + ssh.knownHosts() + " (msgsrv.ssh.known-hosts) is not readable by"
                    + " the service: no host key can be checked, no host reached");
        }
        return plan.withErrors(problems);
    }

    /** The plan of one host of a deployment. */
    public java.util.Optional<Plan.HostPlan> hostPlan(Deployment deployment, String target, String hostName) {
        return plan(deployment, target).hosts().stream().filter(h -> h.host().equals(hostName)).findFirst();
    }

    public Plan plan(Deployment deployment, String target) {
        List<String> errors = new ArrayList<>();
        if (!TARGET.equals(target)) {
            errors.add("target " + target + " is not supported: the service upgrades to " + TARGET);
            return new Plan(deployment.name(), target, List.of(), errors);
        }
        List<Plan.HostPlan> hosts = new ArrayList<>();
        // the decision table is evaluated once per (release, OS) of the fleet, not once per host
        Map<List<String>, UpgradePath> pathsByRelease = new HashMap<>();
        for (Host host : deployment.hosts()) {
            UpgradePath path = TARGET.equals(host.sourceRelease()) ? null : pathsByRelease.computeIfAbsent(
                    List.of(String.valueOf(host.sourceRelease()), String.valueOf(host.os())),
                    k -> paths.pathFor(host.sourceRelease(), host.os()));
            hosts.add(planHost(deployment, host, path, errors));
        }
        clusterReleases(deployment, errors);
        if (!errors.isEmpty()) {
            return new Plan(deployment.name(), target, hosts, errors);
        }
        List<Plan.Phase> phases;
        try {
            phases = Ordering.phases(deployment, hosts.stream().filter(h -> h.processKey() != null)
                    .map(Plan.HostPlan::host).collect(java.util.stream.Collectors.toSet()), catalog);
        } catch (IllegalStateException e) {
            errors.add(e.getMessage());
            phases = List.of();
        }
        return new Plan(deployment.name(), target, hosts, errors, Ordering.dependencies(hosts), phases);
    }

    /**
     * Whether an HA cluster's rolling upgrade starts from the host's release (guide, High Availability Clusters: a
     * node patched while its standby runs its services from the shared configuration, which "the 6.3 binaries are
     * compatible with"): 6.2p3, and by the guide's own rule for the earlier releases ("use the instructions in
     * Upgrading Messaging Server from 6.2p3, except substitute …") 6.2 (2005Q1), and 6.1 (2004Q2) on Solaris, whose
     * path is the same patch procedure. Not 6.0 (a path not certified: its risk acceptance is its host process's,
     * which a cluster's hosts do not run) nor 6.1 on Linux (a reinstall, not a patch the standby can stand in for).
     */
    static boolean rollsFrom(Host host) {
        String release = String.valueOf(host.sourceRelease());
        return List.of("6.2p3", "6.2").contains(release) || "6.1".equals(release) && host.isSolaris();
    }

    /**
     * The rolling upgrade of an asymmetric-HA or N+1 cluster: every host not at 6.3 at a release it starts from
     * ({@link #rollsFrom}), all of them at the same one (the standby runs each node's services on its own binaries,
     * "at the same patch level as Node1"); otherwise the plan is refused, naming the hosts.
     */
    private static void clusterReleases(Deployment deployment, List<String> errors) {
        for (Deployment.Group g : deployment.groups()) {
            if (!List.of("n-plus-1", "asymmetric-ha").contains(g.topology())) {
                continue;
            }
            List<Host> toUpgrade = java.util.stream.Stream.concat(g.members().stream(),
                    java.util.stream.Stream.ofNullable(g.standby())).map(deployment::host)
                    .flatMap(java.util.Optional::stream).filter(h -> !TARGET.equals(h.sourceRelease())).toList();
            toUpgrade.stream().filter(h -> !rollsFrom(h)).forEach(h -> errors.add(h.name() + ": a host of the "
                    + g.topology() + " cluster " + g.name() + " is at " + h.sourceRelease() + " on " + h.os()
                    + "; the rolling upgrade of a cluster starts from 6.2p3, 6.2 or, on Solaris, 6.1 (guide, High"
                    + " Availability Clusters, whose 6.3 binaries read the configuration the standby runs meanwhile):"
                    + " bring the cluster's hosts to one of them first"));
            java.util.Set<String> releases = toUpgrade.stream().map(h -> String.valueOf(h.sourceRelease()))
                    .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
            if (releases.size() > 1) {
                errors.add("the hosts of the " + g.topology() + " cluster " + g.name() + " are at different releases ("
                        + toUpgrade.stream().map(h -> h.name() + " " + h.sourceRelease()).collect(
                                java.util.stream.Collectors.joining(", ")) + "): the standby runs each node's services"
                        + " on its own binaries, which must be \"at the same patch level as Node1\" (guide): bring"
                        + " them to one release first");
            }
        }
    }

    private Plan.HostPlan planHost(Deployment deployment, Host host, UpgradePath path, List<String> errors) {
        if (path == null) {
            return new Plan.HostPlan(host.name(), host.os(), host.sourceRelease(), null, null, null, null, List.of(),
                    List.of(), List.of("already at 6.3: nothing to do"), List.of());
        }
        if (!path.exists()) {
            errors.add(host.name() + ": " + path.refusal());
            return new Plan.HostPlan(host.name(), host.os(), host.sourceRelease(), null, null, null, null, List.of(),
                    List.of(), List.of(path.refusal()), List.of());
        }
        List<String> warnings = new ArrayList<>();
        List<String> gates = new ArrayList<>();
        if (!path.certified()) {
            warnings.add("the direct upgrade from " + host.sourceRelease() + " is not certified (guide Table 4-1)");
        }
        Deployment.Group cluster = clusterOf(deployment, host.name());
        // a high-availability cluster's hosts share their configuration and data: none is put back alone
        // (RolloutService and a failed step's decision refuse it); its path's own rollbackSupported stands (a risk is
        // accepted for a path that cannot be rolled back at all)
        boolean highAvailability = deployment.highAvailabilityGroupOf(host.name()).isPresent();
        boolean rollbackOffered = path.rollbackSupported() && !highAvailability;
        if (!path.rollbackSupported()) {
            warnings.add(NO_ROLLBACK);
        } else if (highAvailability) {
            warnings.add(CLUSTER_NO_ROLLBACK);
        } else {
            warnings.add("rollback: " + QUEUE_FILE_CAUTION);
        }
        if (!path.certified() || !path.rollbackSupported()) {
            gates.add("risk acceptance of " + host.name() + ": " + (path.certified() ? "" : "the path is not certified")
                    + (path.certified() || path.rollbackSupported() ? "" : "; ")
                    + (path.rollbackSupported() ? "" : "the upgrade cannot be rolled back") + " (change-managers)");
        }
        gates.add(cluster == null ? "approval of the upgrade of " + host.name() + " before Messaging Server is stopped"
                + " (change-managers)" : "approval of the rolling upgrade of cluster " + cluster.name() + ", its nodes"
                + " failed over to the standby " + cluster.standby() + " one by one, before any service moves"
                + " (change-managers)");
        if (path.procedure() != Procedure.LINUX_61_REINSTALL
                && (cluster == null || !host.name().equals(cluster.standby()))) {
            gates.add(review.gate()); // where patch-config runs
        }
        if (host.components().contains("webmail")) {
            warnings.add(COMMUNICATIONS_EXPRESS);
            if (!host.components().contains("store")
                    && deployment.webmailStores().getOrDefault(host.name(), List.of()).isEmpty()) {
                warnings.add(NO_WEBMAIL_STORES);
            }
        }
        if (host.proxyAdmin() != null && path.procedure() == Procedure.LINUX_RPM_FRESHEN) {
            warnings.add(LINUX_PROXY_ADMIN);
        }
        if (cluster != null && !host.name().equals(cluster.standby())) {
            deployment.host(cluster.standby()).filter(standby -> withoutTrailingSlash(standby.msgSvrBase())
                            .equals(withoutTrailingSlash(host.msgSvrBase())))
                    .ifPresent(standby -> warnings.add(String.format(SAME_BASE_AS_STANDBY, host.msgSvrBase(),
                            standby.name())));
        }
        if (path.procedure() == Procedure.LINUX_61_REINSTALL) {
            gates.add("merge of the 6.1 configuration values into the new configuration, by a person (operators)");
        }
        List<Plan.PlannedStep> steps = new ArrayList<>();
        List<Plan.PlannedStep> rollbackSteps = new ArrayList<>();
        try {
            List<HostSteps.Conditional> order = new ArrayList<>(cluster == null ? HostSteps.of(path.procedure(), host)
                    : host.name().equals(cluster.standby()) ? HostSteps.clusterStandby(host)
                    : HostSteps.clusterNode(host, deployment.host(cluster.standby()).orElseThrow()));
            if (cluster == null && Ordering.configuresWebmailProxyWithItsUpgrade(deployment, host.name())) {
                // the guide: "After upgrading MEM to Webmail Server, configure it to access the Message Store"
                order.add(new HostSteps.Conditional(StepId.CONFIGURE_WEBMAIL_PROXY, "upgraded"));
            }
            steps = planned(order, deployment, host);
            if (rollbackOffered) {
                rollbackSteps = planned(HostSteps.rollback(host), deployment, host);
            }
        } catch (IllegalStateException e) {
            errors.add(host.name() + ": " + e.getMessage());
        }
        return new Plan.HostPlan(host.name(), host.os(), host.sourceRelease(), path.procedure().id(),
                path.procedure().processKey(), path.certified(), path.rollbackSupported(), steps, gates, warnings,
                rollbackSteps);
    }

    /** The asymmetric-HA or N+1 cluster the host is a node or the standby of; null for any other host. */
    private static Deployment.Group clusterOf(Deployment deployment, String host) {
        return deployment.groups().stream().filter(g -> List.of("asymmetric-ha", "n-plus-1").contains(g.topology()))
                .filter(g -> g.members().contains(host) || host.equals(g.standby())).findFirst().orElse(null);
    }

    private List<Plan.PlannedStep> planned(List<HostSteps.Conditional> order, Deployment deployment, Host host) {
        List<Plan.PlannedStep> steps = new ArrayList<>();
        for (HostSteps.Conditional c : order) {
            // a step on the cluster's standby for this node: rendered for the standby, the node its peer
            Host on = c.on() == null ? host : deployment.host(c.on()).orElseThrow();
            HostCommand command = catalog.render(c.step(), deployment, on, c.on() == null ? null : host);
            steps.add(new Plan.PlannedStep(c.step().id(), c.step().title(), command.commandLine(),
                    command.secretName(), command.mutating(), command.longRunning(),
                    command.check() == null ? null : command.check().commandLine(), c.when(), c.on()));
        }
        return steps;
    }
}
