package com.msgupgrade.planning;

import java.util.Arrays;

/** The procedures of guide Table 4-1, each run by one host process. */
public enum Procedure {
    SOLARIS_PATCH("solaris-patch", "HostUpgradeSolaris"),
    LINUX_RPM_FRESHEN("linux-rpm-freshen", "HostUpgradeLinux"),
    LINUX_61_REINSTALL("linux-61-reinstall", "HostUpgradeLinux61");

    private final String id;
    private final String processKey;

    Procedure(String id, String processKey) {
        this.id = id;
        this.processKey = processKey;
    }

    public String id() {
        return id;
    }

    public String processKey() {
        return processKey;
    }

    public static Procedure of(String id) {
        return Arrays.stream(values()).filter(p -> p.id.equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown procedure: " + id));
    }
}
