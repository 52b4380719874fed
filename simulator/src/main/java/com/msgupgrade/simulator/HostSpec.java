package com.msgupgrade.simulator;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One simulated Messaging Server host.
 *
 * @param name          host name, also the directory name under the fleet directory
 * @param os            {@code solaris} or {@code linux}
 * @param arch          {@code sparc}, {@code x86} or {@code i386}
 * @param sourceRelease release installed before the upgrade: {@code 6.0 6.1 6.2 6.2p3 6.3}
 * @param components    among {@code store mta mmp webmail}
 * @param locales       installed locales (for localization patches), e.g. {@code de}
 */
public record HostSpec(String name, String os, String arch, String sourceRelease,
                       List<String> components, List<String> locales) {

    static final Set<String> OPERATING_SYSTEMS = Set.of("solaris", "linux");
    static final Set<String> ARCHITECTURES = Set.of("sparc", "x86", "i386");
    static final Set<String> RELEASES = Set.of("6.0", "6.1", "6.2", "6.2p3", "6.3");
    static final Set<String> COMPONENTS = Set.of("store", "mta", "mmp", "webmail");

    public HostSpec {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("host name must be a plain file name: " + name);
        }
        require(OPERATING_SYSTEMS, os, "os");
        require(ARCHITECTURES, arch, "arch");
        require(RELEASES, sourceRelease, "sourceRelease");
        components = List.copyOf(components);
        components.forEach(component -> require(COMPONENTS, component, "component"));
        locales = List.copyOf(locales);
    }

    /** A Solaris SPARC host without localization. */
    public static HostSpec solaris(String name, String sourceRelease, List<String> components) {
        return new HostSpec(name, "solaris", "sparc", sourceRelease, components, List.of());
    }

    /** A Linux i386 host without localization. */
    public static HostSpec linux(String name, String sourceRelease, List<String> components) {
        return new HostSpec(name, "linux", "i386", sourceRelease, components, List.of());
    }

    public HostSpec withLocales(List<String> newLocales) {
        return new HostSpec(name, os, arch, sourceRelease, components, newLocales);
    }

    boolean isSolaris() {
        return "solaris".equals(os);
    }

    private static void require(Set<String> allowed, String value, String what) {
        if (!allowed.contains(value)) {
            throw new IllegalArgumentException(what + " must be one of " + allowed + ": " + value);
        }
    }
}
