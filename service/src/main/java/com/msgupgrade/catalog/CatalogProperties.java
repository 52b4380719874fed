package com.msgupgrade.catalog;

import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Patch ids and RPM names of the upgrade (guide Table 4-4 / 4-5). Revisions are minimums:
 * a newer revision already applied on a host satisfies the step.
 */
@ConfigurationProperties("msgsrv.catalog")
public record CatalogProperties(Solaris solaris, Linux linux, int fileDescriptors) {

    /** The guide: "Configure ulimit with a value no less than 12851." */
    public static final int MINIMUM_FILE_DESCRIPTORS = 12851;

    public CatalogProperties {
        if (fileDescriptors < MINIMUM_FILE_DESCRIPTORS) {
            throw new IllegalArgumentException("msgsrv.catalog.file-descriptors is " + fileDescriptors
                    + ": the guide requires at least " + MINIMUM_FILE_DESCRIPTORS);
        }
        PatchId.requireAll(solaris.corePatch().values(), "msgsrv.catalog.solaris.core-patch");
        PatchId.requireAll(solaris.localizationPatch().values(), "msgsrv.catalog.solaris.localization-patch");
        PatchId.requireAll(java.util.List.of(linux.corePatch()), "msgsrv.catalog.linux.core-patch");
        PatchId.requireAll(java.util.List.of(linux.localizationPatch()), "msgsrv.catalog.linux.localization-patch");
        rpm(linux.coreRpm(), "msgsrv.catalog.linux.core-rpm", false);
        rpm(linux.localizationRpm(), "msgsrv.catalog.linux.localization-rpm", true);
    }

    /**
     * An RPM file's name as the guide gives it ({@code sun-messaging-server-6.3-13.9.i386.rpm}), its locale as
     * {@code {locale}} where there is one per locale: found wrong at start-up, not when a host's confirm step fails.
     */
    private static void rpm(String name, String property, boolean perLocale) {
        if (name == null || !name.matches("[A-Za-z0-9{}._+-]+\\.rpm")) {
            throw new IllegalArgumentException(property + " must be an RPM file's name (letters, digits, . _ + -,"
                    + " ending in .rpm), was " + name);
        }
        if (perLocale != name.contains("{locale}")) {
            throw new IllegalArgumentException(property + (perLocale ? " must hold {locale}, where the locale goes"
                    : " must not hold {locale}") + ", was " + name);
        }
    }

    /** Patch ids per architecture (sparc, x86). */
    public record Solaris(Map<String, String> corePatch, Map<String, String> localizationPatch) {}

    /** The Linux RPMs; {@code {locale}} in localizationRpm stands for the locale. */
    public record Linux(String corePatch, String coreRpm, String localizationPatch, String localizationRpm) {}
}
