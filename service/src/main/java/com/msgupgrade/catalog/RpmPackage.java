package com.msgupgrade.catalog;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An RPM package as {@code rpm -q} prints it: {@code name-version-release} (sun-messaging-server-6.3-13.9). The
 * guide's revisions are minimums ("If newer revisions become available, use the newer ones"): a package of the same
 * name at a later version or release satisfies one that asks for an earlier.
 */
record RpmPackage(String name, String version, String release) {

    private static final Pattern FORMAT = Pattern.compile("(.+)-([^-]+)-([^-]+)");
    private static final Pattern SEGMENT = Pattern.compile("[0-9]+|[a-zA-Z]+");

    /** The package a line of {@code rpm -q}'s output names; empty for anything else ("package … is not installed"). */
    static Optional<RpmPackage> parse(String line) {
        Matcher m = FORMAT.matcher(line.trim());
        return m.matches() && !line.contains(" ") ? Optional.of(new RpmPackage(m.group(1), m.group(2), m.group(3)))
                : Optional.empty();
    }

    /** This package, or a later version or release of it. */
    boolean satisfies(RpmPackage wanted) {
        if (!name.equals(wanted.name)) {
            return false;
        }
        int byVersion = compare(version, wanted.version);
        return byVersion > 0 || byVersion == 0 && compare(release, wanted.release) >= 0;
    }

    /** Whether a line of {@code rpm -q}'s output is {@code wanted} or a later version or release of it. */
    static boolean lineSatisfies(String line, String wanted) {
        RpmPackage want = parse(wanted).orElseThrow(() -> new IllegalArgumentException("not a package: " + wanted));
        return parse(line).map(p -> p.satisfies(want)).orElse(false);
    }

    /**
     * rpm's ordering of versions, as its rpmvercmp: the digit and letter runs compared in turn, digits by number,
     * letters as text, a digit run newer than a letter run, and the one with runs left over newer.
     */
    static int compare(String a, String b) {
        Matcher x = SEGMENT.matcher(a);
        Matcher y = SEGMENT.matcher(b);
        while (true) {
            boolean hasX = x.find();
            boolean hasY = y.find();
            if (!hasX || !hasY) {
                return Boolean.compare(hasX, hasY);
            }
            String s = x.group();
            String t = y.group();
            boolean digitsS = Character.isDigit(s.charAt(0));
            boolean digitsT = Character.isDigit(t.charAt(0));
            int c = digitsS != digitsT ? (digitsS ? 1 : -1)
                    : digitsS ? new java.math.BigInteger(s).compareTo(new java.math.BigInteger(t)) : s.compareTo(t);
            if (c != 0) {
                return c;
            }
        }
    }
}
