package com.msgupgrade.catalog;

import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One step's command for one host, as the catalog renders it.
 *
 * @param commandLine Bourne sh; a secret is never in it, only {@code "$SECRET_FILE"}
 * @param secretName  the name of the secret the runner writes to the 0600 file, or null
 * @param mutating    changes the host: runs detached under a run id, exactly once
 * @param longRunning may outlast a job lock: the process waits durably between polls; its timeout is
 *                    msgsrv.runs.long-command-timeout, otherwise msgsrv.runs.short-command-timeout
 * @param check       how to tell the step already happened, or null when only the run id can tell
 * @param verify      turns the command's output into a problem, when the output is wrong
 */
public record HostCommand(
        StepId step,
        String commandLine,
        String secretName,
        boolean mutating,
        boolean longRunning,
        Set<Integer> okExitCodes,
        Check check,
        Function<String, Optional<String>> verify) {

    public static final Function<String, Optional<String>> ANY_OUTPUT = out -> Optional.empty();

    public boolean exitOk(int exitCode) {
        return okExitCodes.contains(exitCode);
    }

    /** The same command, run as {@code line}. */
    public HostCommand withCommandLine(String line) {
        return new HostCommand(step, line, secretName, mutating, longRunning, okExitCodes, check, verify);
    }

    /** The same command, its output judged by {@code judge}. */
    public HostCommand withVerify(Function<String, Optional<String>> judge) {
        return new HostCommand(step, commandLine, secretName, mutating, longRunning, okExitCodes, check, judge);
    }

    /** A read-only command whose output tells whether the step's effect is already there. */
    public record Check(String commandLine, Predicate<String> alreadyDone, String description) {}
}
