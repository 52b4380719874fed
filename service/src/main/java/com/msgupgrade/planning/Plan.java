package com.msgupgrade.planning;

import java.util.List;

/**
 * What a rollout will do, computed by the same code the rollout runs: per host the path, every step
 * with its exact command (secrets by name), every gate, every warning. {@code errors} non-empty: the
 * rollout is refused.
 */
public record Plan(String deployment, String target, List<HostPlan> hosts, List<String> errors,
        List<Dependency> dependencies, List<Phase> phases) {

    public Plan(String deployment, String target, List<HostPlan> hosts, List<String> errors) {
        this(deployment, target, hosts, errors, List.of(), List.of());
    }

    public boolean runnable() {
        return errors.isEmpty();
    }

    /** The secrets the commands of the hosts to upgrade and of the post-upgrade tasks name, by name. */
    public java.util.SortedSet<String> secrets() {
        java.util.SortedSet<String> names = new java.util.TreeSet<>();
        hosts.stream().filter(h -> h.processKey() != null).flatMap(h -> h.steps().stream()).map(PlannedStep::secret)
                .filter(java.util.Objects::nonNull).forEach(names::add);
        phases.stream().flatMap(p -> p.steps().stream()).map(PhaseStep::secret).filter(java.util.Objects::nonNull)
                .forEach(names::add);
        return names;
    }

    /** This plan with these errors too. */
    public Plan withErrors(List<String> more) {
        return more.isEmpty() ? this : new Plan(deployment, target, hosts,
                java.util.stream.Stream.concat(errors.stream(), more.stream()).toList(), dependencies, phases);
    }

    public java.util.Optional<Phase> phase(String id) {
        return phases.stream().filter(p -> p.id().equals(id)).findFirst();
    }

    public java.util.Optional<Unit> unit(String id) {
        return phases.stream().flatMap(p -> p.units().stream()).filter(u -> u.id().equals(id)).findFirst();
    }

    /** A component to upgrade before Messaging Server (guide "Upgrade Messaging Server Dependencies"), in order. */
    public record Dependency(int order, String component, boolean required, String note) {}

    /**
     * A unit of hosts that upgrade together: {@code standalone} (one host), {@code load-balanced} (one at a
     * time, health checked), {@code cluster} (asymmetric HA or N+1: active nodes failed over to the standby
     * one by one, the standby last), {@code symmetric-ha} (the pair, downtime approved first).
     */
    public record Unit(String id, String topology, List<String> hosts, String standby) {

        /** The hosts, then the standby if the unit has one. */
        public List<String> hostsAndStandby() {
            return standby == null ? hosts
                    : java.util.stream.Stream.concat(hosts.stream(), java.util.stream.Stream.of(standby)).toList();
        }
    }

    /**
     * A phase of the rollout: units (they run in parallel, at most {@code msgsrv.rollout.parallelism} hosts of
     * the rollout at a time), or host steps (post-upgrade tasks) run in parallel. Phases run one after another.
     */
    public record Phase(String id, String title, String tier, List<Unit> units, List<PhaseStep> steps) {
        public String kind() {
            return steps.isEmpty() ? "units" : "steps";
        }
    }

    public record PhaseStep(String host, String stepId, String command, String secret) {}

    public record HostPlan(String host, String os, String sourceRelease, String procedure, String processKey,
            Boolean certified, Boolean rollbackSupported, List<PlannedStep> steps, List<String> gates,
            List<String> warnings, List<PlannedStep> rollbackSteps) {

        /** A person must accept a risk before this host is touched: path not certified, or no rollback. */
        public boolean riskToAccept() {
            return Boolean.FALSE.equals(certified) || Boolean.FALSE.equals(rollbackSupported);
        }
    }

    /**
     * @param when the condition under which the step runs, when it does not always run
     * @param runsOn the host the step runs on when it is not the planned host (a cluster node's steps on the
     *               standby), else null
     */
    public record PlannedStep(String stepId, String title, String command, String secret, boolean mutating,
            boolean longRunning, String alreadyDoneCheck, String when, String runsOn) {}
}
