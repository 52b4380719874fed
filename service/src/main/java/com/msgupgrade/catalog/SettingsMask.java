package com.msgupgrade.catalog;

import java.util.regex.Pattern;

/**
 * A configuration's credentials out of what is shown of it: the value of every setting whose name says it holds one
 * ({@code local.ugldapbindcred}, {@code local.service.proxy.adminpass}, a {@code …password} …), as {@code msg.conf}
 * and the other configuration files keep them in clear, masked in the lines of a {@code diff} of them (a person
 * compares the configurations; the secrets stay on the host).
 */
public final class SettingsMask {

    private SettingsMask() {}

    /**
     * {@code <} or {@code >} (a diff's side), a setting's name holding pass, cred, secret or pw (after a section's
     * {@code default:} as the MMP's files write it), then '=', ':' or blanks, and its value.
     */
    private static final Pattern CREDENTIAL = Pattern.compile("(?im)^([<>]?[ \\t]*(?:[\\w.\\-]+:)?[\\w.\\-]*"
            + "(?:pass|cred|secret|pw)[\\w.\\-]*(?:[ \\t]*[=:][ \\t]*|[ \\t]+))\\S.*$");

    public static final String MASK = "********";

    public static String masked(String text) {
        return text == null ? null : CREDENTIAL.matcher(text).replaceAll("$1" + MASK);
    }
}
