package com.msgupgrade.simulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * Runs an SSH exec request (or a shell session) as {@code /bin/sh -c <command>} on the host tree, streaming
 * stdin, stdout and stderr, and reporting the exit code of {@code sh} once it ended and its output was drained.
 */
final class ProcessCommand implements Command {

    /** How long to wait for the output of children that still hold stdout/stderr after {@code sh} exited. */
    private static final long DRAIN_MILLIS = 2000;

    private final Path hostDir;
    private final String command;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exitCallback;
    private volatile Process process;

    /** @param command the exec request, or {@code null} for a shell session */
    ProcessCommand(Path hostDir, String command) {
        this.hostDir = hostDir;
        this.command = command;
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exitCallback = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        List<String> argv = command == null ? List.of("/bin/sh") : List.of("/bin/sh", "-c", command);
        ProcessBuilder builder = new ProcessBuilder(argv).directory(hostDir.resolve("root").toFile());
        Map<String, String> environment = builder.environment();
        environment.clear();
        environment.put("PATH", hostDir.resolve("bin") + ":/usr/bin:/bin");
        environment.put("HOME", hostDir.resolve("root").toString());
        environment.put("SIM_HOST", hostDir.toString());
        environment.put("LANG", "C");
        environment.put("USER", env.getEnv().getOrDefault(Environment.ENV_USER, "root"));
        Process started = builder.start();
        process = started;
        Thread stdout = daemon("stdout", () -> pump(started.getInputStream(), out));
        Thread stderr = daemon("stderr", () -> pump(started.getErrorStream(), err));
        daemon("stdin", () -> pumpStdin(started));
        daemon("wait", () -> awaitExit(started, stdout, stderr));
    }

    private void awaitExit(Process started, Thread stdout, Thread stderr) {
        int code;
        try {
            code = started.waitFor();
            stdout.join(DRAIN_MILLIS);
            stderr.join(DRAIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = 255;
        }
        flush(out);
        flush(err);
        exitCallback.onExit(code);
    }

    private void pumpStdin(Process started) {
        try (OutputStream toProcess = started.getOutputStream()) {
            byte[] buffer = new byte[8192];
            int n;
            while (started.isAlive() && (n = in.read(buffer)) >= 0) {
                toProcess.write(buffer, 0, n);
                toProcess.flush();
            }
        } catch (IOException e) {
            // the process or the channel went away: nothing more to feed
        }
    }

    private static void pump(InputStream from, OutputStream to) {
        byte[] buffer = new byte[8192];
        try (from) {
            int n;
            while ((n = from.read(buffer)) >= 0) {
                to.write(buffer, 0, n);
                to.flush();
            }
        } catch (IOException e) {
            // channel closed: drop the remaining output
        }
    }

    private static void flush(OutputStream stream) {
        try {
            stream.flush();
        } catch (IOException e) {
            // channel already closed
        }
    }

    private Thread daemon(String what, Runnable body) {
        Thread thread = new Thread(body, "sim-" + hostDir.getFileName() + "-" + what);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * The channel closed while the command still ran (the client stopped waiting for it): its processes are hung
     * up (SIGHUP), as when a remote session ends. Those started under {@code nohup}, such as a detached run, live
     * on; the rest, and {@code sh} itself, end ({@code sh} is killed if it outlives the hang-up).
     */
    @Override
    public void destroy(ChannelSession channel) {
        Process running = process;
        if (running == null || !running.isAlive()) {
            return;
        }
        List<String> hangUp = new java.util.ArrayList<>(List.of("kill", "-HUP", Long.toString(running.pid())));
        running.descendants().forEach(p -> hangUp.add(Long.toString(p.pid())));
        try {
            new ProcessBuilder(hangUp).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor(5, TimeUnit.SECONDS);
            if (!running.waitFor(5, TimeUnit.SECONDS)) {
                running.destroyForcibly();
            }
        } catch (IOException e) {
            running.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
