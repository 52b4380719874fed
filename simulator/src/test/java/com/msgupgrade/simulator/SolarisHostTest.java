package com.msgupgrade.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SolarisHostTest {

    private static final String CORE = "120228-26";
    private static final String L10N = "126479-05";

    @TempDir
    Path fleetDir;

    private HostShell host;
    private String base;

    @BeforeEach
    void createHost() {
        host = HostShell.create(fleetDir, HostSpec.solaris("ms1", "6.2p3", List.of("store")).withLocales(List.of("de")));
        base = host.base();
    }

    private HostShell.Result run(String commandLine) {
        return host.run(commandLine);
    }

    private String patchDir(String id) {
        return base + "/install/patch/" + id;
    }

    private void applyCorePatch() {
        assertThat(run(base + "/sbin/stop-msg").exitCode()).isZero();
        assertThat(run("patchadd " + host.dir() + "/tmp/" + CORE).exitCode()).isZero();
    }

    @Test
    void upgrades62p3HostTo63FollowingTheGuide() {
        // given a running 6.2p3 host
        assertThat(run(base + "/sbin/imsimta version").stdout()).contains("Messaging Server 6.2-3.04");

        // when the guide's steps run in order
        var stop = run(base + "/sbin/stop-msg");
        var core = run("patchadd " + host.dir() + "/tmp/" + CORE);
        var l10n = run("patchadd " + host.dir() + "/tmp/" + L10N);
        var showrev = run("showrev -p | grep " + CORE);
        var patchConfig = run("cd " + base + "/sbin && ./patch-config " + patchDir(CORE));
        var install = run("cd " + base + "/sbin && ./install-newconfig -f " + patchDir(CORE));
        var ldap = run("cd " + base + "/lib && LD_LIBRARY_PATH=" + base + "/lib ./ldapmodify -D 'cn=Directory Manager'"
                + " -w s3cret -c -h ds.example.com -p 389 -e patch/ugdir_diff.rej -f patch/ugdir_diff.ldif");
        var start = run("ulimit -n 12851 && " + base + "/sbin/start-msg");
        var version = run(base + "/sbin/imsimta version");

        // then every step succeeded and the host is 6.3
        assertThat(List.of(stop, core, l10n, showrev, patchConfig, install, ldap, start, version))
                .allSatisfy(result -> assertThat(result.exitCode()).as(result.toString()).isZero());
        assertThat(showrev.stdout()).isEqualTo(
                "Patch: " + CORE + " Obsoletes: Requires: Incompatibles: Packages: SUNWmsgsr\n");
        assertThat(start.stdout()).contains("Messaging Server 6.3-0.15");
        assertThat(version.stdout()).startsWith("Sun Java(tm) System Messaging Server 6.3-0.15 (built Feb  9 2007)");
        assertThat(host.file("version").strip()).isEqualTo("6.3");
        assertThat(host.lines("state/patches")).containsExactly(CORE, L10N);
        // IMAP is not enabled yet (the post-upgrade task): start-msg leaves imapd down
        assertThat(host.lines("state/running")).containsExactly("store", "pop", "smtp", "mmp", "http");
        assertThat(host.lines("state/newconfig")).containsExactly(CORE);
        assertThat(host.file("state/config-release").strip()).isEqualTo("6.3");
        assertThat(host.file("state/ldif-imported"))
                .contains("\tcn=Directory Manager\tds.example.com:389\t")
                .doesNotContain("s3cret");
        assertThat(Path.of(base, "config.bak-" + CORE, "msg.conf")).exists();
        assertThat(Path.of(base, "lib/patch/ugdir_diff.ldif")).exists();
        assertThat(host.file("opt/SUNWmsgsr/config/msg.conf"))
                .contains("local.service.proxy.admin = admin", "local.store.snapshotinterval = 1440");
        assertThat(host.commandLog()).extracting(CommandLogEntry::command).containsExactly(
                "imsimta", "stop-msg", "patchadd", "patchadd", "showrev", "patch-config", "install-newconfig",
                "ldapmodify", "start-msg", "imsimta");
        assertThat(host.commandLog()).allSatisfy(entry -> assertThat(entry.exitCode()).isZero());
    }

    @Test
    void refusesPatchAlreadyApplied() {
        // given
        applyCorePatch();

        // when
        var again = run("patchadd " + CORE);

        // then
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.stderr()).contains("This patch has already been applied");
        assertThat(host.lines("state/patches")).containsExactly(CORE);
    }

    @Test
    void refusesLocalizationPatchBeforeCore() {
        // given
        run(base + "/sbin/stop-msg");

        // when
        var l10n = run("patchadd " + L10N);

        // then
        assertThat(l10n.exitCode()).isEqualTo(1);
        assertThat(l10n.stderr()).contains("requires patch 120228");
        assertThat(host.lines("state/patches")).isEmpty();
    }

    @Test
    void refusesPatchWhileMessagingServerRuns() {
        // when
        var core = run("patchadd " + CORE);

        // then
        assertThat(core.exitCode()).isEqualTo(1);
        assertThat(core.stderr()).contains("stop Messaging Server first");
        assertThat(host.file("version").strip()).isEqualTo("6.2p3");
    }

    @Test
    void startMsgComplainsUnderTheFileDescriptorLimit() {
        // given
        run(base + "/sbin/stop-msg");

        // when
        var start = run("ulimit -n 1024; " + base + "/sbin/start-msg");

        // then
        assertThat(start.exitCode()).isEqualTo(1);
        assertThat(start.stderr()).contains(
                "start-msg: file descriptor limit 1024 is below the required 12851; raise it with ulimit -n");
        assertThat(host.lines("state/running")).isEmpty();
    }

    @Test
    void startMsgLeavesHttpDownWhenDisabled() {
        // given
        run(base + "/sbin/stop-msg");
        run(base + "/sbin/configutil -o service.http.enable -v no");

        // when
        var start = run("ulimit -n 12851 && " + base + "/sbin/start-msg");

        // then
        assertThat(start.exitCode()).isZero();
        assertThat(host.lines("state/running")).containsExactly("store", "pop", "smtp", "mmp");
        assertThat(run(base + "/sbin/configutil -o service.http.enable").stdout()).isEqualTo("no\n");
    }

    @Test
    void imapdRunsOnceImapIsEnabledAndStartedAndPgrepFindsTheDaemonsOfTheServicesRunning() {
        assertThat(run("pgrep -x imapd").exitCode()).isEqualTo(1);
        assertThat(run("pgrep -z `zonename` -x stored").exitCode()).isZero();
        assertThat(run("pgrep -x dispatcher").stdout()).isNotBlank();
        assertThat(run("pgrep -x mshttpd").exitCode()).isZero();
        var enable = run(base + "/sbin/configutil -o service.imap.enable -v yes && ulimit -n 12851 && " + base
                + "/sbin/start-msg imap");
        assertThat(enable.exitCode()).as(enable.toString()).isZero();
        assertThat(host.lines("state/running")).contains("imap");
        assertThat(run("pgrep -x imapd").exitCode()).isZero();
        run(base + "/sbin/stop-msg http");
        assertThat(run("pgrep -x mshttpd").exitCode()).isEqualTo(1);
        // enabled, IMAP starts with the others from now on
        run(base + "/sbin/stop-msg");
        run("ulimit -n 12851 && " + base + "/sbin/start-msg");
        assertThat(host.lines("state/running")).contains("imap", "http");
    }

    @Test
    void configutilRewritesTheActiveMsgConfNeverWithASecret() {
        String before = host.file("opt/SUNWmsgsr/config/msg.conf");
        run(base + "/sbin/configutil -o service.imap.enable -v yes");
        String set = host.file("opt/SUNWmsgsr/config/msg.conf");
        assertThat(set).isNotEqualTo(before).contains("service.imap.enable");
        run("printf 'local.service.proxy.adminpass=proxy-secret\\n' > " + host.dir() + "/root/import.cfg && "
                + base + "/sbin/configutil -i " + host.dir() + "/root/import.cfg");
        assertThat(host.file("opt/SUNWmsgsr/config/msg.conf")).isNotEqualTo(set)
                .contains("local.service.proxy.adminpass").doesNotContain("proxy-secret");
    }

    @Test
    void stopMsgHttpStopsOnlyHttp() {
        // when
        var stop = run(base + "/sbin/stop-msg http");

        // then
        assertThat(stop.exitCode()).isZero();
        assertThat(host.lines("state/running")).containsExactly("store", "pop", "smtp", "mmp");
    }

    @Test
    void installNewconfigWithoutForceNeedsAnAnswer() {
        // given
        applyCorePatch();
        run(base + "/sbin/patch-config " + patchDir(CORE));

        // when stdin is empty
        var refused = host.run(base + "/sbin/install-newconfig " + patchDir(CORE), null);

        // then
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stdout()).contains("Install new msg.conf? [y/n]");
        assertThat(host.lines("state/newconfig")).isEmpty();
        assertThat(host.file("state/config-release").strip()).isEqualTo("6.2p3");

        // and when answered yes
        var accepted = host.run(base + "/sbin/install-newconfig " + patchDir(CORE), "y\n");
        assertThat(accepted.exitCode()).isZero();
        assertThat(host.lines("state/newconfig")).containsExactly(CORE);
    }

    @Test
    void refusesInstallNewconfigBeforePatchConfig() {
        // given
        applyCorePatch();

        // when
        var install = run(base + "/sbin/install-newconfig -f " + patchDir(CORE));

        // then
        assertThat(install.exitCode()).isEqualTo(1);
        assertThat(install.stderr()).contains("run patch-config first");
    }

    @Test
    void patchConfigReportsConflictsFromTheSwitch() {
        // given
        applyCorePatch();
        host.fault("patch-config.conflicts", "msg.conf: service.http.port\nmappings: PORT_ACCESS\n");

        // when
        var patchConfig = run(base + "/sbin/patch-config " + patchDir(CORE));

        // then
        assertThat(patchConfig.exitCode()).isZero();
        assertThat(patchConfig.stdout()).contains(
                "CONFLICT: msg.conf: service.http.port\n", "CONFLICT: mappings: PORT_ACCESS\n");
        assertThat(host.lines("opt/SUNWmsgsr/install/patch/" + CORE + "/conflicts"))
                .containsExactly("msg.conf: service.http.port", "mappings: PORT_ACCESS");
    }

    @Test
    void failSwitchFailsEveryTimeWithoutChangingState() {
        // given
        host.fault("stop-msg.fail", "7");

        // when
        var first = run(base + "/sbin/stop-msg");
        var second = run(base + "/sbin/stop-msg");

        // then
        assertThat(first.exitCode()).isEqualTo(7);
        assertThat(second.exitCode()).isEqualTo(7);
        assertThat(first.stderr()).contains("simulated failure");
        assertThat(host.lines("state/running")).hasSize(5); // every service but imapd (IMAP not enabled yet)
        assertThat(host.commandLog()).extracting(CommandLogEntry::exitCode).containsExactly(7, 7);
    }

    @Test
    void failOnceSwitchFailsOnlyTheNextRun() {
        // given
        host.fault("stop-msg.fail-once", "");

        // when
        var first = run(base + "/sbin/stop-msg");
        var second = run(base + "/sbin/stop-msg");

        // then
        assertThat(first.exitCode()).isEqualTo(1);
        assertThat(second.exitCode()).isZero();
        assertThat(host.dir().resolve("faults/stop-msg.fail-once")).doesNotExist();
        assertThat(host.lines("state/running")).isEmpty();
    }

    @Test
    void delaySwitchDelaysTheCommand() {
        // given
        host.fault("imsimta.delay", "1");

        // when
        long started = System.nanoTime();
        var version = run(base + "/sbin/imsimta version");
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        // then
        assertThat(version.exitCode()).isZero();
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void hangSwitchHoldsTheCommandUntilRemoved() throws Exception {
        // given
        host.fault("stop-msg.hang", "");

        // when
        Process process = host.start(base + "/sbin/stop-msg");

        // then it hangs until the switch goes
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(process::isAlive);
        Files.delete(host.dir().resolve("faults/stop-msg.hang"));
        await().atMost(Duration.ofSeconds(5)).until(() -> !process.isAlive());
        assertThat(process.exitValue()).isZero();
        assertThat(host.lines("state/running")).isEmpty();
    }

    @Test
    void ldapmodifyNeedsTheLibraryPathOnSolaris() {
        // given
        applyCorePatch();
        run(base + "/sbin/patch-config " + patchDir(CORE));

        // when
        var ldap = run("cd " + base + "/lib && ./ldapmodify -D 'cn=Directory Manager' -w pw -c -h ds -p 389"
                + " -e patch/ugdir_diff.rej -f patch/ugdir_diff.ldif");

        // then
        assertThat(ldap.exitCode()).isEqualTo(1);
        assertThat(ldap.stderr()).contains("ld.so.1: ldapmodify: fatal: libldap.so.5: open failed");
        assertThat(host.lines("state/ldif-imported")).isEmpty();
    }

    @Test
    void masksPasswordsInTheCommandLog() {
        // given
        applyCorePatch();
        run(base + "/sbin/patch-config " + patchDir(CORE));
        run("echo pwfile-secret > " + host.dir() + "/root/ds.pw");

        // when
        run("cd " + base + "/lib && LD_LIBRARY_PATH=" + base + "/lib ./ldapmodify -D 'cn=Directory Manager'"
                + " -w top-secret -c -h ds -p 389 -e patch/ugdir_diff.rej -f patch/ugdir_diff.ldif");
        run("cd " + base + "/lib && LD_LIBRARY_PATH=" + base + "/lib ./ldapmodify -D 'cn=Directory Manager'"
                + " -j " + host.dir() + "/root/ds.pw -c -h ds -p 389 -e patch/ugdir_diff.rej -f patch/ugdir_diff.ldif");
        run(base + "/sbin/configutil -o local.service.proxy.adminpass -v proxy-secret");

        // then
        String log = host.file("commands.log");
        assertThat(log).doesNotContain("top-secret", "proxy-secret", "pwfile-secret");
        List<CommandLogEntry> entries = host.commandLog();
        assertThat(entries.get(entries.size() - 3).argLine()).isEqualTo(
                "-D cn=Directory Manager -w **** -c -h ds -p 389 -e patch/ugdir_diff.rej -f patch/ugdir_diff.ldif");
        assertThat(entries.get(entries.size() - 2).argLine()).contains("-j " + host.dir() + "/root/ds.pw");
        assertThat(entries.get(entries.size() - 1).argLine()).isEqualTo("-o local.service.proxy.adminpass -v ****");
        assertThat(host.lines("state/ldif-imported")).hasSize(2);
        assertThat(run(base + "/sbin/configutil -o local.service.proxy.adminpass").stdout())
                .isEqualTo("proxy-secret\n");
    }

    @Test
    void configutilImportsOptionEqualsValueLinesFromAFileNamedByItsAbsolutePath() {
        // given
        applyCorePatch();
        String file = host.dir() + "/root/import.cfg";
        run("printf 'local.service.proxy.adminpass=imported-secret\\n' > " + file);
        run("printf 'local.service.proxy.admin = spaced\\n' > " + host.dir() + "/root/spaced.cfg");

        // when
        var imported = run(base + "/sbin/configutil -i " + file);
        var relative = run("cd " + host.dir() + "/root && " + base + "/sbin/configutil -i import.cfg");
        var spaced = run(base + "/sbin/configutil -i " + host.dir() + "/root/spaced.cfg");
        var fromStdin = run("echo local.service.proxy.admin=x | " + base + "/sbin/configutil -i");

        // then
        assertThat(imported.exitCode()).isZero();
        assertThat(run(base + "/sbin/configutil -o local.service.proxy.adminpass").stdout())
                .isEqualTo("imported-secret\n");
        assertThat(relative.exitCode()).isEqualTo(1);
        assertThat(relative.stderr()).contains("absolute path");
        assertThat(spaced.exitCode()).isEqualTo(1);
        assertThat(spaced.stderr()).contains("no spaces around =");
        assertThat(fromStdin.exitCode()).isNotZero();
        // neither the refused file nor stdin changed it: still the default
        assertThat(run(base + "/sbin/configutil -o local.service.proxy.admin").stdout()).isEqualTo("admin\n");
        assertThat(host.file("commands.log")).doesNotContain("imported-secret");
    }

    @Test
    void rollsBackLocalizationBeforeCore() {
        // given an upgraded host
        applyCorePatch();
        run("patchadd " + L10N);
        run(base + "/sbin/patch-config " + patchDir(CORE));
        run(base + "/sbin/install-newconfig -f " + patchDir(CORE));

        // when the core patch is removed first
        var coreFirst = run("patchrm " + CORE);

        // then it is refused
        assertThat(coreFirst.exitCode()).isEqualTo(1);
        assertThat(host.lines("state/patches")).containsExactly(CORE, L10N);

        // a patch is not removed from under a running server (the guide's rollback stops it first)
        run(base + "/sbin/start-msg");
        var whileRunning = run("patchrm " + L10N);
        assertThat(whileRunning.exitCode()).isEqualTo(1);
        assertThat(whileRunning.stderr()).contains("Messaging Server is running");
        assertThat(host.lines("state/patches")).containsExactly(CORE, L10N);
        run(base + "/sbin/stop-msg");

        // when the guide's rollback runs in order
        var uninstall = run("cd " + base + "/sbin && ./uninstall-newconfig -f " + patchDir(CORE));
        var l10n = run("patchrm " + L10N);
        var core = run("patchrm " + CORE);

        // then the host is back on 6.2p3
        assertThat(List.of(uninstall, l10n, core)).allSatisfy(result -> assertThat(result.exitCode()).isZero());
        assertThat(host.lines("state/patches")).isEmpty();
        assertThat(host.file("version").strip()).isEqualTo("6.2p3");
        assertThat(host.file("state/config-release").strip()).isEqualTo("6.2p3");
        assertThat(host.dir().resolve("state/newconfig")).doesNotExist();
        assertThat(host.file("opt/SUNWmsgsr/config/msg.conf")).doesNotContain("local.store.snapshotinterval");
        assertThat(run("patchrm " + CORE).exitCode()).isEqualTo(1);
    }

    @Test
    void rejectsUnknownOptionsWithUsage() {
        // when
        var configutil = run(base + "/sbin/configutil -x");
        var rpm = run("rpm -q sun-messaging-server");

        // then
        assertThat(configutil.exitCode()).isEqualTo(1);
        assertThat(configutil.stderr()).startsWith("usage: configutil");
        assertThat(rpm.exitCode()).isEqualTo(127);
        assertThat(host.commandLog()).extracting(CommandLogEntry::exitCode).containsExactly(1, 127);
    }
}
