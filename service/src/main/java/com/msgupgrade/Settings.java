package com.msgupgrade;

import java.time.Duration;

/**
 * Checks of the service's settings as it starts: a value that cannot work is refused there, naming the setting and
 * the value, rather than found when a rollout first needs it (a host that looks unreachable, a gate rejected as it
 * opens, a step polling its host in a tight loop).
 */
public final class Settings {

    private Settings() {}

    /** The duration, unless it is zero or negative (or missing). */
    public static Duration positive(Duration value, String property) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(property + " must be a positive duration (ISO-8601, as PT30S), was "
                    + value);
        }
        return value;
    }

    /** The duration, unless it is negative (or missing): zero turns what it times off. */
    public static Duration notNegative(Duration value, String property) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(property + " must not be negative (ISO-8601, as PT30S; PT0S turns it"
                    + " off), was " + value);
        }
        return value;
    }

    /** The number, unless it is below {@code least}. */
    public static int atLeast(int value, int least, String property) {
        if (value < least) {
            throw new IllegalArgumentException(property + " must be at least " + least + ", was " + value);
        }
        return value;
    }
}
