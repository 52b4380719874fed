package com.msgupgrade.hostops;

import static com.msgupgrade.catalog.Shell.quote;

import com.msgupgrade.ssh.CommandResult;
import com.msgupgrade.ssh.RemoteShell;
import com.msgupgrade.ssh.RemoteShell.RemoteSession;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Runs a command detached on a host under a run id (DESIGN.md §2): a run directory holds the script,
 * its output and its exit status. {@code mkdir <run>/launched} is the host-side guard: whoever
 * creates it starts the command, everyone else attaches, so a command never starts twice.
 * Everything sent is plain Bourne sh, as Solaris 10's /bin/sh runs it.
 */
final class DetachedRunner {

    private DetachedRunner() {}

    static String runDir(String workDir, String runId) {
        return workDir + "/" + runId;
    }

    /** A command writing the run's files from its standard input, and that input. */
    private record Preparation(String command, byte[] stdin) {}

    /**
     * Writes the run's files under names of this shell's own ({@code cmd.$$}, {@code secret.$$}), which
     * {@link #launchCommand} puts in place only once its {@code mkdir launched} won (and records the host's boot
     * then): a second start of the same run at the same moment (the engine retrying a launch whose answer was late,
     * while the first one's shell still runs on the host) must not rewrite, nor truncate, the script or the secret
     * of a command already running.
     */
    private static Preparation preparation(String runDir, String script, String secret, boolean checkDirectories) {
        String d = quote(runDir);
        byte[] scriptBytes = script.getBytes(StandardCharsets.UTF_8);
        String write = secret == null ? "cat > " + d + "/cmd.$$" : "dd bs=1 count=" + scriptBytes.length + " of=" + d
                + "/cmd.$$ 2>/dev/null";
        String command = "umask 077 && mkdir -p " + d + " && " + (checkDirectories ? ownDirectories(d) + " && " : "")
                + staleSecretsRemoved(d) + " && if [ ! -d " + d + "/launched ]; then " + noOtherRunGoesOn(runDir) + " && "
                + write + " && " + holds(d + "/cmd.$$", scriptBytes.length); // a secret follows the script: not read here
        if (secret == null) {
            return new Preparation(command + "; fi", scriptBytes);
        }
        byte[] secretBytes = secret.getBytes(StandardCharsets.UTF_8);
        byte[] stdin = java.util.Arrays.copyOf(scriptBytes, scriptBytes.length + secretBytes.length);
        System.arraycopy(secretBytes, 0, stdin, scriptBytes.length, secretBytes.length);
        // a secret cut short is removed at once: the run may never be launched (an operator aborts), and the part
        // that came is part of the secret
        return new Preparation(command + " && { cat > " + d + "/secret.$$ && " + holds(d + "/secret.$$",
                secretBytes.length) + " || { rm -f " + d + "/secret.$$; false; }; }; fi", stdin);
    }

    /**
     * Removes the secret files ({@code secret}, and the {@code secret.*} a configutil import or a preparation left)
     * that outlived their runs in the host's work directory: a run that ended, or whose
     * wrapper and command are gone (the host rebooted while it ran, and an operator then marked the step done or aborted, so
     * that nothing ever ran it again). A run not launched yet keeps its secret (a retry launches it), as does one
     * that goes on ({@link #ifItGoesOn}). At every launch on the host; the run directories are only looked at.
     * (Solaris 10's /bin/sh has no {@code !} before a command: hence the empty branches.)
     */
    private static String staleSecretsRemoved(String d) {
        return "{ for r in " + d + "/../run-*; do for f in \"$r\"/secret \"$r\"/secret.*; do if [ -f \"$f\" ] && [ -d"
                + " \"$r/launched\" ]; then " + secretRemovedUnlessItsRunGoesOn("\"$r\"", ":", ":") + "; break; fi;"
                + " done; done; true; }";
    }

    /**
     * A failure, before anything is written, while another run in the host's work directory goes on (launched, no
     * exit status, {@link #ifItGoesOn}): a command of an earlier rollout, or an earlier attempt of the same step, that
     * a lost connection left running, and that the host must finish before anything else changes it.
     */
    private static String noOtherRunGoesOn(String runDir) {
        String d = quote(runDir);
        String self = quote(runDir + "/../" + runDir.substring(runDir.lastIndexOf('/') + 1)); // as the loop names it
        return "{ o=; for r in " + d + "/../run-*; do if [ \"$r\" != " + self + " ] && [ -d \"$r/launched\" ]"
                + " && [ ! -f \"$r/exit\" ]; then " + secretRemovedUnlessItsRunGoesOn("\"$r\"", "o=\"$o $r\"", ":")
                + "; fi; done; [ -z \"$o\" ] || { echo \"" + OTHER_RUN + "$o: nothing was written\" >&2; false; }; }";
    }

    static final String OTHER_RUN = "another run is still going on this host:";

    /**
     * Removes the secret's files of the run in directory {@code r} (a shell word) and runs {@code removed}, unless the
     * run was launched, has no exit status yet, and goes on ({@link #ifItGoesOn}): then runs {@code goesOn}.
     */
    private static String secretRemovedUnlessItsRunGoesOn(String r, String goesOn, String removed) {
        return "if [ -d " + r + "/launched ] && [ ! -f " + r + "/exit ]; then " + ifItGoesOn(r) + " " + goesOn
                + "; else rm -f " + secretFiles(r) + "; " + removed + "; fi; else rm -f " + secretFiles(r) + "; "
                + removed + "; fi";
    }

    /**
     * {@code if <the launched run in directory r goes on>; then}: the host has not restarted since the run was
     * prepared ({@link #sameBoot}), and its wrapper (pid) is alive, or its command (cpid) is (the wrapper was killed,
     * the command was not: nothing else may change the host meanwhile), or the wrapper as it recorded itself
     * ({@code wpid}, its first act: a launching shell killed before it wrote the pid), or, no pid written yet, the
     * launching shell, which writes it right after the fork, is still alive ({@code launched/by}) and the launch is
     * less than a day old (a pid that another process took since holds nothing back for longer). A launching shell
     * gone with neither pid written never started the wrapper (its fork failed): the run is lost, instead of holding
     * every later launch on the host back. A run launched before the launching shell was recorded goes on, without a
     * pid, for a day from its launch. Backquotes only where a value is assigned (Solaris 10's /bin/sh).
     */
    private static String ifItGoesOn(String r) {
        return sameBoot(r) + " w=`cat " + r + "/pid 2>/dev/null`; l=`cat " + r + "/launched/by 2>/dev/null`; if "
                + NOT_RESTARTED + " && { { [ -n \"$w\" ] && kill -0 $w 2>/dev/null; } || { c=`cat " + r + "/cpid"
                + " 2>/dev/null`; [ -n \"$c\" ] && kill -0 $c 2>/dev/null; } || { p=`cat " + r + "/wpid 2>/dev/null`;"
                + " [ -n \"$p\" ] && kill -0 $p 2>/dev/null; } || { [ -z \"$w\" ] && { [ -z \"$l\" ] || kill -0 $l"
                + " 2>/dev/null; } && a=`find " + r + "/launched -prune -mtime -1` && [ -n \"$a\" ]; }; }; then";
    }

    /**
     * The host's boot: Linux's boot id (exact, whatever the clock does), else the boot record as Solaris tells it
     * ({@code who -b}, in one locale and zone). Empty where there is neither.
     */
    private static final String BOOT = "cat /proc/sys/kernel/random/boot_id 2>/dev/null || LC_ALL=C TZ=UTC0 who -b"
            + " 2>/dev/null";

    /**
     * Sets {@code b} to the host's boot when the run in directory {@code r} was prepared (recorded then,
     * {@link #BOOT}) and {@code n} to the boot now (read only when there is a record to compare with). They differ
     * when the host restarted since: a pid the run's wrapper or command had is then some other process's, which must
     * neither pass for the run nor be stopped as its.
     */
    private static String sameBoot(String r) {
        return "b=`cat " + r + "/boot 2>/dev/null`; n=; if [ -n \"$b\" ]; then n=`" + BOOT + "`; fi;";
    }

    /**
     * After {@link #sameBoot}: true unless both boots are known and differ. An unknown boot now (the host's boot
     * record could not be read this time) is no proof of a restart: taking a run that goes on for lost would let
     * another command start beside it, so the pids alone tell then, as where no boot was ever recorded.
     */
    private static final String NOT_RESTARTED = "{ [ -z \"$n\" ] || [ \"$b\" = \"$n\" ]; }";

    /**
     * Removes the secret's files of a run that nobody will launch or wait for any more (its step ended without the
     * run's end: the host rebooted while it ran, or its connection was lost, and an operator then aborted or marked
     * the step done), launched or not; true when they are gone (or the run directory is), false while the run goes
     * on (its wrapper removes them when it ends).
     */
    static boolean secretRemoved(RemoteSession session, String runDir) {
        String d = quote(runDir);
        CommandResult result = session.exec("if [ -d " + d + " ]; then "
                + secretRemovedUnlessItsRunGoesOn(d, "echo running", "echo removed") + "; else echo removed; fi", null);
        expectZero(result, "remove the run's secret");
        String answer = lastLine(result.stdout());
        if (answer.equals("removed")) {
            return true;
        }
        if (answer.equals("running")) {
            return false;
        }
        throw new HostAnswerException("could not remove the run's secret: unexpected answer '" + answer + "'");
    }

    /**
     * A failure, before anything is written, unless the work directory and the run directory are directories (not
     * links) of the connecting user that nobody else may write to. The work directory is under /var/tmp by
     * default, where anyone may create it first: whoever owns it could read the secret file written there, or
     * change the script between its check and its run. {@code mkdir -p} accepts a directory that exists. Once a
     * host's work directory passed, the caller may skip the check ({@code checkDirectories}): only its owner (the
     * connecting user) or root can change it, and nobody else can make a run directory in it.
     */
    private static String ownDirectories(String d) {
        return "{ u=`id | sed 's/^uid=\\([0-9]*\\).*/\\1/'`; [ -n \"$u\" ] && [ -z \"`find " + d + "/.. " + d
                + " -prune \\( ! -type d -o ! -user $u -o -perm -020 -o -perm -002 \\) -print`\" ] || { echo \"the"
                + " work directory or the run directory " + d.replace("'", "") + " is not a directory of the connecting"
                + " user only (owner, links, write permission of others): nothing was written\" >&2; false; }; }";
    }

    /**
     * A failure unless the file holds exactly {@code bytes} bytes (backquotes: Solaris 10's /bin/sh has no $();
     * unquoted, so that the blanks {@code wc} pads its count with on Solaris go).
     */
    private static String holds(String file, int bytes) {
        return "[ `wc -c < " + file + "` -eq " + bytes + " ]";
    }

    /**
     * Starts the run unless it was started before, and, when this call started it, keeps waiting on the host for
     * it to end: the channel then answers as {@link #ended} does (the run's output on stdout, its exit status last
     * on stderr, {@link #endedOnLaunch}) and closes, so nobody has to poll for it. {@code launched} or
     * {@code attached} comes first on stderr. The run is prepared (as {@link #launch} does) in the same round trip.
     * Closing the returned command before the run ended leaves the run going: it runs under {@code nohup},
     * detached from the channel.
     */
    static RemoteShell.Started launchAndWait(RemoteSession session, String runDir, String script, String secret,
            boolean checkDirectories) {
        String d = quote(runDir);
        Preparation preparation = preparation(runDir, script, secret, checkDirectories);
        return session.start(preparation.command() + " && " + launchCommand(d, secret != null, "w=$!; echo $w > pid;"
                + " echo launched >&2; wait $w; " + readEnded(".") + ";", " >&2"), preparation.stdin());
    }

    /** Whether the {@link #launchAndWait} call started the run (false: it was started before). */
    static boolean started(RemoteShell.Started launch) {
        String answer = launchAnswer(launch.awaitStderr(out -> launchAnswer(out) != null));
        if ("launched".equals(answer)) {
            return true;
        }
        if ("attached".equals(answer)) {
            return false;
        }
        CommandResult result = launch.awaitExit();
        expectLaunched(result, "prepare and launch the run");
        throw new HostAnswerException("could not launch the run: unexpected answer '" + tail(result.stderr().trim())
                + "'");
    }

    /**
     * {@code launched} or {@code attached}, the launch's first answer on stderr, once a whole line of it came; null
     * before. Whatever a login script of the host wrote to stderr comes before it, in lines of its own.
     */
    static String launchAnswer(String stderr) {
        String[] lines = stderr.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) { // the last part is a line not ended yet
            String line = lines[i].trim();
            if (line.equals("launched") || line.equals("attached")) {
                return line;
            }
        }
        return null;
    }

    /**
     * How the run ended, from what its {@link #launchAndWait} channel answered once it closed; empty when the channel
     * closed before the run ended (the connection was lost), or did not start it.
     */
    static Optional<Ended> endedOnLaunch(CommandResult launchResult) {
        String status = lastLine(launchResult.stderr());
        return status.matches("-?[0-9]+") ? Optional.of(new Ended(Integer.parseInt(status), launchResult))
                : Optional.empty();
    }

    /**
     * Writes the script (and the secret, 0600) into the run directory and starts the run, unless the run already
     * started, in one round trip, without waiting for it; true when this call started it. Script and secret both
     * come on standard input, the script's bytes first. Each file is checked to hold every byte sent before anything
     * runs: a script or secret cut short on the way (a host under load once ran a command with an empty secret file;
     * the connection lost or the service stopped while sending) fails the call, which a retry repeats, instead of
     * running a truncated command; the part of the secret that came is removed. As {@link #launchAndWait} does,
     * which also waits.
     */
    static boolean launch(RemoteSession session, String runDir, String script, String secret,
            boolean checkDirectories) {
        String d = quote(runDir);
        Preparation preparation = preparation(runDir, script, secret, checkDirectories);
        CommandResult result = session.exec(preparation.command() + " && "
                + launchCommand(d, secret != null, "echo $! > pid; echo launched;", ""), preparation.stdin());
        expectLaunched(result, secret == null ? "prepare and launch the run"
                : "prepare and launch the run with the step's secret file");
        return result.stdout().contains("launched");
    }

    /** The exit status written for a run whose command is gone without one ({@link #markEnded}). */
    static final int GONE_EXIT_STATUS = 137;

    /**
     * Writes an exit status for a run that has none, its command found gone: its wrapper, which writes it as its last
     * act, would overwrite it if it still ran. The run then no longer holds later launches on the host back.
     */
    static void markEnded(RemoteSession session, String runDir, int exitStatus) {
        String d = quote(runDir);
        // a name of its own: the wrapper writes exit.tmp
        expectZero(session.exec("cd " + d + " && if [ ! -f exit ]; then echo " + exitStatus + " > exit.gone.$$ && mv"
                + " exit.gone.$$ exit; fi", null), "mark the run ended");
    }

    /**
     * {@code attachedTo}: where "attached" goes when the run was started before (" >&2": stderr). The files this shell
     * prepared ({@link #preparation}) are put in place when it starts the run, removed when it attaches; a move that
     * fails ends the shell before anything starts (its launch is then seen never to have started the wrapper).
     */
    private static String launchCommand(String d, boolean withSecret, String afterStart, String attachedTo) {
        // the command runs as a child whose pid is kept (cpid), so that a timeout can stop it and still get an exit
        // (the secret's files removed by rm only when there are any: on a host, a process is the dearest part of it)
        String body = "d=$1; echo $$ > $d/wpid; SECRET_FILE=$d/secret; export SECRET_FILE;"
                + " /bin/sh $d/cmd > $d/out 2> $d/err < /dev/null & echo $! > $d/cpid; wait $!; rc=$?;"
                + " for f in " + secretFiles("$d") + "; do if [ -f \"$f\" ]; then rm -f " + secretFiles("$d") + ";"
                + " break; fi; done; echo $rc > $d/exit.tmp; mv $d/exit.tmp $d/exit";
        // the launching shell's pid first ($$: no process started for it), so that a fork that fails is seen
        return "cd " + d + " && if mkdir launched 2>/dev/null; then echo $$ > launched/by;"
                + " mv cmd.$$ cmd" + (withSecret ? " && mv secret.$$ secret" : "") + " || exit 1;"
                + " { { " + BOOT + "; } > boot < /dev/null; true; };"
                + " nohup /bin/sh -c " + quote(body) + " sh " + d + " > /dev/null 2>&1 < /dev/null & "
                + afterStart + " else rm -f cmd.$$ secret.$$; echo attached" + attachedTo + "; fi";
    }

    /**
     * The exit status and output (stdout followed by stderr) of a run that ended, in one round trip: the output on
     * stdout, so that its hash is the output's, and the status on stderr. Empty while the run goes on; fails
     * ({@link RunLostException}) when the run directory is gone, or when the run's wrapper and its command are gone
     * without an exit status (the host restarted, or they were killed, while the command ran: nothing will ever end
     * that run, and a timeout would otherwise stop whatever process got its pid since). The exit status is looked for
     * again after they are found gone: the wrapper writes it as its last act. A lost run's secret files are removed.
     */
    static Optional<Ended> ended(RemoteSession session, String runDir) {
        String d = quote(runDir);
        CommandResult result = session.exec("if [ -f " + d + "/exit ]; then " + readEnded(d)
                + "; elif [ -d " + d + "/launched ]; then " + ifItGoesOn(d) + " echo running >&2; elif [ -f " + d
                + "/exit ]; then " + readEnded(d) + "; else rm -f " + secretFiles(d) + "; if [ -f " + d + "/pid ] || [ -f " + d
                + "/wpid ]; then echo lost >&2; else echo unstarted >&2; fi; fi; else echo"
                + " missing >&2; fi",
                null);
        expectZero(result, "read the run's status");
        String status = lastLine(result.stderr());
        if (status.equals("running")) {
            return Optional.empty();
        }
        if (status.equals("missing")) {
            throw new RunLostException("run directory " + runDir + " is missing on the host");
        }
        if (status.equals("unstarted")) {
            throw new RunLostException("the launch on the host never started the run's wrapper: no pid was written,"
                    + " and the shell that launched it is gone (its fork failed, or it was killed first; run directory "
                    + runDir + ")");
        }
        if (status.equals("lost")) {
            throw new RunLostException("the run's wrapper on the host is gone without an exit status (the host"
                    + " restarted, or the wrapper was killed, while the command ran; run directory " + runDir + ")");
        }
        try {
            return Optional.of(new Ended(Integer.parseInt(status), result));
        } catch (NumberFormatException e) {
            throw new HostAnswerException("could not read the run's status: unexpected answer '" + status + "'");
        }
    }

    /** The output of the ended run in directory {@code d} on stdout, then its exit status on stderr. */
    private static String readEnded(String d) {
        return "cat " + d + "/out " + d + "/err 2>/dev/null; read s < " + d + "/exit; echo $s >&2";
    }

    /**
     * The files of a run's secret in run directory {@code d} (a shell word): the secret and what the step's command
     * wrote beside it ({@code $SECRET_FILE.cfg}).
     */
    private static String secretFiles(String d) {
        return d + "/secret " + d + "/secret.*";
    }

    /** The end of a host's answer, as much as an error message carries (a login script may write pages before it). */
    private static String tail(String answer) {
        return answer.length() <= 1000 ? answer : "…" + answer.substring(answer.length() - 1000);
    }

    /** The last line of what a command answered: whatever a login script of the host wrote comes before it. */
    private static String lastLine(String answer) {
        String[] lines = answer.trim().split("\n");
        return lines[lines.length - 1].trim();
    }

    /** How a run ended: its exit status, and its output as the command that read it returned it. */
    record Ended(int exitCode, CommandResult output) {}

    /**
     * Stops a run that outlived its timeout: the command's shell and every process under it, however deep (a tool
     * that started tools of its own, as {@code stop-msg} does), found level by level from {@code ps -e -o pid= -o
     * ppid=} (POSIX: Solaris and Linux alike) and stopped together; the run's wrapper then records the exit status
     * (143) and removes the secret file. A process that ignores TERM for {@value #KILL_GRACE_SECONDS} seconds gets
     * KILL. The processes of the run still there after that (one stuck in the kernel cannot be stopped at all), by
     * pid; empty when the run is stopped, which the host says in so many words ({@code stopped}): an answer without
     * it (cut short) fails the call rather than pass for a stop. A wrapper that had not started the command yet
     * (no {@code cpid}) is stopped itself.
     */
    static Stop kill(RemoteSession session, String runDir) {
        CommandResult result = session.exec(killCommand(runDir), null);
        expectZero(result, "stop the run");
        String out = result.stdout();
        if (lastLine(out).equals(ALREADY_ENDED)) {
            return new Stop(true, java.util.List.of());
        }
        int at = out.lastIndexOf(STILL_RUNNING);
        if (at >= 0) {
            String pids = out.substring(at + STILL_RUNNING.length()).trim().split("\n")[0].trim();
            return new Stop(false, pids.isEmpty() ? java.util.List.of() : java.util.List.of(pids.split("\\s+")));
        }
        if (lastLine(out).equals(STOPPED)) {
            return new Stop(false, java.util.List.of());
        }
        // only the host's own word says the run was stopped: an answer cut short is no proof of it
        throw new HostAnswerException("could not stop the run: unexpected answer '" + lastLine(out) + "'");
    }

    /**
     * What {@link #kill} did: {@code alreadyEnded}, the command's shell had ended before anything was signalled (its
     * exit status, written by its wrapper, is the command's own; none when the host restarted meanwhile);
     * {@code stillRunning}, the pids that did not stop.
     */
    record Stop(boolean alreadyEnded, java.util.List<String> stillRunning) {}

    private static final String ALREADY_ENDED = "already ended";

    static final int KILL_GRACE_SECONDS = 10;
    private static final String STILL_RUNNING = "still running:";
    private static final String STOPPED = "stopped";
    /** Process $p exists and is not a zombie (killed, not yet reaped by its parent): ps -o s= (POSIX). */
    private static final String IF_RUNNING = "s=`ps -o s= -p $p 2>/dev/null`; if [ -n \"$s\" ] && [ \"$s\" != Z ]; then";

    private static String killCommand(String runDir) {
        String d = quote(runDir);
        // backquotes only where a value is assigned: Solaris 10's /bin/sh has no $() and no nested quoting in them
        // after a restart of the host, the command's pid is another process's: nothing is signalled (the restart is
        // the else branch: that shell has no "if !" either)
        // a run whose exit status is written has ended: nothing to signal (its pids may be other processes' now)
        return "if [ -f " + d + "/exit ]; then echo " + ALREADY_ENDED + "; else " + sameBoot(d) + " if "
                + NOT_RESTARTED + "; then if [ -f " + d + "/cpid ];"
                + " then c=`cat " + d + "/cpid`; p=$c; " + IF_RUNNING + " tree=$c; level=$c;"
                + " while [ -n \"$level\" ]; do next=; for p in $level; do"
                + " kids=`ps -e -o pid= -o ppid= | while read a b; do if [ \"$b\" = \"$p\" ]; then echo $a; fi; done`;"
                + " next=\"$next $kids\"; done; level=`echo $next`; tree=\"$tree $level\"; done;"
                + " kill -TERM $tree 2>/dev/null; i=0; while [ $i -lt " + KILL_GRACE_SECONDS + " ]; do alive=;"
                + " for p in $tree; do " + IF_RUNNING + " alive=\"$alive $p\"; fi; done;"
                + " if [ -z \"$alive\" ]; then break; fi; sleep 1; i=`expr $i + 1`; done;"
                + " if [ -n \"$alive\" ]; then kill -KILL $alive 2>/dev/null; sleep 1; still=;"
                + " for p in $alive; do " + IF_RUNNING + " still=\"$still $p\"; fi; done;"
                + " echo \"" + STILL_RUNNING + "$still\"; else echo " + STOPPED + "; fi; else echo " + ALREADY_ENDED
                + "; fi; else w=`cat " + d + "/pid 2>/dev/null`; if [ -z \"$w\" ]; then w=`cat " + d + "/wpid"
                + " 2>/dev/null`; fi; if [ -n \"$w\" ]; then kill -TERM $w 2>/dev/null; fi;"
                + " echo " + STOPPED + "; fi; else echo " + ALREADY_ENDED + "; fi; fi; rm -f " + secretFiles(d) + "; true";
    }

    /**
     * A run the ledger knows whose end nobody will ever see: its directory is gone from the host (the host was rebuilt
     * or cleaned), or its wrapper died without an exit status.
     */
    static final class RunLostException extends IllegalStateException {
        RunLostException(String message) {
            super(message);
        }
    }

    /**
     * The host answered the service's handling of a run (preparing or launching it, reading its status, stopping it,
     * removing its secret) with a failure, or with an answer the service cannot read: a work directory that is not
     * the connecting user's, a full disk, a shell that is not Bourne's, an answer cut short. Retried by the engine; on
     * the job's last try the step fails into an operator's decision (HostStepDelegates#reachable), not an incident.
     */
    static final class HostAnswerException extends IllegalStateException {
        HostAnswerException(String message) {
            super(message);
        }
    }

    /** As {@link #expectZero}; {@link OtherRunGoesOnException} when another run on the host held the launch back. */
    private static void expectLaunched(CommandResult result, String what) {
        if (result.exitCode() != 0 && result.stderr().contains(OTHER_RUN)) {
            throw new OtherRunGoesOnException(lastLine(result.stderr()));
        }
        expectZero(result, what);
    }

    /** Nothing was written nor launched: another run in the host's work directory goes on. */
    static final class OtherRunGoesOnException extends IllegalStateException {
        OtherRunGoesOnException(String message) {
            super(message);
        }
    }

    private static void expectZero(CommandResult result, String what) {
        if (result.exitCode() != 0) {
            throw new HostAnswerException("could not " + what + " (exit " + result.exitCode() + "): "
                    + tail(result.stderr().trim()));
        }
    }
}
