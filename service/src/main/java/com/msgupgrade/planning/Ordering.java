package com.msgupgrade.planning;

import com.msgupgrade.catalog.HostCommand;
import com.msgupgrade.catalog.StepCatalog;
import com.msgupgrade.catalog.StepId;
import com.msgupgrade.inventory.Deployment;
import com.msgupgrade.inventory.Host;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The order of a multi-host rollout (guide "Multiple Instance Upgrades" and "Post-Upgrade Tasks"): the
 * back end first (Message Stores, a store that also serves webmail after the stores it reads), IMAP enabled
 * on the stores before any webmail is upgraded, then MTA and MMP, then Webmail; then the webmail proxy
 * settings and mshttpd disabled on the back ends.
 */
final class Ordering {

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
        addSteps(phases, "enable-imap", "Enable IMAP on the upgraded Message Stores (before any webmail)",
                Tiers.MESSAGE_STORES, d, hostsOf(plainStores).stream().filter(upgradedStores::contains).toList(),
                StepId.ENABLE_IMAP, catalog);
        addUnits(phases, "stores-with-webmail", "Message Stores that also serve webmail, after the stores they read",
                Tiers.MESSAGE_STORES, storesWithWebmail);
        addSteps(phases, "enable-imap-2", "Enable IMAP on those stores", Tiers.MESSAGE_STORES, d,
                hostsOf(storesWithWebmail).stream().filter(upgradedStores::contains).toList(), StepId.ENABLE_IMAP,
                catalog);
        addUnits(phases, "mta-mmp", "MTA and MMP", Tiers.MTA_AND_MMP,
                units.stream().filter(u -> tier(d, u).equals(Tiers.MTA_AND_MMP)).toList());
        addUnits(phases, "webmail", "Webmail Server and Communications Express", Tiers.WEBMAIL,
                units.stream().filter(u -> tier(d, u).equals(Tiers.WEBMAIL)).toList());
        List<String> webmails = d.webmailStores().keySet().stream().filter(toUpgrade::contains).sorted().toList();
        addSteps(phases, "webmail-proxy", "Point each webmail at its Message Stores", Tiers.WEBMAIL, d, webmails,
                StepId.CONFIGURE_WEBMAIL_PROXY, catalog);
        if (d.hosts().size() > 1) {
            List<String> backEnds = upgradedStores.stream()
                    .filter(h -> d.host(h).map(x -> !x.components().contains("webmail")).orElse(false)).toList();
            addSteps(phases, "disable-mshttpd", "Disable and stop mshttpd on the back ends", Tiers.WEBMAIL, d, backEnds,
                    StepId.DISABLE_MSHTTPD, catalog);
        }
        return phases;
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
        u.hosts().forEach(h -> d.host(h).ifPresent(hosts::add));
        if (u.standby() != null) {
            d.host(u.standby()).ifPresent(hosts::add);
        }
        return Tiers.present(hosts).stream().findFirst().orElse(Tiers.WEBMAIL);
    }

    private static boolean hasWebmail(Deployment d, Plan.Unit u) {
        return u.hosts().stream().anyMatch(h -> d.webmailStores().containsKey(h)
                || d.host(h).map(x -> x.components().contains("webmail")).orElse(false));
    }

    private static List<String> hostsOf(List<Plan.Unit> units) {
        List<String> hosts = new ArrayList<>();
        for (Plan.Unit u : units) {
            hosts.addAll(u.hosts());
            if (u.standby() != null) {
                hosts.add(u.standby());
            }
        }
        return hosts;
    }

    private static void addUnits(List<Plan.Phase> phases, String id, String title, String tier, List<Plan.Unit> units) {
        if (units.isEmpty()) {
            return;
        }
        phases.add(new Plan.Phase(id, title, tier, List.copyOf(units), List.of()));
    }

    private static void addSteps(List<Plan.Phase> phases, String id, String title, String tier, Deployment d,
            List<String> hosts, StepId step, StepCatalog catalog) {
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
