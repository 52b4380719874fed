package com.msgupgrade.ssh;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import jakarta.annotation.PreDestroy;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * SSH through JSch: key authentication, strict host-key checking against known_hosts (an unknown or
 * changed key fails before anything runs), connect and command timeouts, bounded output.
 */
@Component
class JschRemoteShell implements RemoteShell {

    /** Connections kept per host; more at the same time are closed after use. */
    private static final int MAX_IDLE_PER_HOST = 4;

    private final SshProperties properties;
    private final Map<HostEndpoint, Deque<Idle>> idle = new ConcurrentHashMap<>();

    private record Idle(Session session, long since) {}

    /**
     * A connection made ahead of a host's first command: begun by the background, or skipped by an open that
     * came before the background got to it (that open connects itself rather than wait in the queue).
     */
    private static final class Ahead {
        final CompletableFuture<Session> session = new CompletableFuture<>();
        final java.util.concurrent.atomic.AtomicBoolean claimed = new java.util.concurrent.atomic.AtomicBoolean();
    }

    /** Connections being made ahead of a host's first command; whoever removes one from the map owns it. */
    private final Map<HostEndpoint, Ahead> connectingAhead = new ConcurrentHashMap<>();
    private final ExecutorService ahead = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "ssh-connect-ahead");
        t.setDaemon(true);
        return t;
    });

    JschRemoteShell(SshProperties properties) {
        this.properties = properties;
    }

    /** known_hosts as last read, and the file's modification time and size then. */
    private record KnownHostsFile(HostKeyRepository repository, FileTime modified, long size) {}

    private volatile KnownHostsFile knownHosts;

    /**
     * The host keys of known_hosts, read again only when the file changed: reading a fleet's known_hosts for every
     * connection took more CPU than the handshake itself (1.1% of the service's CPU at 100 hosts, growing with
     * the square of the fleet). JSch checks a host key holding the repository's lock, so connections share it.
     */
    private HostKeyRepository knownHosts() throws JSchException, IOException {
        FileTime modified = Files.getLastModifiedTime(properties.knownHosts());
        long size = Files.size(properties.knownHosts());
        KnownHostsFile current = knownHosts;
        if (current == null || !current.modified().equals(modified) || current.size() != size) {
            JSch reader = new JSch();
            reader.setKnownHosts(properties.knownHosts().toString());
            current = new KnownHostsFile(reader.getHostKeyRepository(), modified, size);
            knownHosts = current;
        }
        return current.repository();
    }

    @Override
    public void connectAhead(HostEndpoint endpoint) {
        Deque<Idle> kept = idle.get(endpoint);
        if (properties.idleTimeout().isZero() || (kept != null && !kept.isEmpty())) {
            return;
        }
        Ahead connecting = new Ahead();
        if (connectingAhead.putIfAbsent(endpoint, connecting) != null) {
            return;
        }
        ahead.execute(() -> {
            if (!connecting.claimed.compareAndSet(false, true)) {
                return; // an open came first and connected itself
            }
            try {
                Session session = connect(endpoint);
                connecting.session.complete(session);
                if (connectingAhead.remove(endpoint, connecting)) {
                    release(endpoint, session, false); // nobody asked for it yet: kept for the next open
                }
            } catch (RuntimeException e) {
                connectingAhead.remove(endpoint, connecting);
                connecting.session.completeExceptionally(e);
            }
        });
    }

    /** The connection being made ahead for this host, if it is being made: waited for, at most the connect timeout. */
    private Session takeConnectedAhead(HostEndpoint endpoint) {
        Ahead connecting = connectingAhead.remove(endpoint);
        if (connecting == null || connecting.claimed.compareAndSet(false, true)) {
            return null;
        }
        try {
            Session session = connecting.session.get(properties.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return session.isConnected() ? session : null;
        } catch (TimeoutException e) {
            connecting.session.thenAccept(late -> release(endpoint, late, false));
            return null;
        } catch (ExecutionException e) {
            return null; // this open connects again, and reports what goes wrong
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connecting.session.thenAccept(late -> release(endpoint, late, false));
            return null;
        }
    }

    /** How many connections to the host are kept for the next open. */
    int keptConnections(HostEndpoint endpoint) {
        Deque<Idle> kept = idle.get(endpoint);
        return kept == null ? 0 : kept.size();
    }

    /**
     * A connection to the host: the one being made ahead ({@link #connectAhead}), else one kept from an earlier
     * step if it is still up and was idle for less than {@code msgsrv.ssh.idle-timeout} (its host key was verified
     * when it was opened), otherwise a new one.
     */
    @Override
    public RemoteSession open(HostEndpoint endpoint) {
        // the one being made ahead first: had it just been kept, it would be found among the kept ones below
        Session connectedAhead = takeConnectedAhead(endpoint);
        if (connectedAhead != null) {
            return new JschSession(endpoint, connectedAhead);
        }
        Deque<Idle> kept = idle.get(endpoint);
        for (Idle i = kept == null ? null : kept.pollFirst(); i != null; i = kept.pollFirst()) {
            if (i.session().isConnected() && !expired(i)) {
                return new JschSession(endpoint, i.session());
            }
            i.session().disconnect();
        }
        return new JschSession(endpoint, connect(endpoint));
    }

    private boolean expired(Idle i) {
        return System.nanoTime() - i.since() > properties.idleTimeout().toNanos();
    }

    /** Closes the connections idle for longer than {@code msgsrv.ssh.idle-timeout}. */
    @Scheduled(fixedDelay = 10_000)
    void closeIdleConnections() {
        idle.values().forEach(kept -> kept.removeIf(i -> {
            boolean stale = expired(i) || !i.session().isConnected();
            if (stale) {
                i.session().disconnect();
            }
            return stale;
        }));
    }

    @PreDestroy
    void closeAll() {
        ahead.shutdownNow();
        connectingAhead.values().forEach(connecting -> connecting.session.thenAccept(Session::disconnect));
        connectingAhead.clear();
        idle.values().forEach(kept -> {
            for (Idle i = kept.pollFirst(); i != null; i = kept.pollFirst()) {
                i.session().disconnect();
            }
        });
    }

    private void release(HostEndpoint endpoint, Session session, boolean broken) {
        if (broken || !session.isConnected() || properties.idleTimeout().isZero()) {
            session.disconnect();
            return;
        }
        Deque<Idle> kept = idle.computeIfAbsent(endpoint, e -> new ConcurrentLinkedDeque<>());
        kept.addFirst(new Idle(session, System.nanoTime()));
        while (kept.size() > MAX_IDLE_PER_HOST) {
            Idle extra = kept.pollLast();
            if (extra != null) {
                extra.session().disconnect();
            }
        }
    }

    /**
     * The private key is used only when its file is its owner's alone (mode 0600 or 0400), as OpenSSH's own client
     * insists: a key others can read opens every host of the fleet to them.
     */
    private static void ownersOnly(HostEndpoint endpoint, java.nio.file.Path key) throws IOException {
        var permissions = Files.getPosixFilePermissions(key);
        if (!java.util.Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE).containsAll(permissions)) {
            throw new RemoteShellException(RemoteShellException.Kind.AUTH, endpoint.hostName(), "the SSH private key "
                    + key + " (msgsrv.ssh.private-key) must be readable by its owner only (chmod 600), is "
                    + java.nio.file.attribute.PosixFilePermissions.toString(permissions), null);
        }
    }

    private Session connect(HostEndpoint endpoint) {
        JSch jsch = new JSch();
        Session session;
        try {
            if (!Files.isReadable(properties.knownHosts())) {
                throw new RemoteShellException(RemoteShellException.Kind.HOST_KEY, endpoint.hostName(),
                        "known_hosts file " + properties.knownHosts() + " (msgsrv.ssh.known-hosts) is not readable"
                        + (Files.exists(properties.knownHosts()) ? "" : ": there is no such file"), null);
            }
            if (!Files.isReadable(properties.privateKey())) {
                throw new RemoteShellException(RemoteShellException.Kind.AUTH, endpoint.hostName(), "the SSH private key "
                        + properties.privateKey() + " (msgsrv.ssh.private-key) is not readable"
                        + (Files.exists(properties.privateKey()) ? "" : ": there is no such file"), null);
            }
            jsch.setHostKeyRepository(knownHosts());
            ownersOnly(endpoint, properties.privateKey());
            jsch.addIdentity(properties.privateKey().toString());
            session = jsch.getSession(endpoint.user(), endpoint.address(), endpoint.port());
            session.setConfig("StrictHostKeyChecking", "yes");
            session.setConfig("PreferredAuthentications", "publickey");
            session.setServerAliveInterval((int) Duration.ofSeconds(15).toMillis());
            session.setTimeout((int) properties.connectTimeout().toMillis());
        } catch (JSchException | IOException e) {
            throw new RemoteShellException(RemoteShellException.Kind.AUTH, endpoint.hostName(),
                    "cannot load the SSH private key " + properties.privateKey() + " (msgsrv.ssh.private-key) or"
                    + " known_hosts " + properties.knownHosts() + " (msgsrv.ssh.known-hosts): " + e.getMessage(), e);
        }
        try {
            session.connect((int) properties.connectTimeout().toMillis());
        } catch (JSchException e) {
            throw classify(endpoint, e);
        }
        return session;
    }

    private static RemoteShellException classify(HostEndpoint endpoint, JSchException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("HostKey") || message.contains("host key")) {
            return new RemoteShellException(RemoteShellException.Kind.HOST_KEY, endpoint.hostName(),
                    "host key not accepted (" + message + "): nothing was run; check the host's entry, as"
                    + " [address]:port, in the known_hosts file (msgsrv.ssh.known-hosts)", e);
        }
        if (message.contains("Auth fail") || message.contains("Auth cancel")) {
            return new RemoteShellException(RemoteShellException.Kind.AUTH, endpoint.hostName(),
                    "authentication failed for " + endpoint.user(), e);
        }
        if (message.contains("timeout") || message.contains("timed out")) {
            return new RemoteShellException(RemoteShellException.Kind.TIMEOUT, endpoint.hostName(),
                    "connect timed out: " + message, e);
        }
        return new RemoteShellException(RemoteShellException.Kind.CONNECT, endpoint.hostName(),
                "cannot connect to " + endpoint.address() + ":" + endpoint.port() + ": " + message, e);
    }

    final class JschSession implements RemoteSession {

        private final HostEndpoint endpoint;
        private final Session session;
        /** A command failed on the connection (dropped, timed out): it is not kept for another step. */
        private boolean broken;

        JschSession(HostEndpoint endpoint, Session session) {
            this.endpoint = endpoint;
            this.session = session;
        }

        @Override
        public Started start(String command, byte[] stdin) {
            try {
                ChannelExec channel = (ChannelExec) session.openChannel("exec");
                channel.setCommand(command);
                channel.setInputStream(null);
                OutputStream toRemote = channel.getOutputStream();
                InputStream out = channel.getInputStream();
                InputStream err = channel.getErrStream();
                channel.connect((int) properties.connectTimeout().toMillis());
                try {
                    if (stdin != null) {
                        toRemote.write(stdin);
                        toRemote.flush();
                    }
                    toRemote.close();
                } catch (IOException e) {
                    channel.disconnect();
                    throw e;
                }
                return new Running(channel, out, err);
            } catch (JSchException e) {
                broken = true;
                throw classifyExec(e);
            } catch (IOException e) {
                broken = true;
                throw lost(e);
            }
        }

        private RemoteShellException lost(IOException e) {
            return new RemoteShellException(RemoteShellException.Kind.CONNECTION_LOST, endpoint.hostName(),
                    "connection lost while running a command: " + e.getMessage(), e);
        }

        private RemoteShellException classifyExec(JSchException e) {
            if (!session.isConnected()) {
                return new RemoteShellException(RemoteShellException.Kind.CONNECTION_LOST, endpoint.hostName(),
                        "connection lost: " + e.getMessage(), e);
            }
            return new RemoteShellException(RemoteShellException.Kind.CONNECT, endpoint.hostName(),
                    "cannot open a channel: " + e.getMessage(), e);
        }

        /** One exec channel: its output is collected as it arrives; a failure marks the connection broken. */
        private final class Running implements Started {
            private final ChannelExec channel;
            private final InputStream out;
            private final InputStream err;
            private final BoundedCapture stdout = new BoundedCapture(properties.maxOutputBytes());
            private final BoundedCapture stderr = new BoundedCapture(properties.maxOutputBytes());
            private final byte[] buffer = new byte[8192];

            Running(ChannelExec channel, InputStream out, InputStream err) {
                this.channel = channel;
                this.out = out;
                this.err = err;
            }

            @Override
            public String awaitStdout(Predicate<String> enough) {
                return await(stdout, enough);
            }

            @Override
            public String awaitStderr(Predicate<String> enough) {
                return await(stderr, enough);
            }

            private String await(BoundedCapture capture, Predicate<String> enough) {
                long deadline = System.nanoTime() + properties.commandTimeout().toNanos();
                while (!enough.test(capture.text()) && !ended(deadline, () -> false)) {
                    if (System.nanoTime() > deadline) {
                        throw failed(timedOut());
                    }
                }
                return capture.text();
            }

            @Override
            public CommandResult awaitExit() {
                return awaitExit(properties.commandTimeout(), () -> false).orElseThrow(() -> failed(timedOut()));
            }

            @Override
            public Optional<CommandResult> awaitExit(Duration atMost, BooleanSupplier stop) {
                long deadline = System.nanoTime() + atMost.toNanos();
                while (!ended(deadline, stop)) {
                    if (System.nanoTime() > deadline || stop.getAsBoolean()) {
                        return Optional.empty();
                    }
                }
                return Optional.of(new CommandResult(channel.getExitStatus(), stdout.text(), stderr.text(),
                        stdout.sha256(), stdout.total(), stdout.truncated() || stderr.truncated()));
            }

            /**
             * Collects what arrived; true once the channel closed (output drained, exit status final). Returns
             * false after a short wait when nothing arrived, or at once when {@code deadline} passed or
             * {@code stop} says so.
             */
            private boolean ended(long deadline, BooleanSupplier stop) {
                try {
                    boolean read = pump(out, stdout, buffer) | pump(err, stderr, buffer);
                    if (channel.isClosed()) {
                        while (pump(out, stdout, buffer) | pump(err, stderr, buffer)) {
                            // keep draining
                        }
                        if (channel.getExitStatus() == -1) {
                            // JSch closes a session's channels before it marks the session disconnected: a channel
                            // closed with no exit status is a lost connection (or a command killed by a signal),
                            // never an exit status to judge, and what came of its output may be cut short
                            throw failed(new RemoteShellException(RemoteShellException.Kind.CONNECTION_LOST,
                                    endpoint.hostName(), "the channel closed without the command's exit status (the"
                                    + " connection dropped, or the command was killed by a signal)", null));
                        }
                        return true;
                    }
                    if (!session.isConnected()) {
                        throw failed(new RemoteShellException(RemoteShellException.Kind.CONNECTION_LOST,
                                endpoint.hostName(), "connection dropped before the command ended", null));
                    }
                    if (!read && System.nanoTime() < deadline && !stop.getAsBoolean()) {
                        waitBriefly(channel);
                    }
                    return false;
                } catch (IOException e) {
                    throw failed(lost(e));
                }
            }

            private RemoteShellException timedOut() {
                return new RemoteShellException(RemoteShellException.Kind.TIMEOUT, endpoint.hostName(),
                        "command did not end within " + properties.commandTimeout(), null);
            }

            private RemoteShellException failed(RemoteShellException e) {
                broken = true;
                return e;
            }

            @Override
            public void close() {
                channel.disconnect();
            }
        }

        private static boolean pump(InputStream in, BoundedCapture capture, byte[] buffer) throws IOException {
            boolean any = false;
            while (in.available() > 0) {
                int n = in.read(buffer, 0, buffer.length);
                if (n < 0) {
                    break;
                }
                capture.write(buffer, n);
                any = true;
            }
            return any;
        }

        private static void waitBriefly(ChannelExec channel) {
            synchronized (channel) {
                try {
                    channel.wait(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for a remote command", e);
                }
            }
        }

        @Override
        public void close() {
            release(endpoint, session, broken);
        }

        /** The underlying connection, to tell whether two steps shared one. */
        Object connection() {
            return session;
        }
    }

    /** Keeps the first {@code limit} bytes, counts and hashes them all. */
    private static final class BoundedCapture {
        private final int limit;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final MessageDigest digest;
        private long total;

        BoundedCapture(int limit) {
            this.limit = limit;
            try {
                this.digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        void write(byte[] bytes, int n) {
            digest.update(bytes, 0, n);
            int room = (int) Math.max(0, Math.min(n, limit - kept.size()));
            kept.write(bytes, 0, room);
            total += n;
        }

        String text() {
            return kept.toString(StandardCharsets.UTF_8);
        }

        String sha256() {
            return HexFormat.of().formatHex(digest.digest());
        }

        long total() {
            return total;
        }

        boolean truncated() {
            return total > kept.size();
        }
    }
}
