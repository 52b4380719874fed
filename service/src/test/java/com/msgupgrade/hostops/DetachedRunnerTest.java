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

    /** A host that answers every command with this stdout and stderr. */
    private static RemoteShell.RemoteSession answering(String stdout, String stderr) {
        CommandResult result = new CommandResult(0, stdout, stderr, "sha-of-stdout", stdout.length(), false);
        return new RemoteShell.RemoteSession() {
            @Override
            public RemoteShell.Started start(String command, byte[] stdin) {
                return new RemoteShell.Started() {
                    @Override
                    public String awaitStdout(Predicate<String> enough) {
                        return stdout;
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
                .isInstanceOf(DetachedRunner.RunMissingException.class).hasMessageContaining("/var/tmp/run-1");
        assertThatThrownBy(() -> DetachedRunner.ended(answering("", "Permission denied\n"), "/var/tmp/run-1"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("Permission denied");
    }
}
