package com.msgupgrade.ssh;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/** Opens SSH sessions to hosts. The only way the service reaches a host. */
public interface RemoteShell {

    /** Connects and verifies the host key; throws {@link RemoteShellException} when it cannot. */
    RemoteSession open(HostEndpoint endpoint);

    /**
     * Starts connecting to the host in the background, for the next {@link #open} to use, unless a connection to
     * it is kept already: the handshake then overlaps the work before the host's first command. Never throws; a
     * failure is the next {@code open}'s to report.
     */
    default void connectAhead(HostEndpoint endpoint) {}

    /** One authenticated SSH connection; several commands may run over it, one after another. */
    interface RemoteSession extends AutoCloseable {

        /** Runs a command, feeding {@code stdin} (may be null); waits at most the configured command timeout. */
        default CommandResult exec(String command, byte[] stdin) {
            try (Started started = start(command, stdin)) {
                return started.awaitExit();
            }
        }

        /** Starts a command, feeding {@code stdin} (may be null), and returns while it runs. */
        Started start(String command, byte[] stdin);

        @Override
        void close();
    }

    /** A command running on the host. Closing it stops waiting; the host's sshd leaves a detached command running. */
    interface Started extends AutoCloseable {

        /**
         * Waits until the standard output so far satisfies {@code enough}, or the command ended; at most the
         * configured command timeout. Returns the standard output so far.
         */
        String awaitStdout(Predicate<String> enough);

        /** As {@link #awaitStdout}, for the standard error. */
        String awaitStderr(Predicate<String> enough);

        /** Waits for the command to end, at most the configured command timeout. */
        CommandResult awaitExit();

        /**
         * Waits for the command to end, at most {@code atMost} and while {@code stop} is false: empty when it
         * still runs.
         */
        Optional<CommandResult> awaitExit(Duration atMost, BooleanSupplier stop);

        @Override
        void close();
    }
}
