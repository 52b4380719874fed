package com.msgupgrade.catalog;

import java.util.List;

/** Reads what patch-config reports: lines {@code CONFLICT: <file>: <parameter> ...} need a person's review. */
public final class PatchConfigOutput {

    private PatchConfigOutput() {}

    public static List<String> conflicts(String output) {
        return output.lines()
                .map(String::trim)
                .filter(line -> line.startsWith("CONFLICT:"))
                .map(line -> line.substring("CONFLICT:".length()).trim())
                .toList();
    }
}
