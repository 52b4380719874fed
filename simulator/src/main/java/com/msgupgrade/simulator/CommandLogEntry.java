package com.msgupgrade.simulator;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * One line of a host's {@code commands.log}: {@code <timestamp>\t<command>\t<args>\t<exit code>}.
 *
 * @param timestamp when the command ended
 * @param command   command name, e.g. {@code patchadd}
 * @param args      arguments, secrets masked as {@code ****}
 * @param exitCode  exit code of the command
 */
public record CommandLogEntry(Instant timestamp, String command, List<String> args, int exitCode) {

    public CommandLogEntry {
        args = List.copyOf(args);
    }

    /** The arguments as logged, joined by spaces. */
    public String argLine() {
        return String.join(" ", args);
    }

    static CommandLogEntry parse(String line) {
        String[] fields = line.split("\t", -1);
        if (fields.length != 4) {
            throw new IllegalArgumentException("not a commands.log line: " + line);
        }
        List<String> args = fields[2].isEmpty() ? List.of() : Arrays.asList(fields[2].split(" ", -1));
        return new CommandLogEntry(Instant.parse(fields[0]), fields[1], args, Integer.parseInt(fields[3].trim()));
    }
}
