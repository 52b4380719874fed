package com.msgupgrade.planning;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.Map;
import org.camunda.bpm.dmn.engine.DmnDecision;
import org.camunda.bpm.dmn.engine.DmnEngine;
import org.camunda.bpm.dmn.engine.DmnEngineConfiguration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** processes/UpgradePath.dmn is guide Table 4-1: one assertion per row, and the refusals. */
class UpgradePathDecisionTest {

    static DmnEngine dmn;
    static DmnDecision decision;

    @BeforeAll
    static void parse() throws Exception {
        dmn = DmnEngineConfiguration.createDefaultDmnEngineConfiguration().buildEngine();
        try (InputStream in = UpgradePathDecisionTest.class.getResourceAsStream("/processes/UpgradePath.dmn")) {
            decision = dmn.parseDecision(UpgradePaths.DECISION_KEY, in);
        }
    }

    private static Map<String, Object> path(String release, String os) {
        return dmn.evaluateDecisionTable(decision, Map.of("sourceRelease", release, "os", os)).getSingleResult()
                .getEntryMap();
    }

    private static void assertPath(String release, String os, String procedure, boolean certified, boolean rollback) {
        Map<String, Object> row = path(release, os);
        assertThat(row).containsEntry("procedure", procedure).containsEntry("certified", certified)
                .containsEntry("rollbackSupported", rollback);
        assertThat(row.get("refusal")).isNull();
    }

    @Test
    void jes2005Q4OnSolarisIsPatchedAndCanBeRolledBack() {
        assertPath("6.2p3", "solaris", "solaris-patch", true, true);
    }

    @Test
    void jes2005Q4OnLinuxIsFreshenedAndCannotBeRolledBack() {
        assertPath("6.2p3", "linux", "linux-rpm-freshen", true, false);
    }

    @Test
    void jes2005Q1IsUpgradedAs2005Q4() {
        assertPath("6.2", "solaris", "solaris-patch", true, true);
        assertPath("6.2", "linux", "linux-rpm-freshen", true, false);
    }

    @Test
    void jes2004Q2OnSolarisIsPatched() {
        assertPath("6.1", "solaris", "solaris-patch", true, true);
    }

    @Test
    void jes2004Q2OnLinuxIsReinstalledAndCannotBeRolledBack() {
        assertPath("6.1", "linux", "linux-61-reinstall", true, false);
    }

    @Test
    void jes2003Q4OnSolarisIsPatchedButNotCertified() {
        assertPath("6.0", "solaris", "solaris-patch", false, true);
    }

    @Test
    void refuses60OnLinux() {
        Map<String, Object> row = path("6.0", "linux");
        assertThat(row.get("procedure")).isNull();
        assertThat((String) row.get("refusal")).contains("Solaris only");
    }

    @Test
    void refuses52WithThePointerTo2005Q1Procedures() {
        for (String os : new String[] {"solaris", "linux"}) {
            Map<String, Object> row = path("5.2", os);
            assertThat(row.get("procedure")).isNull();
            assertThat((String) row.get("refusal")).contains("no direct upgrade").contains("2005Q1")
                    .contains("819-0062");
        }
    }

    @Test
    void refusesAnUnknownRelease() {
        Map<String, Object> row = path("7.0", "solaris");
        assertThat(row.get("procedure")).isNull();
        assertThat((String) row.get("refusal")).contains("unknown source release");
    }
}
