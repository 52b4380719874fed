package com.msgupgrade.planning;

import static com.msgupgrade.catalog.StepId.*;

import com.msgupgrade.catalog.StepId;
import com.msgupgrade.inventory.Host;
import java.util.ArrayList;
import java.util.List;

/**
 * The order of the steps of each procedure for one host, as its host process runs them
 * (HostUpgradeSolarisProcessTest checks that the BPMN and this list agree).
 */
public final class HostSteps {

    private HostSteps() {}

    /**
     * @param when the condition under which the step runs, when it does not always run
     * @param on the host the step runs on when it is not the planned host itself (a cluster's standby), else null
     */
    public record Conditional(StepId step, String when, String on) {
        public Conditional(StepId step, String when) {
            this(step, when, null);
        }
    }

    public static List<Conditional> of(Procedure procedure, Host host) {
        List<Conditional> steps = new ArrayList<>();
        switch (procedure) {
            case SOLARIS_PATCH, LINUX_RPM_FRESHEN -> {
                steps.add(new Conditional(VERIFY_CURRENT_VERSION, null));
                steps.add(new Conditional(STOP_MESSAGING_SERVER, null));
                steps.add(new Conditional(APPLY_CORE_PATCH, null));
                ifLocalized(steps, APPLY_LOCALIZATION_PATCH, host);
                steps.add(new Conditional(CONFIRM_PATCHES, null));
                steps.add(new Conditional(PATCH_CONFIG, null));
                steps.add(new Conditional(INSTALL_NEW_CONFIG, null));
                steps.add(new Conditional(IMPORT_LDIF, null));
                if (host.proxyAdmin() != null) {
                    steps.add(new Conditional(SET_PROXY_ADMIN, "the IMAP proxy account differs from the store's"));
                }
                steps.add(new Conditional(RESTART_MESSAGING_SERVER, null));
                steps.add(new Conditional(VERIFY_UPGRADE, null));
            }
            case LINUX_61_REINSTALL -> {
                steps.add(new Conditional(VERIFY_CURRENT_VERSION, null));
                steps.add(new Conditional(STOP_MESSAGING_SERVER, null));
                steps.add(new Conditional(REMOVE_61_PACKAGES, null));
                steps.add(new Conditional(INSTALL_CORE_RPM, null));
                ifLocalized(steps, INSTALL_LOCALIZATION_RPMS, host);
                steps.add(new Conditional(CONFIRM_PATCHES, null));
                steps.add(new Conditional(SAVE_OLD_CONFIG, null));
                steps.add(new Conditional(CONFIGURE, null));
                steps.add(new Conditional(COMPARE_CONFIGURATIONS, null));
                steps.add(new Conditional(START_MESSAGING_SERVER, null));
                steps.add(new Conditional(VERIFY_UPGRADE, null));
            }
        }
        return steps;
    }

    /**
     * An active node of an asymmetric-HA or N+1 cluster, as UpgradeCluster runs it (guide, High Availability
     * Clusters): its services moved to the standby while the node is patched and its configuration migrated, the
     * services down only during install-newconfig ("8. Run install-newconfig on MS-1. 9. Bring the MS-1 services
     * back up"; the IMAP proxy account, a configutil setting the start reads, set before). The LDIF import changes the
     * Directory Server, not the node: it runs once the node serves again, so that neither it nor an operator's
     * decision on it keeps the node's services down. The steps on the standby name it ({@link Conditional#on}).
     */
    public static List<Conditional> clusterNode(Host node, Host standby) {
        String x = standby.name();
        List<Conditional> steps = new ArrayList<>();
        steps.add(new Conditional(VERIFY_CURRENT_VERSION, null));
        steps.add(new Conditional(VERIFY_CURRENT_VERSION, "the standby is at the node's patch level", x));
        steps.add(new Conditional(USECONFIG, null, x));
        steps.add(new Conditional(STOP_MESSAGING_SERVER, null));
        steps.add(new Conditional(START_MESSAGING_SERVER, null, x));
        steps.add(new Conditional(APPLY_CORE_PATCH, null));
        ifLocalized(steps, APPLY_LOCALIZATION_PATCH, node);
        steps.add(new Conditional(CONFIRM_PATCHES, null));
        steps.add(new Conditional(PATCH_CONFIG, null));
        steps.add(new Conditional(STOP_MESSAGING_SERVER, null, x));
        steps.add(new Conditional(INSTALL_NEW_CONFIG, null));
        if (node.proxyAdmin() != null) {
            steps.add(new Conditional(SET_PROXY_ADMIN, "the IMAP proxy account differs from the store's"));
        }
        steps.add(new Conditional(START_MESSAGING_SERVER, null));
        steps.add(new Conditional(IMPORT_LDIF, null));
        steps.add(new Conditional(VERIFY_UPGRADE, null));
        return steps;
    }

    /** A cluster's standby, patched last to the nodes' level, as UpgradeCluster runs it. */
    public static List<Conditional> clusterStandby(Host standby) {
        List<Conditional> steps = new ArrayList<>();
        steps.add(new Conditional(APPLY_CORE_PATCH, null));
        ifLocalized(steps, APPLY_LOCALIZATION_PATCH, standby);
        steps.add(new Conditional(CONFIRM_PATCHES, null));
        steps.add(new Conditional(VERIFY_UPGRADE, null));
        return steps;
    }

    /** A localization step, for a host that has locales. */
    private static void ifLocalized(List<Conditional> steps, StepId step, Host host) {
        if (host.hasLocales()) {
            steps.add(new Conditional(step, "the host has locales " + host.locales()));
        }
    }

    /** The Solaris rollback (guide "Rolling Back the Upgrade (Solaris)"), as HostRollbackSolaris runs it. */
    public static List<Conditional> rollback(Host host) {
        List<Conditional> steps = new ArrayList<>();
        steps.add(new Conditional(STOP_MESSAGING_SERVER, null));
        steps.add(new Conditional(UNINSTALL_NEW_CONFIG, null));
        ifLocalized(steps, REMOVE_LOCALIZATION_PATCH, host);
        steps.add(new Conditional(REMOVE_CORE_PATCH, null));
        steps.add(new Conditional(START_MESSAGING_SERVER, null));
        steps.add(new Conditional(VERIFY_PREVIOUS_VERSION, null));
        return steps;
    }
}
