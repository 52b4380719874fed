package com.msgupgrade.web;

/** A value given by a caller, as an error message, the audit trail or the log show it. */
public final class Shown {

    private Shown() {}

    /**
     * Quoted, cut to 80 characters, with line breaks and other control characters made visible: a value of any
     * length or shape cannot flood a message nor forge a line of the log.
     */
    public static String quoted(String value) {
        if (value == null) {
            return "(missing)";
        }
        String shown = value.length() > 80 ? value.substring(0, 80) + "…" : value;
        StringBuilder out = new StringBuilder("'");
        shown.codePoints().forEach(c -> {
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isISOControl(c)) {
                        out.append(String.format("\\u%04x", c));
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.append("'").toString();
    }
}
