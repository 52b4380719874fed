package com.msgupgrade.approval;

import static org.assertj.core.api.Assertions.assertThat;

import com.msgupgrade.approval.ChangePolicy.Period;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a host may start: in a window (any time without one), never in a blackout, the service's included. */
class ChangePolicyTest {

    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    static Period period(String start, String end) {
        return new Period(Instant.parse(start), Instant.parse(end));
    }

    @Test
    void withoutWindowsAHostStartsAnyTimeButInABlackout() {
        Period christmas = period("2026-12-24T00:00:00Z", "2026-12-27T00:00:00Z");
        ChangePolicy policy = new ChangePolicy(ChangePolicy.PER_HOST, List.of(), List.of(christmas));
        assertThat(policy.open(NOW, List.of())).isTrue();
        Instant inIt = Instant.parse("2026-12-25T08:00:00Z");
        assertThat(policy.open(inIt, List.of())).isFalse();
        assertThat(policy.nextStart(inIt, List.of())).contains(christmas.end());
        assertThat(policy.open(christmas.end(), List.of())).as("a blackout's end is open").isTrue();
    }

    /** A blackout the service was given after the rollout was requested holds its hosts too, until it ends. */
    @Test
    void theServicesBlackoutHoldsARolloutRequestedBeforeIt() {
        ChangePolicy policy = ChangePolicy.anyTime();
        List<Period> freeze = List.of(period("2026-12-01T09:00:00Z", "2026-12-01T18:00:00Z"));
        assertThat(policy.open(NOW, freeze)).isFalse();
        assertThat(policy.nextStart(NOW, freeze)).contains(Instant.parse("2026-12-01T18:00:00Z"));
    }

    @Test
    void theNextStartIsTheFirstMomentInAWindowAndOutOfEveryBlackout() {
        Period first = period("2026-12-01T09:00:00Z", "2026-12-01T12:00:00Z");
        Period second = period("2026-12-02T20:00:00Z", "2026-12-02T23:00:00Z");
        ChangePolicy policy = new ChangePolicy(ChangePolicy.PER_TIER, List.of(first, second), List.of());
        assertThat(policy.open(NOW, List.of())).isTrue();
        // a freeze over the rest of the first window and the start of the second: its end, within the second
        List<Period> freeze = List.of(period("2026-12-01T09:30:00Z", "2026-12-02T21:00:00Z"));
        assertThat(policy.open(NOW, freeze)).isFalse();
        assertThat(policy.nextStart(NOW, freeze)).contains(Instant.parse("2026-12-02T21:00:00Z"));
        // a freeze past the last window: none left
        assertThat(policy.nextStart(NOW, List.of(period("2026-12-01T09:30:00Z", "2026-12-03T00:00:00Z")))).isEmpty();
        // outside its windows, the next window's start
        assertThat(policy.nextStart(Instant.parse("2026-12-01T13:00:00Z"), List.of())).contains(second.start());
    }
    /**
     * A window or blackout ending beyond two years is refused, naming it: a host a blackout holds waits for its end
     * on a timer, which the engine cannot keep beyond its database's dates (an end in milliseconds taken for seconds
     * falls in the year 58970).
     */
    @Test
    void aWindowOrBlackoutEndingTooFarAheadIsRefusedNamingIt() {
        Period endless = new Period(NOW.plusSeconds(3600), Instant.ofEpochSecond(1_798_761_600_000L));
        ChangePolicy policy = new ChangePolicy(ChangePolicy.PER_HOST, List.of(), List.of(endless));
        assertThat(policy.problems(NOW, List.of())).singleElement().asString().startsWith("blackouts[0] ")
                .contains("ends more than 732 days ahead");
        ChangePolicy window = new ChangePolicy(ChangePolicy.PER_HOST, List.of(endless), List.of());
        assertThat(window.problems(NOW, List.of())).singleElement().asString().startsWith("windows[0] ")
                .contains("ends more than 732 days ahead");
        Period yearLong = new Period(NOW.plusSeconds(3600), NOW.plus(java.time.Duration.ofDays(400)));
        assertThat(new ChangePolicy(ChangePolicy.PER_HOST, List.of(), List.of(yearLong)).problems(NOW, List.of()))
                .isEmpty();
    }
}
