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
        ApprovalSettings.Deadline hour = new ApprovalSettings.Deadline(Duration.ofHours(1), Duration.ofHours(1));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ApprovalSettings(2, hour,
                Map.of("ApproveHostUpgrade", hour, "approvehostupgrade", hour), "x", java.util.List.of()))
                .hasMessageContaining("the deadline of").hasMessageContaining("given twice");
    }
}
