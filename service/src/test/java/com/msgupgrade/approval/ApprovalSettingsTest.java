package com.msgupgrade.approval;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** A gate's deadline given as environment variables, as the README says it can be. */
class ApprovalSettingsTest {

    @Test
    void aGatesDeadlineGivenAsEnvironmentVariablesIsFoundWhateverTheCaseOfItsFormId() {
        StandardEnvironment environment = new StandardEnvironment();
        // in place of the process's own environment (Spring maps a source of that name as environment variables)
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of(
                "MSGSRV_APPROVALS_QUORUM", "2",
                "MSGSRV_APPROVALS_ESCALATIONGROUP", "change-managers-oncall",
                "MSGSRV_APPROVALS_DEFAULTDEADLINE_ESCALATEAFTER", "PT24H",
                "MSGSRV_APPROVALS_DEFAULTDEADLINE_REJECTAFTER", "PT72H",
                "MSGSRV_APPROVALS_DEADLINES_APPROVEHOSTUPGRADE_ESCALATEAFTER", "PT30M",
                "MSGSRV_APPROVALS_DEADLINES_APPROVEHOSTUPGRADE_REJECTAFTER", "PT1H",
                "MSGSRV_APPROVALS_DEADLINES_ACCEPTRISK_REJECTAFTER", "PT2H")));
        ApprovalSettings settings = new Binder(ConfigurationPropertySources.get(environment))
                .bind("msgsrv.approvals", ApprovalSettings.class).get();
        assertThat(settings.deadline("ApproveHostUpgrade").rejectAfter()).isEqualTo(Duration.ofHours(1));
        assertThat(settings.deadline("ApproveHostUpgrade").escalateAfter()).isEqualTo(Duration.ofMinutes(30));
        // one part given: the other is the default's
        assertThat(settings.deadline("AcceptRisk").rejectAfter()).isEqualTo(Duration.ofHours(2));
        assertThat(settings.deadline("AcceptRisk").escalateAfter()).isEqualTo(Duration.ofHours(24));
        assertThat(settings.deadline("SignOff").rejectAfter()).as("the default").isEqualTo(Duration.ofHours(72));
        // given twice, in two cases: refused at start-up, naming the gate
        ApprovalSettings.Deadline hour = new ApprovalSettings.Deadline(Duration.ofMinutes(30), Duration.ofHours(1));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ApprovalSettings(2, hour,
                Map.of("ApproveHostUpgrade", hour, "approvehostupgrade", hour), "x", java.util.List.of()))
                .hasMessageContaining("the deadline of").hasMessageContaining("given twice");
    }

    /**
     * Settings that could not hold are refused as the service starts, naming them: a change freeze that would not
     * hold (a blackout without an end, or ending before it starts), a deadline of zero that rejects a gate as it
     * opens, an escalation after the rejection, a deadline for a gate that does not exist (a misspelt form id).
     */
    @Test
    void refusesBlackoutsAndDeadlinesThatCouldNotHold() {
        ApprovalSettings.Deadline fine = new ApprovalSettings.Deadline(Duration.ofHours(8), Duration.ofHours(72));
        java.time.Instant t = java.time.Instant.parse("2026-12-24T00:00:00Z");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ApprovalSettings(1, fine, Map.of(), "x",
                java.util.List.of(new ChangePolicy.Period(t, t.plusSeconds(60)), new ChangePolicy.Period(t, null))))
                .hasMessageContaining("msgsrv.approvals.blackouts[1]").hasMessageContaining("(no end)")
                .hasMessageContaining("needs a start before its end");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ApprovalSettings(1, fine, Map.of(), "x",
                java.util.List.of(new ChangePolicy.Period(t, t.minusSeconds(60)))))
                .hasMessageContaining("msgsrv.approvals.blackouts[0]");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ApprovalSettings(1,
                new ApprovalSettings.Deadline(Duration.ofHours(8), Duration.ZERO), Map.of(), "x", java.util.List.of()))
                .hasMessageContaining("msgsrv.approvals.default-deadline.reject-after must be a positive duration");
        // the default's rejection given alone, earlier than the default's escalation: no escalation, not refused
        assertThat(new ApprovalSettings(1, new ApprovalSettings.Deadline(Duration.ofHours(8), Duration.ofHours(4)),
                Map.of(), "x", java.util.List.of()).deadline("SignOff").rejectAfter()).isEqualTo(Duration.ofHours(4));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ApprovalSettings(1, fine, Map.of("SignOff",
                new ApprovalSettings.Deadline(Duration.ofHours(2), Duration.ofHours(1))), "x", java.util.List.of()))
                .hasMessageContaining("msgsrv.approvals.deadlines.SignOff: escalate-after (PT2H) must come before"
                        + " reject-after (PT1H)");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ApprovalSettings(1, fine, Map.of(
                "ApproveHostUpgrde", fine), "x", java.util.List.of()))
                .hasMessageContaining("msgsrv.approvals.deadlines.ApproveHostUpgrde: no gate has that form id");
    }

    /** The gates the settings know are the gates whose deadlines the processes read, no more, no fewer. */
    @Test
    void knowsTheGatesWhoseDeadlinesTheProcessesRead() throws Exception {
        java.util.Set<String> read = new java.util.TreeSet<>();
        try (var models = java.nio.file.Files.list(java.nio.file.Path.of("..", "processes"))) {
            for (java.nio.file.Path model : models.filter(p -> p.toString().endsWith(".bpmn")).toList()) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("approvalDeadlines\\.\\w+\\('(\\w+)'\\)")
                        .matcher(java.nio.file.Files.readString(model));
                while (m.find()) {
                    read.add(m.group(1));
                }
            }
        }
        assertThat(read).isNotEmpty().isEqualTo(new java.util.TreeSet<>(ApprovalSettings.GATES));
    }
}
