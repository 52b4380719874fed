package com.msgupgrade.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinuxHostTest {

    private static final String CORE_RPM = "sun-messaging-server-6.3-13.9.i386.rpm";

    @TempDir
    Path fleetDir;

    @Test
    void upgrades62p3HostWithRpmFreshen() {
        // given a running Linux 6.2p3 host with German localization
        HostShell host = HostShell.create(fleetDir, new HostSpec("ms2", "linux", "i386", "6.2p3", List.of("store"),
                List.of("de")));
        String base = host.base();
        String tmp = host.dir() + "/tmp/";
        String patch = base + "/install/patch/120230-17";

        // when
        var stop = host.run(base + "/sbin/stop-msg");
        var core = host.run("cd " + tmp + " && rpm -Fvh " + CORE_RPM);
        var l10n = host.run("rpm -Fvh " + tmp + "sun-messaging-de-6.3-1.7.i386.rpm");
        var query = host.run("rpm -q sun-messaging-server");
        var patchConfig = host.run("cd " + base + "/sbin && ./patch-config " + patch);
        var install = host.run("cd " + base + "/sbin && ./install-newconfig " + patch);
        var ldap = host.run("cd " + base + "/lib && ./ldapmodify -D 'cn=Directory Manager' -w pw -c -h ds -p 389"
                + " -e patch/ugdir_diff.rej -f patch/ugdir_diff.ldif");
        var start = host.run("ulimit -n 100000 2>/dev/null || ulimit -n 12851; " + base + "/sbin/start-msg");
        var version = host.run(base + "/sbin/imsimta version");

        // then
        assertThat(List.of(stop, core, l10n, query, patchConfig, install, ldap, start, version))
                .allSatisfy(result -> assertThat(result.exitCode()).as(result.toString()).isZero());
        assertThat(core.stdout()).contains("sun-messaging-server");
        assertThat(query.stdout()).isEqualTo("sun-messaging-server-6.3-13.9\n");
        assertThat(version.stdout()).contains("Messaging Server 6.3-0.15");
        assertThat(host.lines("state/rpms")).containsExactlyInAnyOrder(
                "sun-messaging-server-6.3-13.9", "sun-messaging-de-6.3-1.7");
        assertThat(host.lines("state/newconfig")).containsExactly("120230-17");
        assertThat(host.file("state/config-release").strip()).isEqualTo("6.3");
        assertThat(host.lines("state/ldif-imported")).hasSize(1);
    }

    @Test
    void refusesLocalizationRpmBeforeCore() {
        // given
        HostShell host = HostShell.create(fleetDir, new HostSpec("ms2", "linux", "i386", "6.2p3", List.of("store"),
                List.of("de")));

        // when
        var l10n = host.run("rpm -Fvh " + host.dir() + "/tmp/sun-messaging-de-6.3-1.7.i386.rpm");

        // then
        assertThat(l10n.exitCode()).isEqualTo(1);
        assertThat(host.lines("state/rpms")).containsExactly(
                "sun-messaging-server-6.2-3.04", "sun-messaging-de-6.2-3.04");
    }

    @Test
    void reinstalls61HostByEraseInstallAndConfigure() {
        // given a Linux 6.1 host
        HostShell host = HostShell.create(fleetDir, HostSpec.linux("ms3", "6.1", List.of("mta", "mmp")));
        String base = host.base();
        String tmp = host.dir() + "/tmp/";
        var freshen = host.run("rpm -Fvh " + tmp + CORE_RPM);
        assertThat(freshen.exitCode()).isZero();
        assertThat(host.lines("state/rpms")).hasSize(9).noneMatch(rpm -> rpm.startsWith("sun-messaging-server"));
        var installOver61 = host.run("rpm -i " + tmp + CORE_RPM);
        assertThat(installOver61.exitCode()).isEqualTo(1);
        assertThat(installOver61.stderr()).contains("conflicts with");
        var missing61Rpm = host.run("rpm -i " + tmp + "sun-messaging-server-6.1-12.38.i386.rpm");
        assertThat(missing61Rpm.exitCode()).isEqualTo(1);

        // when the guide's 6.1 steps run
        var stop = host.run(base + "/sbin/stop-msg");
        var erase = host.run("rpm -e --noscripts sun-messaging-lib-6.1-9 sun-messaging-store-6.1-9"
                + " sun-messaging-install-6.1-9 sun-messaging-core-6.1-9 sun-messaging-mmp-6.1-9"
                + " sun-messaging-sieveui-6.1-9 sun-messaging-webmail-6.1-9 sun-messaging-core-en-6.1-9"
                + " sun-messaging-mta-6.1-9");
        var imsimtaWithoutBinaries = host.run(base + "/sbin/imsimta version");
        var install = host.run("rpm -i " + tmp + CORE_RPM);
        var query = host.run("rpm -q sun-messaging-server");
        var interactive = host.run("cd " + base + "/sbin && ./configure");
        host.run("echo 'MSG_ADMIN=admin' > " + host.dir() + "/root/msg.state");
        var configure = host.run("cd " + base + "/sbin && ./configure -nodisplay -noconsole -state "
                + host.dir() + "/root/msg.state");
        var start = host.run("ulimit -n 12851 && " + base + "/sbin/start-msg");
        var version = host.run(base + "/sbin/imsimta version");

        // then
        assertThat(List.of(stop, erase, install, query, configure, start, version))
                .allSatisfy(result -> assertThat(result.exitCode()).as(result.toString()).isZero());
        assertThat(imsimtaWithoutBinaries.exitCode()).isEqualTo(127);
        assertThat(interactive.exitCode()).isEqualTo(1);
        assertThat(interactive.stderr()).contains("interactive configure needs a terminal");
        assertThat(query.stdout()).isEqualTo("sun-messaging-server-6.3-13.9\n");
        assertThat(version.stdout()).contains("Messaging Server 6.3-0.15");
        assertThat(host.lines("state/rpms")).containsExactly("sun-messaging-server-6.3-13.9");
        assertThat(host.file("state/config-release").strip()).isEqualTo("6.3");
        assertThat(host.file("opt/sun/messaging/config/msg.conf")).contains("6.3");
    }

    @Test
    void rpmEraseRefusesPackagesNotInstalled() {
        // given
        HostShell host = HostShell.create(fleetDir, HostSpec.linux("ms3", "6.1", List.of("store")));

        // when
        var erase = host.run("rpm -e sun-messaging-lib-6.1-9 sun-messaging-foo-6.1-9");
        var query = host.run("rpm -q sun-messaging-server");

        // then
        assertThat(erase.exitCode()).isEqualTo(1);
        assertThat(erase.stderr()).contains("package sun-messaging-foo-6.1-9 is not installed");
        assertThat(host.lines("state/rpms")).hasSize(9);
        assertThat(query.exitCode()).isEqualTo(1);
        assertThat(query.stdout()).isEqualTo("package sun-messaging-server is not installed\n");
    }

    @Test
    void patchaddIsNotFoundOnLinux() {
        // given
        HostShell host = HostShell.create(fleetDir, HostSpec.linux("ms2", "6.2p3", List.of("store")));

        // when
        var patchadd = host.run("patchadd 120228-26");

        // then
        assertThat(patchadd.exitCode()).isEqualTo(127);
        assertThat(patchadd.stderr()).contains("not found");
    }
}
