package com.msgupgrade.approval;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How a rollout's changes are approved and when hosts may start.
 *
 * @param downtimePolicy {@code per-host} (a change manager approves each host) or {@code per-tier}
 * @param windows        maintenance windows: no host starts outside one (none: any time)
 * @param blackouts      periods in which no change may happen at all
 */
public record ChangePolicy(String downtimePolicy, List<Period> windows, List<Period> blackouts) {

    public static final String PER_HOST = "per-host";
    public static final String PER_TIER = "per-tier";

    public ChangePolicy {
        downtimePolicy = downtimePolicy == null ? PER_HOST : downtimePolicy;
        // an empty entry ([null]) is kept as a period with neither start nor end, which problems() names
        windows = windows == null ? List.of() : windows.stream().map(ChangePolicy::orEmpty).toList();
        blackouts = blackouts == null ? List.of() : blackouts.stream().map(ChangePolicy::orEmpty).toList();
    }

    private static Period orEmpty(Period period) {
        return period == null ? new Period(null, null) : period;
    }

    public static ChangePolicy anyTime() {
        return new ChangePolicy(PER_HOST, List.of(), List.of());
    }

    public record Period(Instant start, Instant end) {
        boolean wellFormed() {
            return start != null && end != null && start.isBefore(end);
        }

        String shown() {
            return (start == null ? "(no start)" : start.toString()) + "–" + (end == null ? "(no end)" : end.toString());
        }

        boolean contains(Instant t) {
            return !t.isBefore(start) && t.isBefore(end);
        }

        boolean overlaps(Period other) {
            return start.isBefore(other.end) && other.start.isBefore(end);
        }
    }

    /** How far ahead a maintenance window may start. */
    static final java.time.Duration FARTHEST_WINDOW = java.time.Duration.ofDays(366);

    /**
     * How far ahead a window or a blackout may end: a host held by a blackout waits for its end on a timer, which the
     * engine cannot keep beyond its database's dates (and milliseconds taken for seconds put it thousands of years on).
     */
    static final java.time.Duration FARTHEST_END = FARTHEST_WINDOW.multipliedBy(2);

    /** Problems that make the rollout impossible to request, given the global blackouts too. */
    public List<String> problems(Instant now, List<Period> globalBlackouts) {
        List<String> problems = new ArrayList<>();
        if (!PER_HOST.equals(downtimePolicy) && !PER_TIER.equals(downtimePolicy)) {
            problems.add("downtimePolicy must be per-host or per-tier, was " + downtimePolicy);
        }
        List<Period> allBlackouts = new ArrayList<>(blackouts);
        allBlackouts.addAll(globalBlackouts);
        for (int i = 0; i < windows.size(); i++) {
            Period p = windows.get(i);
            if (!p.wellFormed()) {
                problems.add("windows[" + i + "] " + p.shown() + " needs a start before its end");
                continue;
            }
            if (p.start().isAfter(now.plus(FARTHEST_WINDOW))) {
                problems.add("windows[" + i + "] " + p.shown() + " starts more than " + FARTHEST_WINDOW.toDays()
                        + " days ahead: the rollout would wait that long with its gates decided and its hosts"
                        + " planned; request it closer to its window");
            } else if (p.end().isAfter(now.plus(FARTHEST_END))) {
                problems.add("windows[" + i + "] " + p.shown() + " ends more than " + FARTHEST_END.toDays()
                        + " days ahead: check its dates");
            }
            allBlackouts.stream().filter(b -> b.start() != null && b.end() != null && b.overlaps(p)).forEach(b ->
                    problems.add("window " + p.start() + "–" + p.end() + " falls into the blackout " + b.start() + "–"
                            + b.end()));
        }
        for (int i = 0; i < blackouts.size(); i++) {
            Period b = blackouts.get(i);
            if (!b.wellFormed()) {
                problems.add("blackouts[" + i + "] " + b.shown() + " needs a start before its end");
            } else if (b.start().isAfter(now.plus(FARTHEST_WINDOW))) {
                // a date in seconds where milliseconds were meant, a mistyped year: it would hold nothing
                problems.add("blackouts[" + i + "] " + b.shown() + " starts more than " + FARTHEST_WINDOW.toDays()
                        + " days ahead: it would never hold this rollout; check its dates");
            } else if (!b.end().isAfter(now)) {
                problems.add("blackouts[" + i + "] " + b.shown() + " is in the past: it would hold nothing; check its"
                        + " dates");
            } else if (b.end().isAfter(now.plus(FARTHEST_END))) {
                problems.add("blackouts[" + i + "] " + b.shown() + " ends more than " + FARTHEST_END.toDays()
                        + " days ahead: a host it holds would wait for its end that long; check its dates");
            }
        }
        if (!windows.isEmpty() && windows.stream().allMatch(w -> w.end() != null && !w.end().isAfter(now))) {
            problems.add("every maintenance window is in the past");
        }
        if (windows.isEmpty()) {
            allBlackouts.stream().filter(b -> b.start() != null && b.end() != null && b.contains(now)).forEach(b ->
                    problems.add("the rollout is requested into the blackout " + b.start() + "–" + b.end()));
        }
        return problems;
    }

    /**
     * May a host start now? In a window (or any time, without windows), and in none of the blackouts: the
     * rollout's own and {@code globalBlackouts}, the service's as configured now (one added since the rollout was
     * requested holds it too).
     */
    public boolean open(Instant now, List<Period> globalBlackouts) {
        return (windows.isEmpty() || windows.stream().anyMatch(w -> w.contains(now)))
                && java.util.stream.Stream.concat(blackouts.stream(), globalBlackouts.stream())
                        .noneMatch(b -> b.wellFormed() && b.contains(now));
    }

    /** Whether a host may start now or at some later moment. */
    public boolean momentLeft(Instant now, List<Period> globalBlackouts) {
        return open(now, globalBlackouts) || nextStart(now, globalBlackouts).isPresent();
    }

    /**
     * The first moment after now a host may start (when not open now): a window's start, or the end of the
     * blackout that holds the rollout; none when no window is left.
     */
    public Optional<Instant> nextStart(Instant now, List<Period> globalBlackouts) {
        java.util.stream.Stream<Instant> candidates = java.util.stream.Stream.concat(
                windows.stream().map(Period::start), java.util.stream.Stream.concat(blackouts.stream(),
                        globalBlackouts.stream()).filter(Period::wellFormed).map(Period::end));
        return candidates.filter(t -> t.isAfter(now)).sorted().filter(t -> open(t, globalBlackouts)).findFirst();
    }
}
