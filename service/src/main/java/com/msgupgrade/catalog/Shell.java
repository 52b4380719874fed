package com.msgupgrade.catalog;

/**
 * Quoting for Bourne {@code sh} (Solaris 10 {@code /bin/sh}): the one place where values become
 * command-line words. Values are validated at the API boundary as well; quoting is the second wall.
 */
public final class Shell {

    private Shell() {}

    /** One shell word, single-quoted: {@code it's} becomes {@code 'it'\''s'}. */
    public static String quote(String value) {
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0 || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("control characters are not allowed in a command argument");
        }
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /** The shell variable the detached runner points at the step's 0600 secret file. */
    public static final String SECRET_FILE = "\"$SECRET_FILE\"";
}
