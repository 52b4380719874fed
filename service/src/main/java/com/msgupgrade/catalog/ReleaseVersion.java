package com.msgupgrade.catalog;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the release label from {@code imsimta version}: "Sun Java(tm) System Messaging Server
 * 6.3-0.15 (built Feb  9 2007)" is 6.3; 6.2-3.04 is 6.2p3 (patch 3 and later); 6.2-1.02 is 6.2.
 */
public final class ReleaseVersion {

    private static final Pattern BUILD = Pattern.compile("Messaging Server (\\d+)\\.(\\d+)-(\\d+)\\.\\d+");

    private ReleaseVersion() {}

    public static Optional<String> fromImsimta(String output) {
        Matcher m = BUILD.matcher(output == null ? "" : output);
        if (!m.find()) {
            return Optional.empty();
        }
        String release = m.group(1) + "." + m.group(2);
        if (release.equals("6.2") && Integer.parseInt(m.group(3)) >= 3) {
            return Optional.of("6.2p3");
        }
        return Optional.of(release);
    }

    private static final Pattern FULL_BUILD = Pattern.compile("Messaging Server (\\d+\\.\\d+-\\d+\\.\\d+)");

    /** The whole build {@code imsimta version} reports ({@code 6.2-3.04}): the patch level within a release. */
    public static Optional<String> build(String output) {
        Matcher m = FULL_BUILD.matcher(output == null ? "" : output);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** A problem when the output does not report the expected release. */
    public static Optional<String> expect(String expected, String output) {
        Optional<String> found = fromImsimta(output);
        if (found.isEmpty()) {
            return Optional.of("imsimta version printed no Messaging Server release");
        }
        if (!found.get().equals(expected)) {
            return Optional.of("imsimta version reports " + found.get() + ", expected " + expected);
        }
        return Optional.empty();
    }
}
