package com.msgupgrade.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.msgupgrade.inventory.Deployment;
import com.msgupgrade.inventory.Host;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StepCatalogTest {

    static final CatalogProperties PROPERTIES = TestCatalog.PROPERTIES;
    final StepCatalog catalog = new StepCatalog(PROPERTIES);

    static Host solaris(List<String> locales) {
        return new Host("ms1", "10.0.0.1", 22, "root", "solaris", "sparc", "/opt/SUNWmsgsr", "6.2p3",
                List.of("store"), locales, "/tmp", null, new Host.ProxyAdmin("webproxy", "proxy-admin"), null, null);
    }

    static Host linux(List<String> locales) {
        return new Host("ml1", "10.0.0.2", 22, "root", "linux", "i386", "/opt/sun/messaging", "6.2p3",
                List.of("store"), locales, "/tmp", null, null, null, null);
    }

    static final Deployment DEPLOYMENT = new Deployment("d", new Deployment.DirectoryServer("ds.example.com", 389,
            "cn=Directory Manager", "ds-manager"), List.of(), List.of(), Map.of(), null);

    private String command(StepId step, Host host) {
        return catalog.render(step, DEPLOYMENT, host).commandLine();
    }

    @Test
    void aStandbyMustReportItsNodesBuildNotOnlyItsRelease() {
        HostCommand read = catalog.render(StepId.VERIFY_CURRENT_VERSION, DEPLOYMENT, solaris(List.of()));
        String node = "Sun Java(tm) System Messaging Server 6.2-3.04 (built Jul 15 2005)\n";
        HostCommand standby = StepCatalog.atPatchLevelOf(read, "node1", node);
        assertThat(standby.commandLine()).isEqualTo(read.commandLine());
        assertThat(standby.verify().apply(node)).isEmpty();
        assertThat(standby.verify().apply("Sun Java(tm) System Messaging Server 6.2-3.02 (built Mar  1 2005)\n"))
                .hasValueSatisfying(problem -> assertThat(problem).contains("6.2-3.02").contains("node1's at 6.2-3.04")
                        .contains("same patch level as Node1"));
        // the release is checked first, as for any host
        assertThat(standby.verify().apply("Sun Java(tm) System Messaging Server 6.3-0.15\n"))
                .hasValueSatisfying(problem -> assertThat(problem).contains("reports 6.3, expected 6.2p3"));
        // a node's read that printed no build: the release alone is checked
        assertThat(StepCatalog.atPatchLevelOf(read, "node1", "garbled").verify()
                .apply("Sun Java(tm) System Messaging Server 6.2-3.02\n")).isEmpty();
    }

    @Test
    void rendersTheGuidesSolarisCommands() {
        Host h = solaris(List.of("de"));
        assertThat(command(StepId.STOP_MESSAGING_SERVER, h)).isEqualTo("'/opt/SUNWmsgsr/sbin/stop-msg'");
        assertThat(command(StepId.APPLY_CORE_PATCH, h)).isEqualTo("patchadd '/tmp/120228-26'");
        assertThat(command(StepId.APPLY_LOCALIZATION_PATCH, h)).isEqualTo("patchadd '/tmp/126479-05'");
        assertThat(command(StepId.PATCH_CONFIG, h)).isEqualTo("cd '/opt/SUNWmsgsr/sbin' && ./patch-config "
                + "'/opt/SUNWmsgsr/install/patch/120228-26' && ./patch-config '/opt/SUNWmsgsr/install/patch/126479-05'");
        assertThat(command(StepId.INSTALL_NEW_CONFIG, h)).startsWith("cd '/opt/SUNWmsgsr/sbin' && ./install-newconfig -f ");
        assertThat(command(StepId.IMPORT_LDIF, h)).startsWith("cd '/opt/SUNWmsgsr/lib' && { [ ! -f patch/ugdir_diff.rej ] || mv patch/ugdir_diff.rej"
                + " patch/ugdir_diff.rej.earlier; } && "
                + "LD_LIBRARY_PATH='/opt/SUNWmsgsr/lib' ./ldapmodify -D 'cn=Directory Manager' -j \"$SECRET_FILE\" -c "
                + "-h 'ds.example.com' -p 389 -e patch/ugdir_diff.rej -f patch/ugdir_diff.ldif; rc=$?; if [ -s"
                + " patch/ugdir_diff.rej ]; then");
        assertThat(command(StepId.RESTART_MESSAGING_SERVER, h)).isEqualTo("ulimit -n 16384 && "
                + "'/opt/SUNWmsgsr/sbin/stop-msg' && '/opt/SUNWmsgsr/sbin/start-msg'");
    }

    @Test
    void pointsTheWebmailAtEachStoreByTheHostNameItReachesItBy() {
        Host st1 = new Host("st1", "10.0.0.1", 22, "root", "solaris", "sparc", "/opt/SUNWmsgsr", "6.2p3",
                List.of("store"), List.of(), null, null, null, null, "mail1.example.com");
        Host st2 = new Host("st2", "10.0.0.2", 22, "root", "solaris", "sparc", "/opt/SUNWmsgsr", "6.2p3",
                List.of("store"), List.of(), null, null, null, null, null);
        Host web = new Host("web", "10.0.0.3", 22, "root", "solaris", "sparc", "/opt/SUNWmsgsr", "6.2p3",
                List.of("webmail"), List.of(), null, null, null, null, null);
        Deployment twoStores = new Deployment("d", DEPLOYMENT.directoryServer(), List.of(st1, st2, web), List.of(),
                Map.of("web", List.of("st1", "st2")), new Host.ProxyAdmin("webadmin", "webmail-proxy"));
        String command = catalog.render(StepId.CONFIGURE_WEBMAIL_PROXY, twoStores, web).commandLine();
        assertThat(command).contains("-o service.http.allowadminproxy.mail1.example.com -v yes")
                .contains("-o local.service.http.proxy.admin.mail1.example.com -v 'webadmin'")
                .contains("local.service.http.proxy.adminpass.mail1.example.com")
                .contains("-o service.http.allowadminproxy.st2 -v yes").doesNotContain(".st1");
        // one store: no host name at all (the guide: "If there is only one Message Store, omit the .hostname")
        Deployment oneStore = new Deployment("d", DEPLOYMENT.directoryServer(), List.of(st1, web), List.of(),
                Map.of("web", List.of("st1")), new Host.ProxyAdmin("webadmin", "webmail-proxy"));
        assertThat(catalog.render(StepId.CONFIGURE_WEBMAIL_PROXY, oneStore, web).commandLine())
                .contains("-o service.http.allowadminproxy -v yes").doesNotContain("mail1")
                // mshttpd reads its settings as it starts
                .startsWith("ulimit -n 16384 && ") // first: a failure of it leaves mshttpd running
                .endsWith(" && '/opt/SUNWmsgsr/sbin/stop-msg' http && '/opt/SUNWmsgsr/sbin/start-msg' http");
    }

    @Test
    void enablesImapAndStartsImapdWhichARunningServerWouldNotDoByItself() {
        HostCommand enable = catalog.render(StepId.ENABLE_IMAP, DEPLOYMENT, solaris(List.of()));
        assertThat(enable.commandLine()).isEqualTo("ulimit -n 16384 && '/opt/SUNWmsgsr/sbin/configutil' -o"
                + " service.imap.enable -v yes && { pgrep -z `zonename` -x imapd > /dev/null"
                + " || '/opt/SUNWmsgsr/sbin/start-msg' imap; }");
        // done only when imapd runs too: a retry after a start that failed starts it
        assertThat(enable.check().alreadyDone().test("yes\nimapd-running\n")).isTrue();
        assertThat(enable.check().alreadyDone().test("yes\n")).isFalse();
        assertThat(enable.check().alreadyDone().test("no\n")).isFalse();
        assertThat(catalog.render(StepId.ENABLE_IMAP, DEPLOYMENT, linux(List.of())).commandLine())
                .contains("pgrep -x imapd").doesNotContain("zonename");
    }

    @Test
    void aLoadBalancedMemberServesAgainWhenEveryDaemonOfItsComponentsRuns() {
        Host mta = new Host("mta1", "10.0.0.4", 22, "root", "solaris", "sparc", "/opt/SUNWmsgsr", "6.2p3",
                List.of("mta", "mmp"), List.of(), null, null, null, null, null);
        HostCommand health = catalog.render(StepId.CHECK_HEALTH, DEPLOYMENT, mta);
        assertThat(health.commandLine()).isEqualTo("'/opt/SUNWmsgsr/sbin/imsimta' version && { for t in 1 2 3 4 5;"
                + " do down=; for p in dispatcher job_controller AService; do pgrep -z `zonename` -x $p > /dev/null"
                + " || down=\"$down $p\"; done; [ -z \"$down\" ] && break; [ $t = 5 ] || sleep 3; done;"
                + " for p in $down; do echo \"not running: $p\"; done; }");
        String at63 = "Sun Java(tm) System Messaging Server 6.3-0.15 (built Feb  9 2007)\n";
        assertThat(health.verify().apply(at63)).isEmpty();
        assertThat(health.verify().apply(at63 + "not running: dispatcher\n")).hasValueSatisfying(why -> assertThat(why)
                .contains("dispatcher is not running").contains("the next member of its group is not stopped"));
        assertThat(health.verify().apply("Sun Java(tm) System Messaging Server 6.2-3.04 (built Jul 15 2005)\n"))
                .isPresent();
    }

    /**
     * A host rolled back serves again at its previous release with every daemon of its components running: the
     * rollout counts a ROLLED_BACK member of a load-balanced group as serving, and stops the next one.
     */
    @Test
    void aRolledBackHostServesAtItsPreviousReleaseWithEveryDaemonRunning() {
        Host mta = new Host("mta1", "10.0.0.4", 22, "root", "solaris", "sparc", "/opt/SUNWmsgsr", "6.2p3",
                List.of("mta"), List.of(), null, null, null, null, null);
        HostCommand verify = catalog.render(StepId.VERIFY_PREVIOUS_VERSION, DEPLOYMENT, mta);
        assertThat(verify.mutating()).isFalse();
        assertThat(verify.commandLine()).startsWith("'/opt/SUNWmsgsr/sbin/imsimta' version && { for t in 1 2 3 4 5;")
                .contains("for p in dispatcher job_controller; do pgrep -z `zonename` -x $p");
        String at62p3 = "Sun Java(tm) System Messaging Server 6.2-3.04 (built Jul 15 2005)\n";
        assertThat(verify.verify().apply(at62p3)).isEmpty();
        assertThat(verify.verify().apply(at62p3 + "not running: job_controller\n")).hasValueSatisfying(why ->
                assertThat(why).contains("mta1 is at 6.2p3 but job_controller is not running")
                        .contains("the rollback is not over"));
        assertThat(verify.verify().apply("Sun Java(tm) System Messaging Server 6.3-0.15 (built Feb  9 2007)\n"))
                .as("still at 6.3").isPresent();
    }

    /**
     * The health check run by a real shell, with stand-ins for imsimta, pgrep and sleep (sleep returns at once and
     * counts): a daemon still starting is waited for; one that never comes up is named after the last look.
     */
    @Test
    void aHealthCheckWaitsForADaemonStillStartingThenNamesThoseThatNeverCame(@TempDir Path dir) throws Exception {
        Path sbin = Files.createDirectories(dir.resolve("sbin"));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        script(sbin.resolve("imsimta"), "echo 'Sun Java(tm) System Messaging Server 6.3-0.15 (built Feb  9 2007)'");
        // a daemon runs once its file holds enough looks: dispatcher from the third look, AService never
        script(bin.resolve("pgrep"), "n=$2; echo x >> " + dir + "/looks.$n; [ -f " + dir + "/after.$n ] || exit 1;"
                + " [ `wc -l < " + dir + "/looks.$n` -ge `cat " + dir + "/after.$n` ]");
        script(bin.resolve("sleep"), "echo \"$1\" >> " + dir + "/slept");
        Files.writeString(dir.resolve("after.dispatcher"), "3");
        Files.writeString(dir.resolve("after.job_controller"), "1");
        Host mta = new Host("mta1", "10.0.0.4", 22, "root", "linux", "i386", dir.toString(), "6.2p3",
                List.of("mta"), List.of(), null, null, null, null, null);
        HostCommand mtaHealth = catalog.render(StepId.CHECK_HEALTH, DEPLOYMENT, mta);

        String served = run(mtaHealth.commandLine(), bin);
        assertThat(served).doesNotContain("not running");
        assertThat(mtaHealth.verify().apply(served)).isEmpty();
        assertThat(Files.readAllLines(dir.resolve("slept"))).containsExactly("3", "3");

        Files.delete(dir.resolve("slept"));
        Host mmp = new Host("mmp1", "10.0.0.5", 22, "root", "linux", "i386", dir.toString(), "6.2p3",
                List.of("mta", "mmp"), List.of(), null, null, null, null, null);
        HostCommand mmpHealth = catalog.render(StepId.CHECK_HEALTH, DEPLOYMENT, mmp);
        String out = run(mmpHealth.commandLine(), bin);
        assertThat(out.lines().filter(line -> line.startsWith("not running"))).containsExactly("not running: AService");
        assertThat(Files.readAllLines(dir.resolve("slept"))).hasSize(StepCatalog.HEALTH_LOOKS - 1)
                .containsOnly(Integer.toString(StepCatalog.HEALTH_PAUSE_SECONDS));
        assertThat(mmpHealth.verify().apply(out)).hasValueSatisfying(why -> assertThat(why)
                .contains("AService is not running"));
    }

    /**
     * The look at the active msg.conf, run by a real shell: the new one is the last patch directory's that has one
     * (a localization patch's after the core's), not the core's alone.
     */
    @Test
    void theActiveConfigurationIsTheLastPatchDirectorysNewOne(@TempDir Path dir) throws Exception {
        Host h = new Host("ml1", "10.0.0.2", 22, "root", "linux", "i386", dir.toString(), "6.2p3", List.of("store"),
                List.of("de"), "/tmp", null, null, null, null);
        Path core = Files.createDirectories(dir.resolve("install/patch/120230-17/newconfig"));
        Path l10n = Files.createDirectories(dir.resolve("install/patch/117786-17/newconfig"));
        Path active = Files.createDirectories(dir.resolve("config")).resolve("msg.conf");
        Files.writeString(core.resolve("msg.conf"), "core\n");
        Files.writeString(active, "core\n");
        String look = catalog.render(StepId.INSTALL_NEW_CONFIG, DEPLOYMENT, h).check().commandLine();
        Path bin = Files.createDirectories(dir.resolve("bin"));
        assertThat(run(look + "; true", bin)).as("only the core's: it is the new one").isEqualTo("installed\n");
        Files.writeString(l10n.resolve("msg.conf"), "core and de\n");
        assertThat(run(look + "; true", bin)).as("the localization patch's is the new one").isEmpty();
        Files.writeString(active, "core and de\n");
        assertThat(run(look + "; true", bin)).isEqualTo("installed\n");
    }

    /**
     * The rollback's look, run by a real shell: a new configuration is installed when the active msg.conf is any
     * patch directory's, the core's alone included (an install that failed at the localization patch).
     */
    @Test
    void theRollbackFindsANewConfigurationOfAnyPatchActive(@TempDir Path dir) throws Exception {
        Host h = new Host("ms1", "10.0.0.2", 22, "root", "solaris", "sparc", dir.toString(), "6.2p3", List.of("store"),
                List.of("de"), "/tmp", null, null, null, null);
        Path bin = Files.createDirectories(dir.resolve("bin"));
        HostCommand.Check look = catalog.render(StepId.UNINSTALL_NEW_CONFIG, DEPLOYMENT, h).check();
        assertThat(patchDirectories(h)).as("the core's and the localization's").hasSize(2);
        for (String patch : patchDirectories(h)) {
            Files.writeString(Files.createDirectories(dir.resolve("install/patch/" + patch + "/newconfig"))
                    .resolve("msg.conf"), patch + "\n");
        }
        Path active = Files.createDirectories(dir.resolve("config")).resolve("msg.conf");
        Files.writeString(active, "the 6.2p3 configuration\n");
        assertThat(look.alreadyDone().test(run(look.commandLine(), bin))).as("none installed").isTrue();
        for (String patch : patchDirectories(h)) {
            Files.writeString(active, patch + "\n");
            String out = run(look.commandLine(), bin);
            assertThat(look.alreadyDone().test(out)).as(patch + "'s active: " + out).isFalse();
            assertThat(out).contains("installed: ").contains(patch);
        }
    }

    /**
     * The first read, run by a real shell: the host's release, and the patches its upgrade installs there before
     * anything is stopped (the guide obtains them first); each one missing is named. Linux: the RPMs, and for 6.1
     * configure's state file.
     */
    @Test
    void theFirstReadFindsThePatchesOnTheHostBeforeAnythingIsStopped(@TempDir Path dir) throws Exception {
        Path base = dir.resolve("opt");
        Path patches = Files.createDirectories(dir.resolve("patches"));
        script(Files.createDirectories(base.resolve("sbin")).resolve("imsimta"),
                "echo 'Sun Java(tm) System Messaging Server 6.2-3.04 (built Jul 15 2005)'");
        Host h = new Host("ms1", "10.0.0.1", 22, "root", "solaris", "sparc", base.toString(), "6.2p3",
                List.of("store"), List.of("de"), patches.toString(), null, null, null, null);
        HostCommand read = catalog.render(StepId.VERIFY_CURRENT_VERSION, DEPLOYMENT, h);
        Path bin = Files.createDirectories(dir.resolve("bin"));
        assertThat(read.verify().apply(run(read.commandLine(), bin))).hasValueSatisfying(problem -> assertThat(problem)
                .contains(patches + "/120228-26, ").contains(patches + "/126479-05 are not on the host")
                .contains("nothing has been stopped"));
        Files.createDirectories(patches.resolve("120228-26"));
        assertThat(read.verify().apply(run(read.commandLine(), bin))).hasValueSatisfying(problem -> assertThat(problem)
                .doesNotContain("120228-26").contains(patches + "/126479-05 is not on the host"));
        Files.createDirectories(patches.resolve("126479-05"));
        assertThat(read.verify().apply(run(read.commandLine(), bin))).isEmpty();
        assertThat(read.verify().apply("Sun Java(tm) System Messaging Server 6.3-0.15\n")).as("the release first")
                .hasValueSatisfying(problem -> assertThat(problem).contains("reports 6.3, expected 6.2p3"));

        Host linux61 = new Host("ml1", "10.0.0.2", 22, "root", "linux", "i386", base.toString(), "6.1",
                List.of("store"), List.of(), patches.toString(), null, null, null, null);
        script(base.resolve("sbin/imsimta"), "echo 'Sun Java(tm) System Messaging Server 6.1-9.01 (built Jan 1 2004)'");
        HostCommand linuxRead = catalog.render(StepId.VERIFY_CURRENT_VERSION, DEPLOYMENT, linux61);
        assertThat(linuxRead.verify().apply(run(linuxRead.commandLine(), bin))).hasValueSatisfying(problem ->
                assertThat(problem).contains(".rpm, ").contains("configure.state are not").contains("the catalog's RPMs"));
    }

    /** The host's patch directories, as the catalog names them (core first). */
    private List<String> patchDirectories(Host h) {
        String install = catalog.render(StepId.INSTALL_NEW_CONFIG, DEPLOYMENT, h).commandLine();
        return java.util.regex.Pattern.compile("install/patch/([0-9]+-[0-9]+)'").matcher(install).results()
                .map(m -> m.group(1)).distinct().toList();
    }

    private static void script(Path path, String body) throws java.io.IOException {
        Files.writeString(path, "#!/bin/sh\n" + body + "\n");
        assertThat(path.toFile().setExecutable(true)).isTrue();
    }

    private static String run(String commandLine, Path bin) throws Exception {
        ProcessBuilder shell = new ProcessBuilder("/bin/sh", "-c", commandLine).redirectErrorStream(true);
        shell.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        Process process = shell.start();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void rendersTheGuidesLinuxCommands() {
        Host h = linux(List.of("de", "fr"));
        assertThat(command(StepId.APPLY_CORE_PATCH, h)).isEqualTo("rpm -Fvh '/tmp/sun-messaging-server-6.3-13.9.i386.rpm'");
        assertThat(command(StepId.APPLY_LOCALIZATION_PATCH, h)).isEqualTo(
                "rpm -Fvh '/tmp/sun-messaging-de-6.3-1.7.i386.rpm' '/tmp/sun-messaging-fr-6.3-1.7.i386.rpm'");
        assertThat(command(StepId.CONFIRM_PATCHES, h)).isEqualTo("rpm -q sun-messaging-server sun-messaging-de"
                + " sun-messaging-fr");
        // the configuration of the core and of the localization patch, as on Solaris (no -f on Linux), then a look at
        // whether it is the active one
        assertThat(command(StepId.INSTALL_NEW_CONFIG, h)).startsWith("cd '/opt/sun/messaging/sbin' && "
                + "./install-newconfig '/opt/sun/messaging/install/patch/120230-17' && "
                + "./install-newconfig '/opt/sun/messaging/install/patch/117786-17' && { n=; for d in"
                + " '/opt/sun/messaging/install/patch/120230-17' '/opt/sun/messaging/install/patch/117786-17'; do")
                .endsWith("cmp -s \"$n\" '/opt/sun/messaging/config/msg.conf' && echo installed; true; }");
        // a tool that installed nothing though it ended well (no terminal to confirm each file) fails the step
        HostCommand install = catalog.render(StepId.INSTALL_NEW_CONFIG, DEPLOYMENT, h);
        assertThat(install.verify().apply("Installing new configuration files...\ninstalled\n")).isEmpty();
        assertThat(install.verify().apply("Replace /opt/sun/messaging/config/msg.conf? [y/n] \nnothing installed\n"))
                .hasValueSatisfying(why -> assertThat(why).contains("the active msg.conf is not the one patch-config"
                        + " prepared").contains("the new configuration is not installed"));
        assertThat(command(StepId.PATCH_CONFIG, h)).isEqualTo("cd '/opt/sun/messaging/sbin' && "
                + "./patch-config '/opt/sun/messaging/install/patch/120230-17' && "
                + "./patch-config '/opt/sun/messaging/install/patch/117786-17'");
        // step 17 of the Linux procedure: start-msg (Messaging Server was stopped in step 3)
        assertThat(command(StepId.RESTART_MESSAGING_SERVER, h)).isEqualTo("ulimit -n 16384 && "
                + "'/opt/sun/messaging/sbin/start-msg'");
    }

    @Test
    void neverPutsASecretOnTheCommandLine() {
        HostCommand ldif = catalog.render(StepId.IMPORT_LDIF, DEPLOYMENT, solaris(List.of()));
        assertThat(ldif.secretName()).isEqualTo("ds-manager");
        assertThat(ldif.commandLine()).doesNotContain(" -w ");
        HostCommand proxy = catalog.render(StepId.SET_PROXY_ADMIN, DEPLOYMENT, solaris(List.of()));
        assertThat(proxy.secretName()).isEqualTo("proxy-admin");
        // configutil -i reads option=value lines from a file named by its absolute path (Administration Reference)
        assertThat(proxy.commandLine()).contains("printf '%s' 'local.service.proxy.adminpass='; cat \"$SECRET_FILE\"")
                .contains("> \"$SECRET_FILE.cfg\" && ").contains("configutil' -i \"$SECRET_FILE.cfg\"")
                .contains("rm -f \"$SECRET_FILE.cfg\"").doesNotContain("adminpass -v");
    }

    @Test
    void treatsPatchRevisionsAsMinimums() {
        HostCommand.Check check = catalog.render(StepId.APPLY_CORE_PATCH, DEPLOYMENT, solaris(List.of())).check();
        assertThat(check.commandLine()).isEqualTo("showrev -p");
        assertThat(check.alreadyDone().test("Patch: 120228-26 Obsoletes: Requires:")).isTrue();
        assertThat(check.alreadyDone().test("Patch: 120228-31 Obsoletes: Requires:")).isTrue();
        assertThat(check.alreadyDone().test("Patch: 120228-19 Obsoletes: Requires:")).isFalse();
        assertThat(check.alreadyDone().test("Patch: 118207-63 Obsoletes: Requires:")).isFalse();
        assertThat(check.alreadyDone().test("Patch: 126479-05 Obsoletes: Requires: 120228-26 Incompatibles:"))
                .as("named by another patch, not applied").isFalse();
        HostCommand confirm = catalog.render(StepId.CONFIRM_PATCHES, DEPLOYMENT, solaris(List.of("de")));
        assertThat(confirm.verify().apply("Patch: 120228-26\nPatch: 126479-05")).isEmpty();
        assertThat(confirm.verify().apply("Patch: 120228-26")).hasValueSatisfying(p -> assertThat(p).contains("126479-05"));
        // a newer revision counts as applied, but the later steps name the patch's directory by the catalog's revision
        assertThat(confirm.verify().apply("Patch: 120228-26\nPatch: 120228-27\nPatch: 126479-05"))
                .hasValueSatisfying(p -> assertThat(p).contains("lists 120228-27, newer than the catalog's 120228-26")
                        .contains("msgsrv.catalog.solaris.core-patch.sparc").contains("by hand with 120228-27"));
        assertThat(confirm.verify().apply("Patch: 120228-26 Obsoletes: Requires:\nPatch: 126479-05 Obsoletes:"
                + " 120228-27 Requires: 120228-26")).as("only Patch: fields count").isEmpty();
    }

    /**
     * On Linux too, a later release of a package satisfies the one the catalog names; the confirmation covers the
     * localization packages, which rpm -F leaves alone where they are not installed.
     */
    @Test
    void treatsRpmReleasesAsMinimumsAndConfirmsTheLocalizationPackages() {
        Host h = linux(List.of("de"));
        HostCommand.Check core = catalog.render(StepId.APPLY_CORE_PATCH, DEPLOYMENT, h).check();
        assertThat(core.alreadyDone().test("sun-messaging-server-6.3-13.9")).isTrue();
        assertThat(core.alreadyDone().test("sun-messaging-server-6.3-13.10")).as("10 > 9, by number").isTrue();
        assertThat(core.alreadyDone().test("sun-messaging-server-6.3-14.1")).isTrue();
        assertThat(core.alreadyDone().test("sun-messaging-server-6.3-2.01")).isFalse();
        assertThat(core.alreadyDone().test("sun-messaging-server-6.2-3.04")).isFalse();
        assertThat(core.alreadyDone().test("package sun-messaging-server is not installed")).isFalse();
        assertThat(core.alreadyDone().test("sun-messaging-server-devel-6.4-1.1")).as("another package").isFalse();
        HostCommand confirm = catalog.render(StepId.CONFIRM_PATCHES, DEPLOYMENT, h);
        assertThat(confirm.verify().apply("sun-messaging-server-6.3-14.1\nsun-messaging-de-6.3-1.7")).isEmpty();
        assertThat(confirm.verify().apply("sun-messaging-server-6.3-13.9\npackage sun-messaging-de is not installed"))
                .hasValueSatisfying(p -> assertThat(p).contains("sun-messaging-de-6.3-1.7"));
        assertThat(RpmPackage.compare("6.3", "6.3")).isZero();
        assertThat(RpmPackage.compare("13.9a", "13.9")).isPositive();
        assertThat(RpmPackage.compare("1.7", "1.7.1")).isNegative();
    }

    /** What a person is shown of two configurations: every setting, but no credential's value. */
    @Test
    void masksTheCredentialsOfAConfigurationsDifferences() {
        String diff = "diff -r -x sslpassword.conf /opt/sun/messaging/config.61-saved/msg.conf /opt/sun/messaging/config/msg.conf\n"
                + "< local.ugldapbindcred = s3cret-61\n> local.service.proxy.adminpass=n3w\n< service.http.port = 8990\n"
                + "> local.imta.ldap.password: p4ss\nOnly in /opt/sun/messaging/config.61-saved: passwords\n"
                + "< default:BindPass b1nd\n> default:bindpw  b2nd\n< ! local.ugldapbindcred = c0mment\n"
                + "< #default:BindPass c0mment2\n> local.ugldapuri = ldap://cn=admin:ur1pw@ds.example.com:389/\n"
                + "< Internal (Software) Token:t0ken\n< pwc.com  $U%$D@tcp_local-daemon\n";
        assertThat(SettingsMask.masked(diff)).doesNotContain("s3cret-61").doesNotContain("n3w").doesNotContain("p4ss")
                .doesNotContain("b1nd").doesNotContain("b2nd").contains("< default:BindPass ********")
                .doesNotContain("c0mment").doesNotContain("ur1pw").doesNotContain("t0ken")
                .contains("ldap://cn=admin:********@ds.example.com:389/")
                .as("a rewrite rule of imta.cnf is not a credential").contains("< pwc.com  $U%$D@tcp_local-daemon")
                .contains("< local.ugldapbindcred = ********", "> local.service.proxy.adminpass=********",
                        "> local.imta.ldap.password: ********", "< service.http.port = 8990",
                        "Only in /opt/sun/messaging/config.61-saved: passwords");
    }

    /** The 6.1 packages' removal is done only when none of them is installed at any 6.1 release. */
    @Test
    void takesThe61PackagesForRemovedOnlyWhenNoneIsAt61() {
        HostCommand.Check check = catalog.render(StepId.REMOVE_61_PACKAGES, DEPLOYMENT, linux(List.of())).check();
        assertThat(check.commandLine()).startsWith("rpm -q sun-messaging-lib sun-messaging-store");
        assertThat(check.alreadyDone().test("package sun-messaging-lib is not installed\n"
                + "package sun-messaging-core-en is not installed")).isTrue();
        assertThat(check.alreadyDone().test("sun-messaging-core-6.1-9")).isFalse();
        assertThat(check.alreadyDone().test("sun-messaging-core-6.1-12")).as("another 6.1 release").isFalse();
        assertThat(check.alreadyDone().test("package sun-messaging-core is not installed\nsun-messaging-core-en-6.1-10"))
                .isFalse();
        assertThat(check.alreadyDone().test("sun-messaging-core-6.3-13.9")).as("6.3, installed after").isTrue();
    }

    @Test
    void verifiesTheReleaseImsimtaReports() {
        HostCommand verify = catalog.render(StepId.VERIFY_UPGRADE, DEPLOYMENT, solaris(List.of()));
        assertThat(verify.verify().apply("Sun Java(tm) System Messaging Server 6.3-0.15 (built Feb  9 2007)")).isEmpty();
        assertThat(verify.verify().apply("Sun Java(tm) System Messaging Server 6.2-3.04 (built Oct 24 2005)"))
                .hasValueSatisfying(p -> assertThat(p).contains("reports 6.2p3, expected 6.3"));
        assertThat(ReleaseVersion.fromImsimta("Messaging Server 6.2-1.02 (built)")).hasValue("6.2");
        assertThat(ReleaseVersion.fromImsimta("Messaging Server 6.3-8.04 (built)")).hasValue("6.3");
    }

    @Test
    void quotesForBourneShell() {
        assertThat(Shell.quote("it's")).isEqualTo("'it'\\''s'");
        assertThatThrownBy(() -> Shell.quote("a\nb")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesAFileDescriptorLimitBelowTheGuidesMinimum() {
        assertThatThrownBy(() -> new CatalogProperties(PROPERTIES.solaris(), PROPERTIES.linux(), 12850))
                .hasMessageContaining("12851");
    }

    /** A Linux patch id or RPM name that could not be right is refused at start-up, naming its setting. */
    @Test
    void refusesLinuxPatchesAndRpmsThatCouldNotBeRightNamingTheSetting() {
        CatalogProperties.Linux linux = PROPERTIES.linux();
        assertThatThrownBy(() -> new CatalogProperties(PROPERTIES.solaris(), new CatalogProperties.Linux("120230",
                linux.coreRpm(), linux.localizationPatch(), linux.localizationRpm()), 16384))
                .hasMessageContaining("msgsrv.catalog.linux.core-patch");
        assertThatThrownBy(() -> new CatalogProperties(PROPERTIES.solaris(), new CatalogProperties.Linux(
                linux.corePatch(), "sun-messaging-server-6.3-13.9.i386", linux.localizationPatch(),
                linux.localizationRpm()), 16384)).hasMessageContaining("msgsrv.catalog.linux.core-rpm")
                .hasMessageContaining("ending in .rpm");
        assertThatThrownBy(() -> new CatalogProperties(PROPERTIES.solaris(), new CatalogProperties.Linux(
                linux.corePatch(), linux.coreRpm(), linux.localizationPatch(), "sun-messaging-de-6.3-1.7.i386.rpm"),
                16384)).hasMessageContaining("msgsrv.catalog.linux.localization-rpm must hold {locale}");
    }

    @Test
    void readsConflictsFromPatchConfigOutput() {
        assertThat(PatchConfigOutput.conflicts("merging\nCONFLICT: msg.conf: service.imap.port\ndone"))
                .containsExactly("msg.conf: service.imap.port");
    }
}
