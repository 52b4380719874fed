package com.msgupgrade.simulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Lays out the directory tree of one simulated host: host.conf, state files, downloaded patches,
 * the command wrappers and the dispatcher script they all read.
 */
final class HostTree {

    static final String DISPATCHER_RESOURCE = "msgsim.sh";
    static final List<String> SYSTEM_COMMANDS = List.of("patchadd", "patchrm", "showrev", "rpm", "pgrep",
            "zonename");
    static final List<String> MESSAGING_COMMANDS = List.of("stop-msg", "start-msg", "imsimta", "patch-config",
            "install-newconfig", "uninstall-newconfig", "configutil", "useconfig", "configure");
    static final List<String> ALL_SERVICES = List.of("store", "imap", "pop", "smtp", "mmp", "http");

    static final String LINUX_CORE_RPM = "sun-messaging-server-6.3-13.9.i386.rpm";
    static final String LINUX_CORE_PATCH = "120230-17";
    static final String LINUX_L10N_PATCH = "117786-17";

    private HostTree() {
    }

    static Path msgSvrBase(Path dir, HostSpec spec) {
        return spec.isSolaris() ? dir.resolve("opt/SUNWmsgsr") : dir.resolve("opt/sun/messaging");
    }

    static String corePatch(HostSpec spec) {
        return "sparc".equals(spec.arch()) ? "120228-26" : "120229-26";
    }

    static String l10nPatch(HostSpec spec) {
        return "sparc".equals(spec.arch()) ? "126479-05" : "126480-05";
    }

    /** Creates the host tree unless it already exists; always refreshes the scripts. */
    static void createIfMissing(Path dir, HostSpec spec) {
        try {
            if (!Files.exists(dir.resolve("host.conf"))) {
                create(dir, spec);
            }
            installScripts(dir, spec);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create simulated host " + dir, e);
        }
    }

    private static void create(Path dir, HostSpec spec) throws IOException {
        Path base = msgSvrBase(dir, spec);
        for (Path p : List.of(dir.resolve("state"), dir.resolve("tmp"), dir.resolve("faults"), dir.resolve("work"),
                dir.resolve("root"), dir.resolve("bin"), dir.resolve("sim"), base.resolve("sbin"),
                base.resolve("lib/patch"), base.resolve("config"), base.resolve("install/patch"))) {
            Files.createDirectories(p);
        }
        Files.writeString(dir.resolve("host.conf"), hostConf(dir, spec));
        Files.writeString(dir.resolve("version"), spec.sourceRelease() + "\n");
        Files.writeString(dir.resolve("commands.log"), "");
        Path state = dir.resolve("state");
        Files.writeString(state.resolve("original-release"), spec.sourceRelease() + "\n");
        Files.writeString(state.resolve("config-release"), spec.sourceRelease() + "\n");
        Files.writeString(state.resolve("patches"), "");
        // IMAP is not enabled before the upgrade (below): its imapd does not run
        Files.writeString(state.resolve("running"), lines(ALL_SERVICES.stream().filter(s -> !s.equals("imap")).toList()));
        // before 6.3, webmail (MEM) reached the stores over HTTP: IMAP is enabled by the post-upgrade task
        Files.writeString(state.resolve("configutil"), lines(List.of(
                "service.imap.enable=no",
                "service.http.enable=yes",
                "local.service.proxy.admin=admin")));
        Files.writeString(base.resolve("config/msg.conf"), lines(List.of(
                "# Messaging Server " + spec.sourceRelease() + " configuration of " + spec.name(),
                "service.imap.enable = no",
                "service.pop.enable = yes",
                "service.http.enable = yes",
                "local.service.proxy.admin = admin",
                "local.components = " + String.join(",", spec.components()))));
        if (spec.isSolaris()) {
            createPatch(dir.resolve("tmp").resolve(corePatch(spec)), "Messaging Server 6.3 core");
            createPatch(dir.resolve("tmp").resolve(l10nPatch(spec)), "Messaging Server 6.3 localization");
        } else {
            Files.writeString(state.resolve("rpms"), lines(initialRpms(spec)));
            Files.writeString(dir.resolve("tmp").resolve(LINUX_CORE_RPM), "simulated rpm " + LINUX_CORE_PATCH + "\n");
            for (String locale : spec.locales()) {
                Files.writeString(dir.resolve("tmp").resolve("sun-messaging-" + locale + "-6.3-1.7.i386.rpm"),
                        "simulated rpm " + LINUX_L10N_PATCH + "\n");
            }
        }
    }

    private static void createPatch(Path patchDir, String description) throws IOException {
        Files.createDirectories(patchDir);
        Files.writeString(patchDir.resolve("README." + patchDir.getFileName()),
                "Patch " + patchDir.getFileName() + ": " + description + "\n");
    }

    static List<String> initialRpms(HostSpec spec) {
        List<String> rpms = new ArrayList<>();
        switch (spec.sourceRelease()) {
            case "6.1" -> {
                for (String pkg : List.of("lib", "store", "install", "core", "mmp", "sieveui", "webmail", "core-en",
                        "mta")) {
                    rpms.add("sun-messaging-" + pkg + "-6.1-9");
                }
                return rpms;
            }
            case "6.3" -> rpms.add("sun-messaging-server-6.3-13.9");
            case "6.2p3" -> rpms.add("sun-messaging-server-6.2-3.04");
            case "6.2" -> rpms.add("sun-messaging-server-6.2-1.02");
            default -> rpms.add("sun-messaging-server-6.0-0.13");
        }
        String localeVersion = rpms.get(0).substring("sun-messaging-server-".length());
        for (String locale : spec.locales()) {
            rpms.add("sun-messaging-" + locale + "-" + localeVersion);
        }
        return rpms;
    }

    private static String hostConf(Path dir, HostSpec spec) {
        boolean solaris = spec.isSolaris();
        return lines(List.of(
                "# simulated Messaging Server host",
                "SIM_HOST=" + quote(dir.toAbsolutePath().toString()),
                "SIM_NAME=" + quote(spec.name()),
                "SIM_OS=" + quote(spec.os()),
                "SIM_ARCH=" + quote(spec.arch()),
                "MSG_SVR_BASE=" + quote(msgSvrBase(dir, spec).toAbsolutePath().toString()),
                "SIM_CORE_PATCHES=" + quote(solaris ? "120228 120229" : "120230"),
                "SIM_L10N_PATCHES=" + quote(solaris ? "126479 126480" : "117786"),
                "SIM_COMPONENTS=" + quote(String.join(" ", spec.components())),
                "SIM_LOCALES=" + quote(String.join(" ", spec.locales())),
                "SIM_FD_MIN=12851"));
    }

    private static void installScripts(Path dir, HostSpec spec) throws IOException {
        Path dispatcher = dir.resolve("sim").resolve(DISPATCHER_RESOURCE);
        Files.createDirectories(dispatcher.getParent());
        try (InputStream in = HostTree.class.getResourceAsStream(DISPATCHER_RESOURCE)) {
            if (in == null) {
                throw new IOException("missing classpath resource " + DISPATCHER_RESOURCE);
            }
            Files.write(dispatcher, in.readAllBytes());
        }
        makeExecutable(dispatcher);
        Path base = msgSvrBase(dir, spec);
        for (String command : SYSTEM_COMMANDS) {
            writeWrapper(dir.resolve("bin").resolve(command), dir, command);
        }
        for (String command : MESSAGING_COMMANDS) {
            writeWrapper(base.resolve("sbin").resolve(command), dir, command);
        }
        writeWrapper(base.resolve("lib").resolve("ldapmodify"), dir, "ldapmodify");
    }

    private static void writeWrapper(Path file, Path dir, String command) throws IOException {
        Files.createDirectories(file.getParent());
        String host = dir.toAbsolutePath().toString();
        Files.writeString(file, lines(List.of(
                "#!/bin/sh",
                "SIM_HOST=" + quote(host) + "; export SIM_HOST",
                // read by this shell rather than exec'ed by another: one process fewer a command
                "set -- " + command + " \"$@\"",
                ". " + quote(host + "/sim/" + DISPATCHER_RESOURCE))));
        makeExecutable(file);
    }

    private static void makeExecutable(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Single-quotes a value for sh. */
    static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    private static String lines(List<String> lines) {
        return lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
    }
}
