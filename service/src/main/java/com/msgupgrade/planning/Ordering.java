package com.msgupgrade.planning;

import com.msgupgrade.catalog.HostCommand;
import com.msgupgrade.catalog.StepCatalog;
import com.msgupgrade.catalog.StepId;
import com.msgupgrade.inventory.Deployment;
import com.msgupgrade.inventory.Host;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The order of a multi-host rollout (guide "Multiple Instance Upgrades" and "Post-Upgrade Tasks"): the
 * back end first (Message Stores, a store that also serves webmail after the stores it reads), IMAP enabled
 * on the stores before any webmail is upgraded, then MTA and MMP, then Webmail; then the webmail proxy
 * settings and mshttpd disabled on the back ends.
 */
public final class Ordering {

    private Ordering() {}

    static List<Plan.Dependency> dependencies(List<Plan.HostPlan> hosts) {
        boolean old = hosts.stream().anyMatch(h -> List.of("6.1", "6.0").contains(h.sourceRelease()));
        List<Plan.Dependency> deps = new ArrayList<>();
        deps.add(new Plan.Dependency(1, "Shared Components", true, "hard dependency: upgrade to Communications Suite 5"));
        deps.add(new Plan.Dependency(2, "Directory Server", old, old ? "required when upgrading from 6.1 (JES 2004Q2)"
                : "optional; if upgraded, before Messaging Server"));
        deps.add(new Plan.Dependency(3, "Access Manager", false, "optional; if upgraded, in this order"));
        deps.add(new Plan.Dependency(4, "Message Queue", false, old ? "optional (not listed for 6.1)"
                : "optional; if upgraded, in this order"));
        deps.add(new Plan.Dependency(5, "Directory Preparation Tool", true, "hard dependency: run it against the"
                + " Directory Server before upgrading Messaging Server"));
        return deps;
    }

    static List<Plan.Phase> phases(Deployment d, Set<String> toUpgrade, StepCatalog catalog) {
        List<Plan.Unit> units = units(d, toUpgrade);
        List<Plan.Phase> phases = new ArrayList<>();
        List<Plan.Unit> stores = units.stream().filter(u -> tier(d, u).equals(Tiers.MESSAGE_STORES)).toList();
        List<Plan.Unit> plainStores = stores.stream().filter(u -> !hasWebmail(d, u)).toList();
        List<Plan.Unit> storesWithWebmail = stores.stream().filter(u -> hasWebmail(d, u)).toList();
        addUnits(phases, "stores", "Message Stores", Tiers.MESSAGE_STORES, plainStores);
        List<String> upgradedStores = hostsOf(stores).stream()
                .filter(h -> d.host(h).map(x -> x.components().contains("store")).orElse(false)).toList();
        // the guide: "make sure that IMAP is enabled before upgrading and re-configuring Webmail Server that accesses
        // the Message Store" (Post-Upgrade Tasks: the new Webmail Server reaches the store over IMAP where MEM was):
        // on the upgraded stores a webmail front end reads, not on a store none reads (IMAP is left as its operators
        // set it: a POP-only store does not get port 143 opened), and on the stores a webmail of the rollout reads
        // that were at 6.3 already (an earlier rollout aborted before its IMAP phase, say); the step's check finds it
        // done where it is
        List<String> readAt63 = d.webmailStores().entrySet().stream().filter(e -> toUpgrade.contains(e.getKey()))
                .flatMap(e -> e.getValue().stream()).distinct().filter(h -> !toUpgrade.contains(h))
                .filter(h -> d.host(h).map(x -> x.components().contains("store")).orElse(false)).sorted().toList();
        addSteps(phases, "enable-imap", "Enable IMAP on the upgraded Message Stores that webmail front ends read"
                + " (before any webmail), and on the stores at 6.3 already that a webmail of the rollout reads",
                Tiers.MESSAGE_STORES, d, java.util.stream.Stream.concat(hostsOf(plainStores).stream()
                        .filter(upgradedStores::contains).filter(h -> !readersOf(d, h).isEmpty()), readAt63.stream())
                        .toList(), StepId.ENABLE_IMAP, catalog);
        List<List<Plan.Unit>> layers = readersAfterTheirStores(d, storesWithWebmail);
        for (int i = 0; i < layers.size(); i++) {
            String suffix = i == 0 ? "" : "-" + (i + 1);
            addUnits(phases, "stores-with-webmail" + suffix, "Message Stores that also serve webmail, after the stores"
                    + " they read" + (layers.size() == 1 ? "" : " (" + (i + 1) + " of " + layers.size() + ")"),
                    Tiers.MESSAGE_STORES, layers.get(i));
            addSteps(phases, "enable-imap-" + (i + 2), "Enable IMAP on those stores", Tiers.MESSAGE_STORES, d,
                    hostsOf(layers.get(i)).stream().filter(upgradedStores::contains).toList(), StepId.ENABLE_IMAP,
                    catalog);
            // the guide: after upgrading MEM to Webmail Server, configure it to access the Message Store (its own
            // store's IMAP enabled first)
            addSteps(phases, "webmail-proxy-" + (i + 2), "Point the webmail of those stores at the stores it reads",
                    Tiers.MESSAGE_STORES, d, hostsOf(layers.get(i)).stream()
                            .filter(h -> !d.webmailStores().getOrDefault(h, List.of()).isEmpty()).toList(),
                    StepId.CONFIGURE_WEBMAIL_PROXY, catalog);
        }
        addUnits(phases, "mta-mmp", "MTA and MMP", Tiers.MTA_AND_MMP,
                units.stream().filter(u -> tier(d, u).equals(Tiers.MTA_AND_MMP)).toList());
        addUnits(phases, "webmail", "Webmail Server and Communications Express", Tiers.WEBMAIL,
                units.stream().filter(u -> tier(d, u).equals(Tiers.WEBMAIL)).toList());
        // a webmail front end is pointed at its stores right after its own upgrade (UpgradeUnit); one of a cluster,
        // which goes from node to node through its standby, once its tier is done
        List<String> webmails = d.webmailStores().keySet().stream().filter(toUpgrade::contains)
                .filter(h -> d.host(h).map(x -> !x.components().contains("store")).orElse(false))
                .filter(h -> !configuresWebmailProxyWithItsUpgrade(d, h)).sorted().toList();
        addSteps(phases, "webmail-proxy", "Point each webmail of a cluster at its Message Stores", Tiers.WEBMAIL, d,
                webmails, StepId.CONFIGURE_WEBMAIL_PROXY, catalog);
        // guide, Post-Upgrade Tasks: mshttpd goes on the back ends that webmail front ends (MEM before) read, never on a
        // store no front end reads (its own mshttpd serves its users) nor on one that serves webmail itself
        List<String> backEnds = java.util.stream.Stream.concat(upgradedStores.stream(), readAt63.stream())
                .filter(h -> !readersOf(d, h).isEmpty())
                .filter(h -> d.host(h).map(x -> !x.components().contains("webmail")).orElse(false)).toList();
        addSteps(phases, "disable-mshttpd", "Disable and stop mshttpd on the back ends the webmail front ends read",
                Tiers.WEBMAIL, d, backEnds, StepId.DISABLE_MSHTTPD, catalog);
        return phases;
    }

    /**
     * Whether the host's webmail is pointed at its Message Stores right after its own upgrade, within its unit (guide,
     * Post-Upgrade Tasks: "After upgrading MEM to Webmail Server, configure it to access the Message Store"): a host
     * whose webmail reads stores, not a store itself (its own IMAP is enabled in the phase after its unit, and its
     * webmail pointed at the stores then), and not of an asymmetric-HA or N+1 cluster.
     */
    public static boolean configuresWebmailProxyWithItsUpgrade(Deployment d, String host) {
        return !d.webmailStores().getOrDefault(host, List.of()).isEmpty()
                && d.host(host).map(h -> !h.components().contains("store")).orElse(false) && d.groups().stream()
                .noneMatch(g -> g.formsACluster() && g.membersAndStandby().contains(host));
    }

    /** The hosts other than {@code store} whose webmail reads it (its front ends). */
    public static List<String> readersOf(Deployment d, String store) {
        return d.webmailStores().entrySet().stream().filter(e -> !e.getKey().equals(store))
                .filter(e -> e.getValue() != null && e.getValue().contains(store)).map(Map.Entry::getKey).sorted()
                .toList();
    }

    /**
     * The units of stores that also serve webmail, in layers: a unit comes after the units holding the remote stores
     * its webmail reads (guide, Multiple Front-end and Back-end Components: "upgrade any remote Message Stores
     * accessed by the Webmail Server before upgrading Messaging Server on the local computer"), so that IMAP is
     * enabled on them first. Units that read each other's stores cannot be ordered, nor can a host whose webmail
     * reads the store of another host of its own unit (a group is upgraded as one unit, before IMAP is enabled on any
     * of its stores): the plan is refused, naming them.
     */
    private static List<List<Plan.Unit>> readersAfterTheirStores(Deployment d, List<Plan.Unit> units) {
        List<String> withinUnit = new ArrayList<>();
        for (Plan.Unit u : units) {
            List<String> own = hostsOf(List.of(u));
            for (String h : own) {
                d.webmailStores().getOrDefault(h, List.of()).stream().filter(store -> !store.equals(h))
                        .filter(own::contains).forEach(store -> withinUnit.add(h + " reads " + store + " (group "
                                + u.id().substring("u-".length()) + ")"));
            }
        }
        if (!withinUnit.isEmpty()) {
            throw new IllegalStateException("the webmail of a host reads the Message Store of another host of its own"
                    + " group: " + String.join(", ", withinUnit) + ". The guide upgrades the remote stores a webmail"
                    + " reads, and enables IMAP on them, before the webmail's host; a group is upgraded as one unit,"
                    + " IMAP enabled after it, which does not allow that. Put the webmail's host and its stores in"
                    + " different groups");
        }
        Map<Plan.Unit, Set<Plan.Unit>> before = new LinkedHashMap<>();
        for (Plan.Unit u : units) {
            Set<String> own = new LinkedHashSet<>(hostsOf(List.of(u)));
            Set<Plan.Unit> stores = new LinkedHashSet<>();
            for (String h : own) {
                for (String store : d.webmailStores().getOrDefault(h, List.of())) {
                    units.stream().filter(o -> o != u && !own.contains(store) && hostsOf(List.of(o)).contains(store))
                            .forEach(stores::add);
                }
            }
            before.put(u, stores);
        }
        List<List<Plan.Unit>> layers = new ArrayList<>();
        Set<Plan.Unit> placed = new LinkedHashSet<>();
        while (placed.size() < units.size()) {
            List<Plan.Unit> layer = units.stream().filter(u -> !placed.contains(u))
                    .filter(u -> placed.containsAll(before.get(u))).toList();
            if (layer.isEmpty()) {
                throw new IllegalStateException("the webmail of " + units.stream().filter(u -> !placed.contains(u))
                        .flatMap(u -> u.hosts().stream()).sorted().collect(Collectors.joining(", "))
                        + " reads stores on hosts that also serve webmail reading each other's stores: the guide"
                        + " upgrades the remote stores a webmail reads before its own host, which no order allows here");
            }
            layers.add(layer);
            placed.addAll(layer);
        }
        return layers;
    }

    /** Groups become units; hosts in no group are standalone units. Hosts not to upgrade are left out. */
    static List<Plan.Unit> units(Deployment d, Set<String> toUpgrade) {
        List<Plan.Unit> units = new ArrayList<>();
        Set<String> grouped = new LinkedHashSet<>();
        for (Deployment.Group g : d.groups()) {
            List<String> members = g.members().stream().filter(toUpgrade::contains).toList();
            grouped.addAll(g.members());
            if (g.standby() != null) {
                grouped.add(g.standby());
            }
            switch (g.topology()) {
                case "load-balanced" -> addIfAny(units, new Plan.Unit("u-" + g.name(), "load-balanced", members, null));
                case "asymmetric-ha", "n-plus-1" -> {
                    if (!members.isEmpty() || toUpgrade.contains(g.standby())) {
                        units.add(new Plan.Unit("u-" + g.name(), "cluster", members, g.standby()));
                    }
                }
                case "symmetric-ha" -> addIfAny(units, new Plan.Unit("u-" + g.name(), "symmetric-ha", members, null));
                default -> members.forEach(m -> units.add(new Plan.Unit("u-" + m, "standalone", List.of(m), null)));
            }
        }
        d.hosts().stream().map(Host::name).filter(h -> !grouped.contains(h)).filter(toUpgrade::contains)
                .forEach(h -> units.add(new Plan.Unit("u-" + h, "standalone", List.of(h), null)));
        return units;
    }

    private static void addIfAny(List<Plan.Unit> units, Plan.Unit unit) {
        if (!unit.hosts().isEmpty()) {
            units.add(unit);
        }
    }

    private static String tier(Deployment d, Plan.Unit u) {
        List<Host> hosts = new ArrayList<>();
        u.hostsAndStandby().forEach(h -> d.host(h).ifPresent(hosts::add));
        return Tiers.present(hosts).stream().findFirst().orElse(Tiers.WEBMAIL);
    }

    private static boolean hasWebmail(Deployment d, Plan.Unit u) {
        return hostsOf(List.of(u)).stream().anyMatch(h -> d.webmailStores().containsKey(h)
                || d.host(h).map(x -> x.components().contains("webmail")).orElse(false));
    }

    private static List<String> hostsOf(List<Plan.Unit> units) {
        return units.stream().flatMap(u -> u.hostsAndStandby().stream()).toList();
    }

    private static void addUnits(List<Plan.Phase> phases, String id, String title, String tier, List<Plan.Unit> units) {
        if (units.isEmpty()) {
            return;
        }
        phases.add(new Plan.Phase(id, title, tier, List.copyOf(units), List.of()));
    }

    /**
     * A post-upgrade phase of these hosts, a cluster's standby left out: once every node is done it runs nothing ("On
     * NodeX, stop the MS-1 services being run by MS-X binaries"), and a configuration it would change, or a service it
     * would start (imapd, mshttpd), is a node's, whose data the node itself serves; the nodes' own steps change them.
     */
    private static void addSteps(List<Plan.Phase> phases, String id, String title, String tier, Deployment d,
            List<String> candidates, StepId step, StepCatalog catalog) {
        Set<String> standbys = d.groups().stream().filter(Deployment.Group::formsACluster)
                .map(Deployment.Group::standby).collect(java.util.stream.Collectors.toSet());
        List<String> hosts = candidates.stream().filter(h -> !standbys.contains(h)).toList();
        if (hosts.isEmpty()) {
            return;
        }
        List<Plan.PhaseStep> steps = new ArrayList<>();
        for (String h : hosts) {
            Host host = d.host(h).orElseThrow();
            HostCommand command = catalog.render(step, d, host);
            steps.add(new Plan.PhaseStep(h, step.id(), command.commandLine(), command.secretName()));
        }
        phases.add(new Plan.Phase(id, title, tier, List.of(), steps));
    }
}
