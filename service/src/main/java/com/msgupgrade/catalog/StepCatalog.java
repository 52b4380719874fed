package com.msgupgrade.catalog;

import static com.msgupgrade.catalog.Shell.quote;

import com.msgupgrade.inventory.Deployment;
import com.msgupgrade.inventory.Host;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * The one place that says, for each step of the guide and each OS: the command, how to tell it
 * already happened, the exit codes that mean success, and whether it is long-running. Delegates
 * never build command lines; they ask the catalog.
 */
@Component
public class StepCatalog {

    private static final Set<Integer> ZERO = Set.of(0);
    /** How long a step's command may take: msgsrv.runs.short-command-timeout or long-command-timeout. */
    private static final boolean SHORT = false;
    private static final boolean LONG = true;

    private final CatalogProperties properties;

    public StepCatalog(CatalogProperties properties) {
        this.properties = properties;
    }

    public HostCommand render(StepId step, Deployment deployment, Host host) {
        return render(step, deployment, host, null);
    }

    /**
     * @param peer the other host a step involves: for useconfig on a standby, the node whose configuration
     *             and data it takes over (on the cluster's shared file system)
     */
    public HostCommand render(StepId step, Deployment deployment, Host host, Host peer) {
        String base = host.msgSvrBase();
        String sbin = base + "/sbin";
        return switch (step) {
            case VERIFY_CURRENT_VERSION -> verifyCurrentVersion(step, host);
            case STOP_MESSAGING_SERVER -> mutating(step, quote(sbin + "/stop-msg"), SHORT, null);
            case APPLY_CORE_PATCH -> host.isSolaris()
                    ? patchadd(step, host, corePatch(host))
                    : rpmFreshen(step, host, List.of(properties.linux().coreRpm()), coreRpmCheck());
            case APPLY_LOCALIZATION_PATCH -> host.isSolaris()
                    ? patchadd(step, host, localizationPatch(host))
                    : rpmFreshen(step, host, localizationRpms(host), localizationRpmCheck(host));
            case CONFIRM_PATCHES -> host.isSolaris() ? confirmSolarisPatches(step, host) : confirmLinuxRpms(step, host);
            case PATCH_CONFIG -> mutating(step, inSbin(base, "./patch-config", "", patchDirsOf(host)), LONG, null);
            case INSTALL_NEW_CONFIG -> installNewConfig(step, host);
            case IMPORT_LDIF -> importLdif(step, deployment, host);
            case SET_PROXY_ADMIN -> setProxyAdmin(step, host);
            // Solaris: "Restart the Messaging Server components" with stop-msg, start-msg; Linux: start-msg (step 17)
            case RESTART_MESSAGING_SERVER -> mutating(step, "ulimit -n " + properties.fileDescriptors() + " && "
                    + (host.isSolaris() ? quote(sbin + "/stop-msg") + " && " : "") + quote(sbin + "/start-msg"),
                    SHORT, null);
            case VERIFY_UPGRADE -> readOnly(step, quote(sbin + "/imsimta") + " version",
                    out -> ReleaseVersion.expect("6.3", out));
            case REMOVE_61_PACKAGES -> mutating(step, "rpm -e --noscripts " + String.join(" ", LINUX_61_PACKAGES),
                    SHORT, new HostCommand.Check("rpm -q " + LINUX_61_PACKAGES.stream()
                            .map(StepCatalog::rpmName).collect(Collectors.joining(" ")) + "; true",
                            StepCatalog::no61PackageIn, "rpm -q finds none of the nine packages at a 6.1 release"));
            case INSTALL_CORE_RPM -> new HostCommand(step,
                    "rpm -i " + quote(host.patchDir() + "/" + properties.linux().coreRpm()), null, true, true,
                    ZERO, coreRpmCheck(), HostCommand.ANY_OUTPUT);
            case INSTALL_LOCALIZATION_RPMS -> new HostCommand(step, "rpm -i " + localizationRpms(host).stream()
                    .map(rpm -> quote(host.patchDir() + "/" + rpm)).collect(Collectors.joining(" ")), null, true, true,
                    ZERO, localizationRpmCheck(host), HostCommand.ANY_OUTPUT);
            case SAVE_OLD_CONFIG -> mutating(step, "cp -pr " + quote(base + "/config") + " " + quote(savedConfig(host)),
                    SHORT, new HostCommand.Check("test -d " + quote(savedConfig(host)) + " && echo saved",
                            out -> out.contains("saved"), savedConfig(host) + " exists"));
            case CONFIGURE -> mutating(step, "cd " + quote(sbin) + " && ./configure -nodisplay -noconsole -state "
                    + quote(host.configureStateFile()), LONG, null);
            // the whole configuration directory: msg.conf "and many other configuration files" (the guide, Table 4-2)
            // (the SSL token's password file left out; credentials in the others masked: SettingsMask); the files
            // that differ first, then how: what is shown of a long output is its head and its end
            case COMPARE_CONFIGURATIONS -> new HostCommand(step, "diff -rq -x 'sslpassword.conf*' "
                    + quote(savedConfig(host)) + " " + quote(base + "/config") + "; diff -r -x 'sslpassword.conf*' "
                    + quote(savedConfig(host)) + " " + quote(base + "/config"), null, false, false, Set.of(0, 1), null,
                    HostCommand.ANY_OUTPUT);
            case START_MESSAGING_SERVER -> mutating(step,
                    "ulimit -n " + properties.fileDescriptors() + " && " + quote(sbin + "/start-msg"), SHORT, null);
            case UNINSTALL_NEW_CONFIG -> mutating(step,
                    inSbin(base, "./uninstall-newconfig", "-f ", reversed(patchDirsOf(host))), LONG,
                    noNewConfigInstalledCheck(host));
            case REMOVE_LOCALIZATION_PATCH -> patchrm(step, localizationPatch(host));
            case REMOVE_CORE_PATCH -> patchrm(step, corePatch(host));
            case VERIFY_PREVIOUS_VERSION -> serving(step, host, host.sourceRelease(), "the rollback is not over:"
                    + " start it (start-msg), then retry");
            case CHECK_HEALTH -> serving(step, host, "6.3", "so the next member of its group is not stopped; start it"
                    + " (start-msg), then retry");
            case USECONFIG -> {
                if (peer == null) {
                    throw new IllegalStateException("useconfig on " + host.name() + " needs the node it takes over");
                }
                yield mutating(step, quote(sbin + "/useconfig") + " " + quote(peer.msgSvrBase() + "/config"), SHORT,
                        null);
            }
            // the setting, then imapd started: a running Messaging Server reads it at its next start only (as the guide
            // stops mshttpd after disabling it, below); the Webmail Servers upgraded next reach the store over IMAP
            // (imapd started only where it does not run; done when the setting is yes and imapd runs: a retry after a
            // start that failed starts it)
            case ENABLE_IMAP -> mutating(step, "ulimit -n " + properties.fileDescriptors() + " && "
                    + quote(sbin + "/configutil") + " -o service.imap.enable -v yes && { " + running(host, "imapd")
                    + " || " + quote(sbin + "/start-msg") + " imap; }", SHORT,
                    new HostCommand.Check(quote(sbin + "/configutil") + " -o service.imap.enable && if " + running(host,
                            "imapd") + "; then echo imapd-running; fi", out -> out.lines().map(String::trim).toList()
                            .containsAll(List.of("yes", "imapd-running")), "service.imap.enable is yes and imapd runs"));
            case CONFIGURE_WEBMAIL_PROXY -> webmailProxy(step, deployment, host);
            case DISABLE_MSHTTPD -> mutating(step, quote(sbin + "/configutil") + " -o service.http.enable -v no && "
                    + quote(sbin + "/stop-msg") + " http", SHORT, null);
        };
    }

    /** The nine 6.1 packages the guide removes before installing 6.3 on Linux. */
    static final List<String> LINUX_61_PACKAGES = List.of("sun-messaging-lib-6.1-9", "sun-messaging-store-6.1-9",
            "sun-messaging-install-6.1-9", "sun-messaging-core-6.1-9", "sun-messaging-mmp-6.1-9",
            "sun-messaging-sieveui-6.1-9", "sun-messaging-webmail-6.1-9", "sun-messaging-core-en-6.1-9",
            "sun-messaging-mta-6.1-9");

    /**
     * Whether {@code rpm -q} of the nine names answered that none is installed at a 6.1 release, whichever: a 6.1
     * package at another release than the guide's 6.1-9 is still there to be removed (the guide's {@code rpm -e}
     * then fails, for a person to look at), not a removal already done.
     */
    static boolean no61PackageIn(String rpmQuery) {
        return rpmQuery.lines().map(String::trim).noneMatch(line -> LINUX_61_PACKAGES.stream().map(StepCatalog::rpmName)
                .anyMatch(name -> line.matches(java.util.regex.Pattern.quote(name) + "-6\\.1-[^-\\s]+")));
    }

    /** sun-messaging-core-6.1-9 → sun-messaging-core */
    static String rpmName(String packageVersion) {
        return packageVersion.replaceFirst("-[^-]+-[^-]+$", "");
    }

    public static String savedConfig(Host host) {
        return host.msgSvrBase() + "/config.61-saved";
    }

    private static List<String> reversed(List<String> items) {
        List<String> copy = new ArrayList<>(items);
        java.util.Collections.reverse(copy);
        return copy;
    }

    /** patchrm, already done when showrev -p no longer lists the patch. */
    private HostCommand patchrm(StepId step, PatchId patch) {
        return new HostCommand(step, "patchrm " + patch, null, true, true, ZERO,
                new HostCommand.Check("showrev -p", out -> patch.appliedIn(out).isEmpty(),
                        "showrev -p no longer lists " + patch.base()), HostCommand.ANY_OUTPUT);
    }

    /** The core patch of this host (Solaris: by architecture; Linux: Table 4-5). */
    public PatchId corePatch(Host host) {
        if (!host.isSolaris()) {
            return PatchId.parse(properties.linux().corePatch());
        }
        return PatchId.parse(byArch(properties.solaris().corePatch(), host, "core-patch"));
    }

    public PatchId localizationPatch(Host host) {
        if (!host.isSolaris()) {
            return PatchId.parse(properties.linux().localizationPatch());
        }
        return PatchId.parse(byArch(properties.solaris().localizationPatch(), host, "localization-patch"));
    }

    private static String byArch(java.util.Map<String, String> ids, Host host, String what) {
        String id = ids.get(host.arch());
        if (id == null) {
            throw new IllegalStateException("no Solaris " + what + " configured for architecture " + host.arch()
                    + " (msgsrv.catalog.solaris." + what + "." + host.arch() + ")");
        }
        return id;
    }

    private List<String> patchDirsOf(Host host) {
        List<String> dirs = new ArrayList<>();
        dirs.add(host.msgSvrBase() + "/install/patch/" + corePatch(host));
        // "corresponding to the core and, if needed, localization patches": on Linux as on Solaris
        if (host.hasLocales()) {
            dirs.add(host.msgSvrBase() + "/install/patch/" + localizationPatch(host));
        }
        return dirs;
    }

    /** {@code cd msg-svr-base/sbin && ./tool [flags]dir [&& ./tool [flags]dir]}, as the guide writes it. */
    private static String inSbin(String base, String tool, String flags, List<String> patchDirs) {
        return "cd " + quote(base + "/sbin") + " && " + patchDirs.stream()
                .map(dir -> tool + " " + flags + quote(dir))
                .collect(Collectors.joining(" && "));
    }

    private HostCommand patchadd(StepId step, Host host, PatchId patch) {
        String showrev = "showrev -p";
        return new HostCommand(step, "patchadd " + quote(host.patchDir() + "/" + patch), null, true, true,
                ZERO, new HostCommand.Check(showrev, patch::satisfiedBy,
                        "showrev -p lists " + patch + " or a newer revision"),
                HostCommand.ANY_OUTPUT);
    }

    private HostCommand rpmFreshen(StepId step, Host host, List<String> rpms, HostCommand.Check check) {
        String files = rpms.stream().map(rpm -> quote(host.patchDir() + "/" + rpm)).collect(Collectors.joining(" "));
        return new HostCommand(step, "rpm -Fvh " + files, null, true, true, ZERO, check, HostCommand.ANY_OUTPUT);
    }

    private HostCommand.Check coreRpmCheck() {
        String installed = rpmPackageVersion(properties.linux().coreRpm());
        return new HostCommand.Check("rpm -q sun-messaging-server",
                out -> out.lines().anyMatch(line -> RpmPackage.lineSatisfies(line, installed)),
                "rpm -q sun-messaging-server reports " + installed + " or a later release");
    }

    private HostCommand.Check localizationRpmCheck(Host host) {
        List<String> wanted = localizationRpms(host).stream().map(StepCatalog::rpmPackageVersion).toList();
        String packages = host.locales().stream().map(l -> "sun-messaging-" + l).collect(Collectors.joining(" "));
        return new HostCommand.Check("rpm -q " + packages,
                out -> wanted.stream().allMatch(w -> out.lines().anyMatch(line -> RpmPackage.lineSatisfies(line, w))),
                "rpm -q reports " + String.join(", ", wanted) + " or later releases");
    }

    public List<String> localizationRpms(Host host) {
        return host.locales().stream()
                .map(locale -> properties.linux().localizationRpm().replace("{locale}", locale))
                .toList();
    }

    /** sun-messaging-server-6.3-13.9.i386.rpm → sun-messaging-server-6.3-13.9 (what rpm -q prints). */
    static String rpmPackageVersion(String rpmFile) {
        return rpmFile.replaceFirst("\\.[a-z0-9_]+\\.rpm$", "");
    }

    /**
     * The guide's "Confirm that the patch upgrades were successful": every patch of the host listed, at the catalog's
     * revision or a newer one. A newer one (applied by hand before; its patchadd then counted as done) fails it
     * with what to do: patch-config, install-newconfig and a rollback's patchrm name the patch by the catalog's
     * revision ({@code install/patch/<patch_ID>}), which is not the one the host has.
     */
    private HostCommand confirmSolarisPatches(StepId step, Host host) {
        Map<PatchId, String> wanted = new java.util.LinkedHashMap<>();
        wanted.put(corePatch(host), "core-patch");
        if (host.hasLocales()) {
            wanted.put(localizationPatch(host), "localization-patch");
        }
        String grep = wanted.keySet().stream().map(PatchId::base).collect(Collectors.joining("|"));
        return readOnly(step, "showrev -p | egrep " + quote(grep), out -> wanted.entrySet().stream()
                .map(w -> problem(w.getKey(), w.getKey().appliedIn(out), "msgsrv.catalog.solaris." + w.getValue()
                        + "." + host.arch()))
                .flatMap(Optional::stream)
                .findFirst());
    }

    private static Optional<String> problem(PatchId wanted, Optional<PatchId> applied, String property) {
        if (applied.isEmpty() || applied.get().revision() < wanted.revision()) {
            return Optional.of("showrev -p does not list " + wanted + " or a newer revision");
        }
        if (applied.get().revision() > wanted.revision()) {
            return Optional.of("showrev -p lists " + applied.get() + ", newer than the catalog's " + wanted + " ("
                    + property + "): the next steps, patch-config and install-newconfig, and a rollback's patchrm name"
                    + " the patch's directory by the catalog's revision (install/patch/" + wanted + "), which is not"
                    + " this host's; run them on this host by hand with " + applied.get() + " and mark them done, or"
                    + " bring the host to " + wanted + " first (the catalog's revision is every host's: changing it"
                    + " changes the commands of the hosts already upgraded with it, their rollback's patchrm too)");
        }
        return Optional.empty();
    }

    /**
     * The guide's "Confirm that the patch upgrades were successful", for the core and, on a host with locales, the
     * localization packages: {@code rpm -F} freshens only the packages installed, and says nothing of one that is not.
     */
    private HostCommand confirmLinuxRpms(StepId step, Host host) {
        List<String> wanted = new ArrayList<>();
        wanted.add(rpmPackageVersion(properties.linux().coreRpm()));
        localizationRpms(host).stream().map(StepCatalog::rpmPackageVersion).forEach(wanted::add);
        String packages = java.util.stream.Stream.concat(java.util.stream.Stream.of("sun-messaging-server"),
                host.locales().stream().map(l -> "sun-messaging-" + l)).collect(Collectors.joining(" "));
        return readOnly(step, "rpm -q " + packages, out -> wanted.stream()
                .filter(w -> out.lines().noneMatch(line -> RpmPackage.lineSatisfies(line, w)))
                .findFirst()
                .map(w -> "rpm -q does not report " + w + " or a later release"));
    }

    /**
     * Whether the active msg.conf is the one patch-config prepared: the newconfig/msg.conf of the last of the host's
     * patch directories that has one (install-newconfig installs them in that order, a localization patch's after the
     * core's).
     */
    private HostCommand.Check newConfigInstalledCheck(Host host) {
        String active = host.msgSvrBase() + "/config/msg.conf";
        String dirs = patchDirsOf(host).stream().map(Shell::quote).collect(Collectors.joining(" "));
        return new HostCommand.Check("n=; for d in " + dirs + "; do [ ! -f \"$d/newconfig/msg.conf\" ] ||"
                + " n=\"$d/newconfig/msg.conf\"; done; [ -n \"$n\" ] && cmp -s \"$n\" " + quote(active)
                + " && echo installed", out -> out.lines().anyMatch("installed"::equals),
                "the active msg.conf is the one patch-config prepared");
    }

    /**
     * The rollback's look: the new configuration of none of the host's patch directories is the active msg.conf.
     * Not only the last one's: an install-newconfig that failed at the localization patch left the core's active,
     * which a look for the last one alone would take for no new configuration, and the step would be skipped.
     */
    private HostCommand.Check noNewConfigInstalledCheck(Host host) {
        String active = host.msgSvrBase() + "/config/msg.conf";
        String dirs = patchDirsOf(host).stream().map(Shell::quote).collect(Collectors.joining(" "));
        return new HostCommand.Check("i=; for d in " + dirs + "; do if [ -f \"$d/newconfig/msg.conf\" ] && cmp -s"
                + " \"$d/newconfig/msg.conf\" " + quote(active) + "; then i=\"$d\"; fi; done; if [ -n \"$i\" ]; then"
                + " echo \"installed: $i\"; else echo not-installed; fi",
                out -> out.lines().anyMatch("not-installed"::equals),
                "the new configuration of none of the patches is the active one");
    }

    private String dirs(Host host) {
        return String.join(", ", patchDirsOf(host));
    }

    /**
     * The guide's install-newconfig of each patch directory ({@code -f} on Solaris: "avoids having to confirm the
     * operation for each file"; the guide's Linux command has none), then the same look as its check: the step
     * succeeds only when the active msg.conf is the one patch-config prepared. A tool that asked for confirmations
     * it could not read (no terminal) and ended well having installed nothing fails the step, rather than the host
     * being reported at 6.3 with its old configuration.
     */
    private HostCommand installNewConfig(StepId step, Host host) {
        HostCommand.Check installed = newConfigInstalledCheck(host);
        String command = inSbin(host.msgSvrBase(), "./install-newconfig", host.isSolaris() ? "-f " : "",
                patchDirsOf(host)) + " && { " + installed.commandLine() + "; true; }";
        return new HostCommand(step, command, null, true, true, ZERO, installed, out -> installed.alreadyDone()
                .test(out) ? Optional.empty() : Optional.of("install-newconfig ended well, but the active msg.conf is"
                + " not the one patch-config prepared (the newconfig/msg.conf of the last of " + dirs(host) + " that"
                + " has one): the new configuration is not installed (did it ask to confirm each file, with no"
                + " terminal to answer?); install it by hand, then mark the step done, or retry"));
    }

    /**
     * The guide's import of the configuration patch-config migrated ({@code -c}: on past the entries the directory
     * refuses, which {@code -e} writes to {@code patch/ugdir_diff.rej}). An entry refused is configuration missing
     * from the directory, whatever ldapmodify's exit status says: the step fails, naming how many and where they are,
     * for a person to look at them (the file is not shown: it may hold credentials) and decide. The file of an
     * earlier attempt is kept aside ({@code .rej.earlier}), so that only this import's refusals count.
     */
    private HostCommand importLdif(StepId step, Deployment deployment, Host host) {
        Deployment.DirectoryServer ds = deployment.directoryServer();
        String lib = host.msgSvrBase() + "/lib";
        String command = "cd " + quote(lib) + " && { [ ! -f patch/ugdir_diff.rej ] || mv patch/ugdir_diff.rej"
                + " patch/ugdir_diff.rej.earlier; } && LD_LIBRARY_PATH=" + quote(lib)
                + " ./ldapmodify -D " + quote(ds.bindDn()) + " -j " + Shell.SECRET_FILE + " -c"
                + " -h " + quote(ds.host()) + " -p " + ds.port()
                + " -e patch/ugdir_diff.rej -f patch/ugdir_diff.ldif; rc=$?; if [ -s patch/ugdir_diff.rej ]; then"
                + " n=`grep -c '^dn:' patch/ugdir_diff.rej`; echo \"" + LDIF_REJECTED + " $n entries: they are in "
                + lib + "/patch/ugdir_diff.rej; look at them before deciding (on a retry, the entries an earlier import"
                + " applied are refused as already there: those of patch/ugdir_diff.rej.earlier that it did not list)\""
                + " >&2; exit 1; fi; exit $rc";
        return new HostCommand(step, command, ds.passwordSecret(), true, true, ZERO, null,
                HostCommand.ANY_OUTPUT);
    }

    /**
     * The guide's post-upgrade settings of a webmail for each store it reads; without the {@code .<host>}
     * suffix when it reads a single store. The admin password goes through the secret file, never an argument.
     */
    private HostCommand webmailProxy(StepId step, Deployment deployment, Host webmail) {
        List<String> stores = deployment.webmailStores().getOrDefault(webmail.name(), List.of());
        Host.ProxyAdmin proxy = deployment.webmailProxyAdmin();
        if (stores.isEmpty() || proxy == null) {
            throw new IllegalStateException("webmail " + webmail.name() + " reads no store or has no webmailProxyAdmin");
        }
        String configutil = quote(webmail.msgSvrBase() + "/sbin/configutil");
        List<String> parts = new ArrayList<>();
        for (String store : stores) {
            // "each specifying a target host name": the store's as webmail reaches it
            String suffix = stores.size() == 1 ? "" : "." + deployment.host(store).map(Host::storeHost).orElse(store);
            parts.add(configutil + " -o service.http.allowadminproxy" + suffix + " -v yes");
            parts.add(configutil + " -o local.service.http.proxy.admin" + suffix + " -v " + quote(proxy.user()));
            parts.add(importSecret(configutil, "local.service.http.proxy.adminpass" + suffix));
        }
        // mshttpd reads its settings as it starts: restarted, it serves with them
        parts.add(0, "ulimit -n " + properties.fileDescriptors()); // first: its failure leaves mshttpd running
        parts.add(quote(webmail.msgSvrBase() + "/sbin/stop-msg") + " http");
        parts.add(quote(webmail.msgSvrBase() + "/sbin/start-msg") + " http");
        return new HostCommand(step, String.join(" && ", parts), proxy.passwordSecret(), true, false, ZERO,
                null, HostCommand.ANY_OUTPUT);
    }

    static final String LDIF_REJECTED = "the Directory Server refused";

    /** The daemons a host's components run (Messaging Server 6.3, and 6.x before it): what a host that serves has running. */
    static final Map<String, List<String>> DAEMONS = Map.of("store", List.of("stored"),
            "mta", List.of("dispatcher", "job_controller"), "mmp", List.of("AService"), "webmail", List.of("mshttpd"));

    static final String NOT_RUNNING = "not running: ";

    /**
     * True when a process named {@code name} (a shell word) runs on the host: in its own zone on Solaris, where a
     * global zone's pgrep also sees the other zones' processes (another zone's Messaging Server would pass for it).
     */
    private static String running(Host host, String name) {
        return "pgrep " + (host.isSolaris() ? "-z `zonename` " : "") + "-x " + name + " > /dev/null";
    }

    /** How many times a health check looks for a daemon that is not running yet, and the pause between looks. */
    static final int HEALTH_LOOKS = 5;
    static final int HEALTH_PAUSE_SECONDS = 3;

    /**
     * Whether a host serves again at {@code release}, every daemon of its components running; start-msg can end well
     * with one of them down. An upgraded member of a load-balanced group, before the next one is stopped (the guide's
     * rolling upgrade: "you upgrade each instance of Messaging Server while the others remain running"), and a host
     * rolled back, which the rollout counts as serving again (its group's next member may then be stopped). A daemon
     * start-msg left still starting is given {@value #HEALTH_LOOKS} looks {@value #HEALTH_PAUSE_SECONDS} s apart
     * (12 s, within the SSH command timeout's 30 s) before the host is judged not serving; a host whose daemons run
     * is answered at once. Bourne shell: Solaris 10's {@code /bin/sh} has no arithmetic, hence the counted loop.
     */
    private HostCommand serving(StepId step, Host host, String release, String otherwise) {
        String sbin = host.msgSvrBase() + "/sbin";
        List<String> daemons = host.components().stream().flatMap(c -> DAEMONS.getOrDefault(c, List.of()).stream())
                .distinct().toList();
        String looks = java.util.stream.IntStream.rangeClosed(1, HEALTH_LOOKS).mapToObj(Integer::toString)
                .collect(Collectors.joining(" "));
        String command = quote(sbin + "/imsimta") + " version" + (daemons.isEmpty() ? "" : " && { for t in " + looks
                + "; do down=; for p in " + String.join(" ", daemons) + "; do " + running(host, "$p")
                + " || down=\"$down $p\"; done; [ -z \"$down\" ] && break; [ $t = " + HEALTH_LOOKS + " ] || sleep "
                + HEALTH_PAUSE_SECONDS + "; done; for p in $down; do echo \"" + NOT_RUNNING + "$p\"; done; }");
        return readOnly(step, command, out -> ReleaseVersion.expect(release, out).or(() -> {
            List<String> down = out.lines().filter(line -> line.startsWith(NOT_RUNNING))
                    .map(line -> line.substring(NOT_RUNNING.length()).trim()).toList();
            return down.isEmpty() ? Optional.empty() : Optional.of(host.name() + " is at " + release + " but "
                    + String.join(", ", down) + (down.size() == 1 ? " is" : " are") + " not running "
                    + (HEALTH_LOOKS - 1) * HEALTH_PAUSE_SECONDS + " s after the first look: it does not serve"
                    + " again, " + otherwise);
        }));
    }

    private HostCommand setProxyAdmin(StepId step, Host host) {
        Host.ProxyAdmin proxy = host.proxyAdmin();
        if (proxy == null) {
            throw new IllegalStateException("host " + host.name() + " has no proxyAdmin: the step does not apply");
        }
        String configutil = "LD_LIBRARY_PATH= " + quote(host.msgSvrBase() + "/sbin/configutil");
        String command = configutil + " -o local.service.proxy.admin -v " + quote(proxy.user()) + " && "
                + importSecret(configutil, "local.service.proxy.adminpass");
        // no check: the user alone cannot tell whether the password was set; configutil is idempotent
        return new HostCommand(step, command, proxy.passwordSecret(), true, false, ZERO, null,
                HostCommand.ANY_OUTPUT);
    }

    /**
     * Sets a configutil option to the step's secret without the value ever being an argument: {@code configutil -i
     * inputfile} imports {@code option=value} lines (no spaces around {@code =}) from a file named by its absolute
     * path (Administration Reference); the file is written next to the 0600 secret file, in the run's 0700
     * directory, and removed whatever the import did (the run's wrapper removes both when the run ends, too).
     */
    private static String importSecret(String configutil, String option) {
        String file = "\"$SECRET_FILE.cfg\"";
        return "{ { printf '%s' '" + option + "='; cat " + Shell.SECRET_FILE + "; echo; } > " + file + " && "
                + configutil + " -i " + file + "; rc=$?; rm -f " + file + "; [ $rc = 0 ]; }";
    }

    private static HostCommand readOnly(StepId step, String command,
            java.util.function.Function<String, Optional<String>> verify) {
        return new HostCommand(step, command, null, false, false, ZERO, null, verify);
    }

    /**
     * Whether a retry after this step's own failed run on the host runs its command whole, whatever its check reads:
     * install-newconfig for the core, then the localization patch, in one command, whose check can tell only the core's
     * (both patches' new msg.conf may read the same); each part may run again (it installs the same files). With the
     * core patch alone the check tells (a configuration installed by hand is found there).
     */
    public boolean runsWholeAfterItsOwnFailure(StepId step, Host host) {
        return step == StepId.INSTALL_NEW_CONFIG && patchDirsOf(host).size() > 1;
    }

    /**
     * The standby's version read before a node fails over to it, which must also report the node's own build: the
     * guide's first step of each node's failover is "Make sure the MS-X binaries are at the same patch level as
     * Node1" (the release alone, 6.2p3, covers several builds). {@code nodeVersion}: what the node's
     * {@code imsimta version} printed in this rollout.
     */
    public static HostCommand atPatchLevelOf(HostCommand standbyVersion, String node, String nodeVersion) {
        Optional<String> nodeBuild = ReleaseVersion.build(nodeVersion);
        if (nodeBuild.isEmpty()) {
            return standbyVersion;
        }
        return standbyVersion.withVerify(out -> standbyVersion.verify().apply(out)
                .or(() -> ReleaseVersion.build(out).filter(build -> !build.equals(nodeBuild.get()))
                        .map(build -> "the standby's binaries are at Messaging Server " + build + ", " + node
                                + "'s at " + nodeBuild.get() + ": \"Make sure the MS-X binaries are at the same patch"
                                + " level as Node1\" (guide); bring the standby to the node's patch level, then retry")));
    }

    /** What {@link #verifyCurrentVersion} prints for each file of the upgrade not found on the host. */
    static final String NOT_ON_THE_HOST = "msgsrv: not on the host: ";

    /**
     * The guide's "Verify current version information" ({@code imsimta version} at the host's release), and what
     * the host's upgrade installs from its patch directory there: the guide obtains the patches (Linux: the RPMs;
     * 6.1 on Linux: configure's state file too) before Messaging Server is stopped, and an install that finds none
     * after {@code stop-msg} (or a cluster's failover) leaves the host down until someone decides. Shell built-ins
     * only: no process more on the host.
     */
    private HostCommand verifyCurrentVersion(StepId step, Host host) {
        List<String> needed = new ArrayList<>();
        if (host.isSolaris()) {
            needed.add("-d " + quote(host.patchDir() + "/" + corePatch(host)));
            if (host.hasLocales()) {
                needed.add("-d " + quote(host.patchDir() + "/" + localizationPatch(host)));
            }
        } else {
            needed.add("-f " + quote(host.patchDir() + "/" + properties.linux().coreRpm()));
            localizationRpms(host).forEach(rpm -> needed.add("-f " + quote(host.patchDir() + "/" + rpm)));
            if ("6.1".equals(host.sourceRelease())) {
                needed.add("-f " + quote(host.configureStateFile()));
            }
        }
        String command = quote(host.msgSvrBase() + "/sbin/imsimta") + " version" + needed.stream()
                .map(test -> " && { [ " + test + " ] || echo '" + NOT_ON_THE_HOST + "'" + test.substring(3) + "; }")
                .collect(Collectors.joining());
        return readOnly(step, command, out -> ReleaseVersion.expect(host.sourceRelease(), out).or(() -> {
            List<String> missing = out.lines().filter(line -> line.startsWith(NOT_ON_THE_HOST))
                    .map(line -> line.substring(NOT_ON_THE_HOST.length())).toList();
            return missing.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", missing) + (missing.size() == 1
                    ? " is" : " are") + " not on the host: the guide obtains the patches before Messaging Server is"
                    + " stopped, and nothing has been stopped; put " + (missing.size() == 1 ? "it" : "them")
                    + " there (the host's patchDir, the catalog's " + (host.isSolaris() ? "patch directories"
                    : "RPMs") + "), then retry");
        }));
    }

    private static HostCommand mutating(StepId step, String command, boolean longRunning, HostCommand.Check check) {
        return new HostCommand(step, command, null, true, longRunning, ZERO, check,
                HostCommand.ANY_OUTPUT);
    }
}
