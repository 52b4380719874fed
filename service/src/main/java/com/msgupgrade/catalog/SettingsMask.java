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

    /** A diff's side ({@code <}, {@code >}), then a comment's mark if the line is commented out. */
    private static final String LINE_START = "(?im)^([<>]?[ \\t]*[!#;]*[ \\t]*";

    /** The name of a setting that holds a credential: pass, cred, secret or pw in it. */
    private static final String NAME = "[\\w.\\-]*(?:pass|cred|secret|pw)[\\w.\\-]*";

    /** {@code name = value}, {@code name: value} (msg.conf, option files, aliases). */
    private static final Pattern ASSIGNED = Pattern.compile(LINE_START + NAME + "[ \\t]*[=:][ \\t]*)\\S.*$");

    /** {@code section:name value}, as the MMP's files write it ({@code default:BindPass secret}). */
    private static final Pattern IN_SECTION = Pattern.compile(LINE_START + "[\\w.\\-]+:" + NAME + "[ \\t]+)\\S.*$");

    /** The SSL token's password, {@code Internal (Software) Token:secret}, should a copy of its file be compared. */
    private static final Pattern TOKEN = Pattern.compile(LINE_START + "[^:\\n]*Token:[ \\t]*)\\S.*$");

    /** The password of a URL's user: {@code ldap://user:secret@host/}. */
    private static final Pattern URL_USER = Pattern.compile("(\\b[a-z][a-z0-9+.\\-]*://[^\\s:/@]+:)[^\\s@/]+@",
            Pattern.CASE_INSENSITIVE);

    public static final String MASK = "********";

    public static String masked(String text) {
        if (text == null) {
            return null;
        }
        String masked = text;
        for (Pattern line : new Pattern[] {ASSIGNED, IN_SECTION, TOKEN}) {
            masked = line.matcher(masked).replaceAll("$1" + MASK);
        }
        return URL_USER.matcher(masked).replaceAll("$1" + MASK + "@");
    }
}
