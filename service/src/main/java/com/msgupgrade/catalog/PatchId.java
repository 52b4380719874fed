package com.msgupgrade.catalog;

import java.util.Collection;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Sun patch id, {@code 120228-26}: base id and revision. Revisions compare as numbers. */
public record PatchId(String base, int revision) {

    private static final Pattern FORMAT = Pattern.compile("(\\d{6})-(\\d{2,3})");

    public static PatchId parse(String text) {
        Matcher m = FORMAT.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a patch id (NNNNNN-NN): " + text);
        }
        return new PatchId(m.group(1), Integer.parseInt(m.group(2)));
    }

    static void requireAll(Collection<String> ids, String property) {
        for (String id : ids) {
            try {
                parse(id);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(property + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * The highest revision of this patch found in {@code showrev -p} output, if any: as a line's {@code Patch:} field,
     * not where another patch's {@code Requires:} or {@code Obsoletes:} names it.
     */
    public Optional<PatchId> appliedIn(String showrevOutput) {
        Matcher m = Pattern.compile("\\bPatch:\\s*" + base + "-(\\d{2,3})\\b").matcher(showrevOutput);
        PatchId best = null;
        while (m.find()) {
            int rev = Integer.parseInt(m.group(1));
            if (best == null || rev > best.revision) {
                best = new PatchId(base, rev);
            }
        }
        return Optional.ofNullable(best);
    }

    /** True when {@code showrev -p} lists this patch at this revision or a newer one. */
    public boolean satisfiedBy(String showrevOutput) {
        return appliedIn(showrevOutput).map(p -> p.revision >= revision).orElse(false);
    }

    @Override
    public String toString() {
        return String.format("%s-%02d", base, revision);
    }
}
