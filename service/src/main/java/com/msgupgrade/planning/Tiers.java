package com.msgupgrade.planning;

import com.msgupgrade.inventory.Host;
import java.util.Collection;
import java.util.List;

/** The tiers of the guide's "Multiple Front-end and Back-end Components", back end first. */
public final class Tiers {

    public static final String MESSAGE_STORES = "message-stores";
    public static final String MTA_AND_MMP = "mta-and-mmp";
    public static final String WEBMAIL = "webmail";
    static final List<String> ORDER = List.of(MESSAGE_STORES, MTA_AND_MMP, WEBMAIL);

    private Tiers() {}

    /** A host belongs to the tier of its back-most component. */
    public static String of(Host host) {
        if (host.components().contains("store")) {
            return MESSAGE_STORES;
        }
        if (host.components().contains("mta") || host.components().contains("mmp")) {
            return MTA_AND_MMP;
        }
        return WEBMAIL;
    }

    /** The tiers these hosts occupy, in upgrade order. */
    public static List<String> present(Collection<Host> hosts) {
        return ORDER.stream().filter(t -> hosts.stream().anyMatch(h -> of(h).equals(t))).toList();
    }
}
