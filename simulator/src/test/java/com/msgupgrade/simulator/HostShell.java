package com.msgupgrade.simulator;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Test helper: a host tree in a directory and a way to run sh command lines on it, as the SSH server does. */
final class HostShell {

    record Result(int exitCode, String stdout, String stderr) {
    }

    private final Path dir;
    private final HostSpec spec;

    private HostShell(Path dir, HostSpec spec) {
        this.dir = dir;
        this.spec = spec;
    }

    static HostShell create(Path parent, HostSpec spec) {
        Path dir = parent.resolve(spec.name()).toAbsolutePath();
        HostTree.createIfMissing(dir, spec);
        return new HostShell(dir, spec);
    }

    Path dir() {
        return dir;
    }

    /** $MSG_SVR_BASE */
    String base() {
        return HostTree.msgSvrBase(dir, spec).toString();
    }

    Result run(String commandLine) {
        return run(commandLine, null);
    }

    /** Runs {@code /bin/sh -c commandLine}; {@code stdin == null} gives an empty stdin (EOF). */
    Result run(String commandLine, String stdin) {
        try {
            Process process = start(commandLine);
            try (OutputStream in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process, false));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process, true));
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("timed out: " + commandLine);
            }
            return new Result(process.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    Process start(String commandLine) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", commandLine).directory(dir.resolve("root").toFile());
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", dir.resolve("bin") + ":/usr/bin:/bin");
        env.put("HOME", dir.resolve("root").toString());
        env.put("SIM_HOST", dir.toString());
        env.put("LANG", "C");
        return builder.start();
    }

    private static String read(Process process, boolean stderr) {
        try {
            return new String((stderr ? process.getErrorStream() : process.getInputStream()).readAllBytes(),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String file(String relative) {
        try {
            return Files.readString(dir.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<String> lines(String relative) {
        Path file = dir.resolve(relative);
        return Files.exists(file) ? file(relative).lines().toList() : List.of();
    }

    List<CommandLogEntry> commandLog() {
        return lines("commands.log").stream().map(CommandLogEntry::parse).toList();
    }

    void fault(String name, String content) {
        try {
            Files.writeString(dir.resolve("faults").resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
