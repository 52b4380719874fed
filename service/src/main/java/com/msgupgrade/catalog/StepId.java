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
    VERIFY_UPGRADE("verify-upgrade", "Verify the upgrade to 6.3 (imsimta version)");

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

    public static StepId of(String id) {
        return Arrays.stream(values())
                .filter(s -> s.id.equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown step: " + id));
    }
}
