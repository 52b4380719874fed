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
        PatchId.parse(linux.corePatch());
        PatchId.parse(linux.localizationPatch());
    }

    /** Patch ids per architecture (sparc, x86). */
    public record Solaris(Map<String, String> corePatch, Map<String, String> localizationPatch) {}

    /** The Linux RPMs; {@code {locale}} in localizationRpm stands for the locale. */
    public record Linux(String corePatch, String coreRpm, String localizationPatch, String localizationRpm) {}
}
