package com.msgupgrade.hostops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.msgupgrade.ssh.CommandResult;
import com.msgupgrade.ssh.RemoteShell;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** How a run's end is read from what the host answers: the output on stdout, the status last on stderr. */
class DetachedRunnerTest {

    /** A command that has ended with this result. */
    private static RemoteShell.Started ended(CommandResult result) {
        return new RemoteShell.Started() {
            @Override
            public String awaitStdout(Predicate<String> enough) {
                return result.stdout();
            }

            @Override
            public String awaitStderr(Predicate<String> enough) {
                return result.stderr();
            }

            @Override
            public CommandResult awaitExit() {
                return result;
            }

            @Override
            public Optional<CommandResult> awaitExit(Duration atMost, BooleanSupplier stop) {
                return Optional.of(result);
            }

            @Override
            public void close() {}
        };
    }

    /** A host that answers every command with this stdout and stderr. */
    private static RemoteShell.RemoteSession answering(String stdout, String stderr) {
        CommandResult result = new CommandResult(0, stdout, stderr, "sha-of-stdout", stdout.length(), false);
        return new RemoteShell.RemoteSession() {
            @Override
            public RemoteShell.Started start(String command, byte[] stdin) {
                return ended(result);
            }

            @Override
            public void close() {}
        };
    }

    @Test
    void readsTheStatusFromTheLastLineOfStderrAndKeepsTheOutputAsItCame() {
        DetachedRunner.Ended ended = DetachedRunner.ended(answering("patch 120228-26 applied\n",
                "stty: not a tty\n3\n"), "/var/tmp/run-1").orElseThrow();
        assertThat(ended.exitCode()).isEqualTo(3);
        assertThat(ended.output().stdout()).isEqualTo("patch 120228-26 applied\n");
        assertThat(ended.output().stdoutSha256()).isEqualTo("sha-of-stdout");
    }

    @Test
    void aRunStillGoingHasNoEndAndAMissingRunDirectoryIsAnError() {
        assertThat(DetachedRunner.ended(answering("", "running\n"), "/var/tmp/run-1")).isEmpty();
        assertThatThrownBy(() -> DetachedRunner.ended(answering("", "missing\n"), "/var/tmp/run-1"))
                .isInstanceOf(DetachedRunner.RunLostException.class).hasMessageContaining("/var/tmp/run-1");
        assertThatThrownBy(() -> DetachedRunner.ended(answering("", "Permission denied\n"), "/var/tmp/run-1"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("Permission denied");
    }

    @Test
    void findsTheLaunchsAnswerAfterWhatALoginScriptWroteToStderr() {
        assertThat(DetachedRunner.started(ended(new CommandResult(0, "", "stty: not a tty\nlaunched\n", "", 0, false))))
                .isTrue();
        assertThat(DetachedRunner.started(ended(new CommandResult(0, "", "Sun Microsystems Inc.\nattached\n", "", 0,
                false)))).isFalse();
        assertThat(DetachedRunner.launchAnswer("stty: not a tty\nlaunch")).as("a line not ended yet").isNull();
        assertThat(DetachedRunner.launchAnswer("no launched here\n")).isNull();
        assertThatThrownBy(() -> DetachedRunner.started(ended(new CommandResult(1, "", "mkdir: Permission denied\n", "",
                0, false)))).isInstanceOf(IllegalStateException.class).hasMessageContaining("Permission denied");
    }

    @Test
    void aRunWhoseWrapperIsGoneWithoutAnExitStatusIsLostNotRunning(@org.junit.jupiter.api.io.TempDir java.nio.file.Path work)
            throws Exception {
        java.nio.file.Path run = work.resolve("run-1");
        java.nio.file.Files.createDirectories(run.resolve("launched"));
        java.nio.file.Files.writeString(run.resolve("secret"), "s3cret-value");
        java.nio.file.Files.writeString(run.resolve("secret.cfg"), "s3cret-value");
        // the wrapper's pid: alive, the run goes on
        Process wrapper = new ProcessBuilder("sleep", "60").start();
        try {
            java.nio.file.Files.writeString(run.resolve("pid"), wrapper.pid() + "\n");
            assertThat(DetachedRunner.ended(localShell(Integer.MAX_VALUE), run.toString())).isEmpty();
            assertThat(run.resolve("secret")).exists();
        } finally {
            wrapper.destroyForcibly().waitFor();
        }
        // the host restarted (or the wrapper was killed) while the command ran: nothing will ever end the run
        assertThatThrownBy(() -> DetachedRunner.ended(localShell(Integer.MAX_VALUE), run.toString()))
                .isInstanceOf(DetachedRunner.RunLostException.class).hasMessageContaining("wrapper")
                .hasMessageContaining(run.toString());
        assertThat(run.resolve("secret")).doesNotExist();
        assertThat(run.resolve("secret.cfg")).doesNotExist();
        // the wrapper writes the exit status as its last act: a status found is the run's end, wrapper gone or not
        java.nio.file.Files.writeString(run.resolve("out"), "done\n");
        java.nio.file.Files.writeString(run.resolve("exit"), "0\n");
        assertThat(DetachedRunner.ended(localShell(Integer.MAX_VALUE), run.toString())).get()
                .satisfies(e -> assertThat(e.exitCode()).isZero())
                .satisfies(e -> assertThat(e.output().stdout()).isEqualTo("done\n"));
        // launched a moment ago: no pid written yet, still running
        java.nio.file.Path starting = work.resolve("run-2");
        java.nio.file.Files.createDirectories(starting.resolve("launched"));
        assertThat(DetachedRunner.ended(localShell(Integer.MAX_VALUE), starting.toString())).isEmpty();
    }

    /** A local shell on a host that keeps no boot record, nor a boot id: its {@code cat} and {@code who} say none. */
    private static RemoteShell.RemoteSession withoutABootRecord(java.nio.file.Path work) throws java.io.IOException {
        java.nio.file.Path bin = java.nio.file.Files.createDirectories(work.resolve("no-boot-bin"));
        java.nio.file.Files.writeString(bin.resolve("cat"), "#!/bin/sh\ncase \"$1\" in /proc/*) exit 1 ;; esac\n"
                + "exec /bin/cat \"$@\"\n");
        java.nio.file.Files.writeString(bin.resolve("who"), "#!/bin/sh\nexit 1\n");
        for (String tool : java.util.List.of("cat", "who")) {
            bin.resolve(tool).toFile().setExecutable(true);
        }
        return localShell(Integer.MAX_VALUE, bin + ":" + System.getenv("PATH"));
    }

    /** A host that runs each command in a local shell, receiving only the first {@code keep} bytes of its input. */
    private static RemoteShell.RemoteSession localShell(int keep) {
        return localShell(keep, System.getenv("PATH"));
    }

    private static RemoteShell.RemoteSession localShell(int keep, String path) {
        return new RemoteShell.RemoteSession() {
            @Override
            public RemoteShell.Started start(String command, byte[] stdin) {
                CommandResult result;
                try {
                    ProcessBuilder shell = new ProcessBuilder("/bin/sh", "-c", command);
                    shell.environment().put("PATH", path);
                    Process p = shell.start();
                    if (stdin != null) {
                        p.getOutputStream().write(stdin, 0, Math.min(keep, stdin.length));
                    }
                    p.getOutputStream().close();
                    String out = new String(p.getInputStream().readAllBytes());
                    String err = new String(p.getErrorStream().readAllBytes());
                    result = new CommandResult(p.waitFor(), out, err, "", out.length(), false);
                } catch (java.io.IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return ended(result);
            }

            @Override
            public void close() {}
        };
    }

    @Test
    void aScriptOrSecretCutShortOnTheWayIsNeverRun(@org.junit.jupiter.api.io.TempDir java.nio.file.Path work)
            throws Exception {
        String script = "echo changed > " + work.resolve("effect") + "\n";
        String cut = work.resolve("run-cut").toString();
        assertThatThrownBy(() -> DetachedRunner.started(DetachedRunner.launchAndWait(localShell(5), cut, script, null, true)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("prepare and launch");
        assertThatThrownBy(() -> DetachedRunner.launch(localShell(5), cut, script, "s3cret-value", true))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("prepare and launch the run");
        // the secret comes after the script on the same input: cut short three bytes into it
        assertThatThrownBy(() -> DetachedRunner.launch(localShell(script.length() + 3), cut, script, "s3cret-value", true))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("secret");
        assertThat(work.resolve("run-cut").resolve("launched")).doesNotExist();
        assertThat(work.resolve("effect")).doesNotExist();
        // no part of the secret stays on the host: the run may never be launched (an operator aborts instead)
        assertThat(work.resolve("run-cut").resolve("secret")).doesNotExist();

        // whole, the same run starts and does its work once
        assertThat(DetachedRunner.started(DetachedRunner.launchAndWait(localShell(Integer.MAX_VALUE), cut, script, null, true)))
                .isTrue();
        assertThat(java.nio.file.Files.readString(work.resolve("effect"))).isEqualTo("changed\n");
    }

    @Test
    void writesNothingIntoAWorkDirectoryOthersMayWriteToOrARunDirectoryThatIsALink(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path work = java.nio.file.Files.createDirectory(tmp.resolve("work"));
        String script = "echo changed > " + tmp.resolve("effect") + "\n";
        // someone else could have made it first, under /var/tmp: writable by others
        java.nio.file.Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> DetachedRunner.launch(localShell(Integer.MAX_VALUE), work.resolve("run-1").toString(),
                script, "s3cret-value", true)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is not a directory of the connecting user only");
        assertThat(work.resolve("run-1").resolve("secret")).doesNotExist();
        assertThat(work.resolve("run-1").resolve("cmd")).doesNotExist();
        java.nio.file.Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        // a run directory that is a link to somewhere else
        java.nio.file.Path elsewhere = java.nio.file.Files.createDirectory(tmp.resolve("elsewhere"));
        java.nio.file.Files.createSymbolicLink(work.resolve("run-2"), elsewhere);
        assertThatThrownBy(() -> DetachedRunner.launch(localShell(Integer.MAX_VALUE), work.resolve("run-2").toString(),
                script, "s3cret-value", true)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is not a directory of the connecting user only");
        assertThat(elsewhere.resolve("secret")).doesNotExist();
        assertThat(tmp.resolve("effect")).doesNotExist();
        // the service's own directory: the run goes
        assertThat(DetachedRunner.launch(localShell(Integer.MAX_VALUE), work.resolve("run-3").toString(), script,
                "s3cret-value", true)).isTrue();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> java.nio.file.Files.exists(
                work.resolve("run-3").resolve("exit")));
        assertThat(tmp.resolve("effect")).hasContent("changed");
        assertThat(work.resolve("run-3").resolve("secret")).doesNotExist();
    }

    @Test
    void aLaunchRemovesTheSecretsThatOutlivedTheirRunsOnTheHostAndWaitsForARunStillGoing(@org.junit.jupiter.api.io.TempDir java.nio.file.Path work)
            throws Exception {
        // a run that ended, one whose wrapper is gone (the host rebooted while it ran), one still running, one not
        // launched yet (a retry launches it)
        long gone = new ProcessBuilder("true").start().onExit().get().pid();
        java.nio.file.Path ended = run(work, "run-ended", true, null, true);
        java.nio.file.Path orphaned = run(work, "run-orphaned", true, gone, false);
        java.nio.file.Path running = run(work, "run-running", true, ProcessHandle.current().pid(), false);
        java.nio.file.Path prepared = run(work, "run-prepared", false, null, false);
        // a run that ended with only a part of a secret left behind (a preparing shell that lost its start, killed
        // halfway through its clean-up)
        java.nio.file.Path leftover = run(work, "run-leftover", true, null, true);
        java.nio.file.Files.deleteIfExists(leftover.resolve("secret"));
        java.nio.file.Files.writeString(leftover.resolve("secret.4242"), "s3cr");

        // the run still going holds the launch back (nothing of the new run written), after the clean-up
        assertThatThrownBy(() -> DetachedRunner.launch(localShell(Integer.MAX_VALUE), work.resolve("run-new").toString(),
                "true\n", null, true)).isInstanceOf(DetachedRunner.OtherRunGoesOnException.class)
                .hasMessageContaining("another run is still going on this host").hasMessageContaining("run-running")
                .hasMessageNotContaining("run-ended").hasMessageNotContaining("run-orphaned");
        assertThat(work.resolve("run-new").resolve("cmd")).doesNotExist();
        assertThat(work.resolve("run-new").resolve("launched")).doesNotExist();

        assertThat(ended.resolve("secret")).doesNotExist();
        assertThat(orphaned.resolve("secret")).doesNotExist();
        assertThat(orphaned.resolve("secret.cfg")).doesNotExist();
        assertThat(leftover.resolve("secret.4242")).doesNotExist();
        assertThat(leftover.resolve("secret.cfg")).doesNotExist();
        assertThat(running.resolve("secret")).exists();
        assertThat(prepared.resolve("secret")).exists();

        // once it ended, the new run starts; launched again, it only attaches (its own directory is no other run)
        java.nio.file.Files.writeString(running.resolve("exit"), "0\n");
        assertThat(DetachedRunner.launch(localShell(Integer.MAX_VALUE), work.resolve("run-new").toString(),
                "true\n", null, true)).isTrue();
        assertThat(DetachedRunner.launch(localShell(Integer.MAX_VALUE), work.resolve("run-new").toString(),
                "true\n", null, true)).isFalse();
        // (the run goes on detached: its end, before the temporary directory is removed)
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> java.nio.file.Files.exists(
                work.resolve("run-new").resolve("exit")));
        assertThat(prepared.resolve("secret")).exists();
    }

    @Test
    void theSecretOfARunNobodyWaitsForIsRemovedLaunchedOrNotUnlessItsWrapperRuns(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path work) throws Exception {
        long gone = new ProcessBuilder("true").start().onExit().get().pid();
        java.nio.file.Path orphaned = run(work, "run-orphaned", true, gone, false);
        java.nio.file.Path prepared = run(work, "run-prepared", false, null, false);
        java.nio.file.Path running = run(work, "run-running", true, ProcessHandle.current().pid(), false);
        RemoteShell.RemoteSession host = localShell(Integer.MAX_VALUE);

        assertThat(DetachedRunner.secretRemoved(host, orphaned.toString())).isTrue();
        assertThat(DetachedRunner.secretRemoved(host, prepared.toString())).isTrue();
        assertThat(DetachedRunner.secretRemoved(host, running.toString())).as("its wrapper removes it").isFalse();
        assertThat(DetachedRunner.secretRemoved(host, work.resolve("run-gone").toString())).isTrue();

        assertThat(orphaned.resolve("secret")).doesNotExist();
        assertThat(orphaned.resolve("secret.cfg")).doesNotExist();
        assertThat(orphaned.resolve("launched")).as("the run's record stays").exists();
        assertThat(prepared.resolve("secret")).doesNotExist();
        assertThat(running.resolve("secret")).exists();
        assertThat(running.resolve("secret.cfg")).exists();

        // launched, its pid not written yet: a launch of a moment ago goes on; one of two days ago never will
        java.nio.file.Path starting = run(work, "run-starting", true, null, false);
        assertThat(DetachedRunner.secretRemoved(host, starting.toString())).isFalse();
        java.nio.file.Files.setLastModifiedTime(starting.resolve("launched"), java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(Duration.ofDays(2))));
        assertThat(DetachedRunner.secretRemoved(host, starting.toString())).isTrue();
        assertThat(starting.resolve("secret")).doesNotExist();
    }

    @Test
    void aLaunchWhoseShellIsGoneWithoutThePidNeverStartedItsRunAndHoldsNothingBack(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path work) throws Exception {
        RemoteShell.RemoteSession host = localShell(Integer.MAX_VALUE);
        // the launch records its own shell before it forks the run's wrapper
        assertThat(DetachedRunner.launch(host, work.resolve("run-real").toString(), "true\n", null, true)).isTrue();
        String by = java.nio.file.Files.readString(work.resolve("run-real").resolve("launched").resolve("by")).trim();
        assertThat(by).matches("[0-9]+");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> java.nio.file.Files.exists(
                work.resolve("run-real").resolve("exit")));
        // and the wrapper records itself as its first act
        assertThat(java.nio.file.Files.readString(work.resolve("run-real").resolve("wpid")).trim()).matches("[0-9]+")
                .isNotEqualTo(by);

        // no pid (the launching shell killed right after the fork), the wrapper alive: it goes on
        java.nio.file.Path unrecorded = run(work, "run-unrecorded", true, null, false);
        long gone0 = new ProcessBuilder("true").start().onExit().get().pid();
        java.nio.file.Files.writeString(unrecorded.resolve("launched").resolve("by"), gone0 + "\n");
        java.nio.file.Files.writeString(unrecorded.resolve("wpid"), ProcessHandle.current().pid() + "\n");
        assertThat(DetachedRunner.ended(host, unrecorded.toString())).isEmpty();
        java.nio.file.Files.delete(unrecorded.resolve("wpid"));
        java.nio.file.Files.writeString(unrecorded.resolve("wpid"), gone0 + "\n");
        assertThatThrownBy(() -> DetachedRunner.ended(host, unrecorded.toString()))
                .isInstanceOf(DetachedRunner.RunLostException.class).hasMessageContaining("gone without an exit status");

        // launched, no pid: while the launching shell lives, the fork is under way
        java.nio.file.Path forking = run(work, "run-forking", true, null, false);
        java.nio.file.Files.writeString(forking.resolve("launched").resolve("by"), ProcessHandle.current().pid() + "\n");
        assertThat(DetachedRunner.ended(host, forking.toString())).isEmpty();
        assertThat(DetachedRunner.secretRemoved(host, forking.toString())).isFalse();
        // a day later, a live process with that pid is some other process's: it holds nothing back any more
        java.nio.file.Path reused = run(work, "run-pid-reused", true, null, false);
        java.nio.file.Files.writeString(reused.resolve("launched").resolve("by"), ProcessHandle.current().pid() + "\n");
        java.nio.file.Files.setLastModifiedTime(reused.resolve("launched"), java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(Duration.ofDays(2))));
        assertThat(DetachedRunner.secretRemoved(host, reused.toString())).isTrue();

        // the launching shell gone without writing the pid (its fork failed): lost at once, not held for a day
        long gone = new ProcessBuilder("true").start().onExit().get().pid();
        java.nio.file.Path failed = run(work, "run-fork-failed", true, null, false);
        java.nio.file.Files.writeString(failed.resolve("launched").resolve("by"), gone + "\n");
        assertThatThrownBy(() -> DetachedRunner.ended(host, failed.toString()))
                .isInstanceOf(DetachedRunner.RunLostException.class).hasMessageContaining("never started");
        assertThat(failed.resolve("secret")).doesNotExist();
        // and a later launch on the host is not held back by it (the forking one still is)
        assertThatThrownBy(() -> DetachedRunner.launch(host, work.resolve("run-next").toString(), "true\n", null, true))
                .isInstanceOf(DetachedRunner.OtherRunGoesOnException.class).hasMessageContaining("run-forking")
                .hasMessageNotContaining("run-fork-failed");
        java.nio.file.Files.writeString(forking.resolve("launched").resolve("by"), gone + "\n");
        assertThat(DetachedRunner.launch(host, work.resolve("run-next").toString(), "true\n", null, true)).isTrue();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> java.nio.file.Files.exists(
                work.resolve("run-next").resolve("exit")));
    }

    /** A run directory as the runner leaves it: its secret, and launched, the wrapper's pid, the exit status. */
    private static java.nio.file.Path run(java.nio.file.Path work, String name, boolean launched, Long wrapper,
            boolean exited) throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Files.createDirectory(work.resolve(name));
        java.nio.file.Files.writeString(dir.resolve("secret"), "s3cret-value");
        java.nio.file.Files.writeString(dir.resolve("secret.cfg"), "option=s3cret-value\n");
        if (launched) {
            java.nio.file.Files.createDirectory(dir.resolve("launched"));
        }
        if (wrapper != null) {
            java.nio.file.Files.writeString(dir.resolve("pid"), wrapper + "\n");
        }
        if (exited) {
            java.nio.file.Files.writeString(dir.resolve("exit"), "0\n");
        }
        return dir;
    }

    @Test
    void theChannelThatLaunchedARunAnswersHowItEndedAndASecondLaunchOnlyAttaches(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path work) {
        String run = work.resolve("run-1").toString();
        String script = "echo 'patch 120228-26 applied'; echo 'a warning' >&2; exit 3\n";
        RemoteShell.Started launch = DetachedRunner.launchAndWait(localShell(Integer.MAX_VALUE), run, script, null, true);
        assertThat(DetachedRunner.started(launch)).isTrue();
        DetachedRunner.Ended ended = DetachedRunner.endedOnLaunch(launch.awaitExit()).orElseThrow();
        assertThat(ended.exitCode()).isEqualTo(3);
        assertThat(ended.output().stdout()).isEqualTo("patch 120228-26 applied\na warning\n");
        // the same answer as reading the run's end afterwards
        DetachedRunner.Ended read = DetachedRunner.ended(localShell(Integer.MAX_VALUE), run).orElseThrow();
        assertThat(read.exitCode()).isEqualTo(ended.exitCode());
        assertThat(read.output().stdout()).isEqualTo(ended.output().stdout());

        RemoteShell.Started again = DetachedRunner.launchAndWait(localShell(Integer.MAX_VALUE), run, script, null, true);
        assertThat(DetachedRunner.started(again)).isFalse();
        assertThat(DetachedRunner.endedOnLaunch(again.awaitExit())).isEmpty();
    }

    @Test
    void aRunWithASecretIsPreparedAndLaunchedInOneRoundTripAndTheSecretFileGoesWhenItEnds(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path work) {
        String run = work.resolve("run-2").toString();
        java.util.List<String> commands = new java.util.ArrayList<>();
        RemoteShell.RemoteSession counting = new RemoteShell.RemoteSession() {
            @Override
            public RemoteShell.Started start(String command, byte[] stdin) {
                commands.add(command);
                return localShell(Integer.MAX_VALUE).start(command, stdin);
            }

            @Override
            public void close() {}
        };
        writeExpected(work.resolve("expected"), "s3cret-välue");
        // the tool reads the secret from the file named by SECRET_FILE, as ldapmodify -j does
        RemoteShell.Started launch = DetachedRunner.launchAndWait(counting, run,
                "wc -c < \"$SECRET_FILE\" | tr -d ' '; cmp -s \"$SECRET_FILE\" " + work.resolve("expected") + "\n",
                "s3cret-välue", true);
        assertThat(DetachedRunner.started(launch)).isTrue();
        DetachedRunner.Ended ended = DetachedRunner.endedOnLaunch(launch.awaitExit()).orElseThrow();
        assertThat(commands).hasSize(1);
        assertThat(ended.exitCode()).isZero();
        assertThat(ended.output().stdout()).isEqualTo("13\n");
        assertThat(work.resolve("run-2").resolve("secret")).doesNotExist();
    }

    /**
     * A second start of the same run whose shell passed the "not launched yet" test before the first one's
     * {@code mkdir launched} (the engine retried a launch whose answer came late, and the first shell still ran on the
     * host) writes nothing the running command reads: its script, secret and boot record stay its own, and go.
     */
    @Test
    void aSecondStartThatLostTheRaceLeavesTheRunningCommandsScriptAndSecretAlone(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path work) throws Exception {
        String run = work.resolve("run-3").toString();
        java.nio.file.Path seen = work.resolve("seen");
        java.nio.file.Path go = work.resolve("go");
        // the first start's command waits, then reads its secret, as configutil -i or ldapmodify -j would
        String first = "while [ ! -f " + go + " ]; do sleep 0.1; done; cat \"$SECRET_FILE\" > " + seen + "\n";
        assertThat(DetachedRunner.launch(localShell(Integer.MAX_VALUE), run, first, "first-secret", true)).isTrue();
        // the second start, as if its test had passed before the first one's mkdir
        RemoteShell.RemoteSession late = new RemoteShell.RemoteSession() {
            @Override
            public RemoteShell.Started start(String command, byte[] stdin) {
                String passed = command.replace("if [ ! -d " + com.msgupgrade.catalog.Shell.quote(run) + "/launched ]",
                        "if true");
                assertThat(passed).isNotEqualTo(command);
                return localShell(Integer.MAX_VALUE).start(passed, stdin);
            }

            @Override
            public void close() {}
        };
        assertThat(DetachedRunner.launch(late, run, "echo second > " + work.resolve("second") + "\n", "other", true))
                .isFalse();
        java.nio.file.Files.writeString(go, "");
        DetachedRunner.Ended ended = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> DetachedRunner.ended(localShell(Integer.MAX_VALUE), run), Optional::isPresent).get();
        assertThat(ended.exitCode()).isZero();
        assertThat(java.nio.file.Files.readString(seen)).isEqualTo("first-secret");
        assertThat(work.resolve("second")).doesNotExist();
        try (var files = java.nio.file.Files.list(work.resolve("run-3"))) {
            assertThat(files.map(f -> f.getFileName().toString())).doesNotContain("secret")
                    .noneMatch(name -> name.matches("(cmd|boot|secret)\\..*"));
        }
    }

    private static void writeExpected(java.nio.file.Path file, String content) {
        try {
            java.nio.file.Files.writeString(file, content);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Launches, as the run {@code run}, a tool script in which PIDFILE names the file where a process of it writes its
     * pid; that process, once it has.
     */
    private static ProcessHandle launchTool(java.nio.file.Path work, String run, String tool) throws Exception {
        java.nio.file.Path pid = work.resolve("tool.pid");
        java.nio.file.Path script = work.resolve("tool.sh");
        java.nio.file.Files.writeString(script, tool.replace("PIDFILE", pid.toString()));
        assertThat(DetachedRunner.launch(localShell(Integer.MAX_VALUE), run, "sh " + script + "\n", null, true))
                .isTrue();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> java.nio.file.Files.exists(pid)
                && !java.nio.file.Files.readString(pid).isBlank());
        return ProcessHandle.of(Long.parseLong(java.nio.file.Files.readString(pid).trim())).orElseThrow();
    }

    /** A process killed whose parent has not reaped it yet (here the parent may be this sandbox's init). */
    private static boolean zombie(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException e) {
            return true; // gone meanwhile
        }
    }

    @Test
    void aProcessOfTheRunThatIgnoresTermIsKilledAfterTheGraceAndNothingIsLeftRunning(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path work) throws Exception {
        // a tool that ignores TERM, as one stuck in a long patch might
        String run = work.resolve("run-s").toString();
        ProcessHandle stubborn = launchTool(work, run, "trap '' TERM; echo $$ > PIDFILE; while :; do sleep 1; done\n");

        long startedAt = System.nanoTime();
        DetachedRunner.Stop stop = DetachedRunner.kill(localShell(Integer.MAX_VALUE), run);
        // TERM ignored: KILL came only once the grace was over
        assertThat(Duration.ofNanos(System.nanoTime() - startedAt))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(DetachedRunner.KILL_GRACE_SECONDS));
        assertThat(stop.stillRunning()).as("processes still running").isEmpty();
        assertThat(stop.alreadyEnded()).isFalse();

        assertThat(!stubborn.isAlive() || zombie(stubborn.pid())).as("stopped (gone, or dead and not yet reaped)")
                .isTrue();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                DetachedRunner.ended(localShell(Integer.MAX_VALUE), run).isPresent());
    }

    /**
     * Only the host's own word says a run was stopped: an answer without it (the connection dropped as the stop ran,
     * the output cut short) is no proof, and reporting it stopped would let a retry start the command beside it.
     */
    @Test
    void aStopWhoseAnswerWasCutShortIsNotTakenForStopped() {
        assertThatThrownBy(() -> DetachedRunner.kill(answering("", ""), "/var/tmp/run-x"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("could not stop the run");
        assertThat(DetachedRunner.kill(answering("stopped\n", ""), "/var/tmp/run-x")).isEqualTo(
                new DetachedRunner.Stop(false, java.util.List.of()));
    }

    @Test
    void aCommandThatEndedJustBeforeItsTimeoutsKillIsNotSignalledAndSaysSo(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path work) throws Exception {
        java.nio.file.Path run = run(work, "run-done", true, null, false);
        long gone = new ProcessBuilder("true").start().onExit().get().pid();
        java.nio.file.Files.writeString(run.resolve("cpid"), gone + "\n");
        DetachedRunner.Stop stop = DetachedRunner.kill(localShell(Integer.MAX_VALUE), run.toString());
        assertThat(stop.alreadyEnded()).as("its own exit status is the answer, not the timeout").isTrue();
        assertThat(stop.stillRunning()).isEmpty();
        assertThat(run.resolve("secret")).doesNotExist();
    }

    /**
     * A run whose command is gone without an exit status while a pid it recorded is alive (another process took the
     * wrapper's pid, here this JVM's): its stop finds nothing to signal, its look finds it "running", for ever. Marked
     * ended (the step fails into the decision), it holds no later launch on the host back; a status already written
     * is left as it is.
     */
    @Test
    void aRunWhosePidWasTakenIsMarkedEndedAndNoLongerHoldsTheHostBack(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path work) throws Exception {
        java.nio.file.Path run = run(work, "run-taken", true, ProcessHandle.current().pid(), false);
        long gone = new ProcessBuilder("true").start().onExit().get().pid();
        java.nio.file.Files.writeString(run.resolve("cpid"), gone + "\n");
        assertThat(DetachedRunner.kill(localShell(Integer.MAX_VALUE), run.toString()).alreadyEnded()).isTrue();
        assertThat(DetachedRunner.ended(localShell(Integer.MAX_VALUE), run.toString())).as("taken pid: running").isEmpty();
        assertThatThrownBy(() -> DetachedRunner.launch(localShell(Integer.MAX_VALUE), work.resolve("run-next").toString(),
                "true\n", null, true)).isInstanceOf(DetachedRunner.OtherRunGoesOnException.class);

        DetachedRunner.markEnded(localShell(Integer.MAX_VALUE), run.toString(), DetachedRunner.GONE_EXIT_STATUS);
        assertThat(java.nio.file.Files.readString(run.resolve("exit")).trim()).isEqualTo("137");
        assertThat(DetachedRunner.ended(localShell(Integer.MAX_VALUE), run.toString())).hasValueSatisfying(
                ended -> assertThat(ended.exitCode()).isEqualTo(137));
        assertThat(DetachedRunner.launch(localShell(Integer.MAX_VALUE), work.resolve("run-next").toString(), "true\n",
                null, true)).isTrue();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> java.nio.file.Files.exists(
                work.resolve("run-next").resolve("exit")));

        java.nio.file.Path done = run(work, "run-done-0", true, null, true);
        DetachedRunner.markEnded(localShell(Integer.MAX_VALUE), done.toString(), DetachedRunner.GONE_EXIT_STATUS);
        assertThat(java.nio.file.Files.readString(done.resolve("exit")).trim()).isEqualTo("0");
    }

    /**
     * A run prepared before the host restarted: the pids its wrapper and command had may be other processes' now. It is
     * lost, not running: a timeout's stop signals nothing, and no later run is held back by it. (The run's boot
     * record is made up: this machine keeps none, or another.)
     */
    @Test
    void aRunPreparedBeforeTheHostRestartedIsLostThoughItsPidsAreTakenAgain(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path work) throws Exception {
        String now = new String(new ProcessBuilder("sh", "-c", "cat /proc/sys/kernel/random/boot_id 2>/dev/null"
                + " || LC_ALL=C TZ=UTC0 who -b").start().getInputStream().readAllBytes());
        Process other = new ProcessBuilder("sleep", "60").start();
        try {
            java.nio.file.Path run = run(work, "run-before", true, other.pid(), false);
            java.nio.file.Files.writeString(run.resolve("cpid"), other.pid() + "\n");
            // prepared on this boot (or on a host that keeps no boot record): the pids tell, the run goes on
            java.nio.file.Files.writeString(run.resolve("boot"), now);
            assertThat(DetachedRunner.ended(localShell(Integer.MAX_VALUE), run.toString())).isEmpty();

            // prepared before a restart: its pids are another process's now; unless the boot now cannot be read,
            // which is no proof of a restart (taken for one, the run would let another command start beside it)
            java.nio.file.Files.writeString(run.resolve("boot"), "   .       system boot  Jan  1 00:00\n");
            assertThat(DetachedRunner.ended(withoutABootRecord(work), run.toString())).isEmpty();
            DetachedRunner.Stop stop = DetachedRunner.kill(localShell(Integer.MAX_VALUE), run.toString());
            assertThat(stop.alreadyEnded()).isTrue();
            assertThat(stop.stillRunning()).isEmpty();
            assertThat(other.isAlive()).as("not signalled").isTrue();
            assertThat(DetachedRunner.launch(localShell(Integer.MAX_VALUE), work.resolve("run-next").toString(),
                    "true\n", null, true)).as("a later run launched").isTrue();
            assertThat(work.resolve("run-next").resolve("boot")).as("recorded as the run is prepared").hasContent(now);
            assertThatThrownBy(() -> DetachedRunner.ended(localShell(Integer.MAX_VALUE), run.toString()))
                    .isInstanceOf(DetachedRunner.RunLostException.class);
            assertThat(run.resolve("secret")).doesNotExist();
            assertThat(other.isAlive()).isTrue();
        } finally {
            other.destroyForcibly().waitFor();
        }
    }

    @Test
    void aRunWhoseWrapperWasKilledGoesOnWhileItsCommandRuns(@org.junit.jupiter.api.io.TempDir java.nio.file.Path work)
            throws Exception {
        long gone = new ProcessBuilder("true").start().onExit().get().pid();
        java.nio.file.Path run = run(work, "run-orphan-command", true, gone, false);
        Process command = new ProcessBuilder("sleep", "60").start();
        try {
            java.nio.file.Files.writeString(run.resolve("cpid"), command.pid() + "\n");
            assertThat(DetachedRunner.ended(localShell(Integer.MAX_VALUE), run.toString())).as("still changing the host")
                    .isEmpty();
            assertThatThrownBy(() -> DetachedRunner.launch(localShell(Integer.MAX_VALUE), work.resolve("run-next")
                    .toString(), "true\n", null, true)).isInstanceOf(DetachedRunner.OtherRunGoesOnException.class);
            assertThat(run.resolve("secret")).exists();
        } finally {
            command.destroyForcibly().waitFor();
        }
        assertThatThrownBy(() -> DetachedRunner.ended(localShell(Integer.MAX_VALUE), run.toString()))
                .isInstanceOf(DetachedRunner.RunLostException.class);
        assertThat(run.resolve("secret")).doesNotExist();
    }

    @Test
    void aRunPastItsTimeoutIsStoppedWithEveryProcessUnderIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path work)
            throws Exception {
        // the command starts a tool that starts a tool of its own (a grandchild of the command's shell), as
        // stop-msg does; both would run on after the command's shell alone was stopped
        String run = work.resolve("run-k").toString();
        ProcessHandle grandchild = launchTool(work, run, "sh -c 'echo $$ > PIDFILE; exec sleep 600'\n"
                + "echo the tool ended\n");

        assertThat(DetachedRunner.kill(localShell(Integer.MAX_VALUE), run).stillRunning()).as("processes still running")
                .isEmpty();

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !grandchild.isAlive());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                DetachedRunner.ended(localShell(Integer.MAX_VALUE), run).isPresent());
        assertThat(DetachedRunner.ended(localShell(Integer.MAX_VALUE), run).orElseThrow().exitCode())
                .as("the wrapper's record of a stopped command").isEqualTo(143);
    }
}
