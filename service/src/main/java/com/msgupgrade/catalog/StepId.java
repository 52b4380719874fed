package com.msgupgrade.catalog;

import java.util.Arrays;

/** The steps of the guide, by the ids the BPMN models use ({@code stepId} of a call to HostStep). */
public enum StepId {
    VERIFY_CURRENT_VERSION("verify-current-version", "Verify current version information"),
    STOP_MESSAGING_SERVER("stop-messaging-server", "Stop all running Messaging Server components"),
    APPLY_CORE_PATCH("apply-core-patch", "Apply the Messaging Server core patch"),
    APPLY_LOCALIZATION_PATCH("apply-localization-patch", "Apply the localization patches"),
    CONFIRM_PATCHES("confirm-patches", "Confirm that the patch upgrades were successful"),
    PATCH_CONFIG("patch-config", "Create configuration files (patch-config)"),
    INSTALL_NEW_CONFIG("install-newconfig", "Install the 6.3 configuration files (install-newconfig)"),
    IMPORT_LDIF("import-ldif", "Import the new configuration data into the Directory Server (ldapmodify)"),
    SET_PROXY_ADMIN("set-proxy-admin", "Set the IMAP proxy admin user and password (configutil)"),
    RESTART_MESSAGING_SERVER("restart-messaging-server",
            "Raise the file descriptor limit and restart the Messaging Server components"),
    VERIFY_UPGRADE("verify-upgrade", "Verify the upgrade to 6.3 (imsimta version)"),

    // Linux 6.1: remove the 6.1 RPMs, install 6.3, configure, merge by hand
    REMOVE_61_PACKAGES("remove-61-packages", "Uninstall the 6.1 RPM packages (rpm -e --noscripts)"),
    INSTALL_CORE_RPM("install-core-rpm", "Install the Messaging Server 6.3 core RPM (rpm -i)"),
    INSTALL_LOCALIZATION_RPMS("install-localization-rpms", "Install the localization RPMs (rpm -i)"),
    SAVE_OLD_CONFIG("save-old-config", "Save off the old 6.1 configuration"),
    CONFIGURE("configure", "Run the Messaging Server configuration program (configure, from a state file)"),
    COMPARE_CONFIGURATIONS("compare-configurations", "Show the saved 6.1 and the new 6.3 configuration"),
    START_MESSAGING_SERVER("start-messaging-server",
            "Raise the file descriptor limit and start the Messaging Server components"),

    // Solaris rollback
    UNINSTALL_NEW_CONFIG("uninstall-newconfig", "Roll back the re-configuration (uninstall-newconfig)"),
    REMOVE_LOCALIZATION_PATCH("remove-localization-patch", "Remove the localization patch (patchrm)"),
    REMOVE_CORE_PATCH("remove-core-patch", "Remove the core patch (patchrm)"),
    VERIFY_PREVIOUS_VERSION("verify-previous-version",
            "Verify the host serves at its previous version (imsimta version, its daemons)"),

    // multiple instances, HA clusters, post-upgrade
    CHECK_HEALTH("check-health", "Check the upgraded host serves again before the next one stops"),
    USECONFIG("useconfig", "Set up the standby's binaries to use the node's configuration and data (useconfig)"),
    ENABLE_IMAP("enable-imap", "Enable the IMAP protocol on the upgraded Message Store"),
    CONFIGURE_WEBMAIL_PROXY("configure-webmail-proxy", "Configure Webmail Server to access its Message Stores"),
    DISABLE_MSHTTPD("disable-mshttpd", "Disable and shut down mshttpd on the back end");

    private final String id;
    private final String title;

    StepId(String id, String title) {
        this.id = id;
        this.title = title;
    }

    public String id() {
        return id;
    }

    public String title() {
        return title;
    }

    /**
     * The step whose effect this one takes back, when the host cannot always tell whether that effect is there:
     * uninstall-newconfig's check compares the active msg.conf with the one patch-config prepared, and the 6.3
     * configuration the rollout installed no longer reads the same once configutil changed it (the proxy admin,
     * IMAP enabled, the webmail proxy, mshttpd disabled). What this service ran on the host then tells instead
     * ({@code HostStepService}).
     */
    public java.util.Optional<StepId> undoes() {
        return this == UNINSTALL_NEW_CONFIG ? java.util.Optional.of(INSTALL_NEW_CONFIG) : java.util.Optional.empty();
    }

    public static StepId of(String id) {
        return Arrays.stream(values())
                .filter(s -> s.id.equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown step: " + id));
    }
}
