package com.msgupgrade.support;

import static org.awaitility.Awaitility.await;

import com.msgupgrade.simulator.CommandLogEntry;
import com.msgupgrade.simulator.SimulatedHost;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** What a test reads besides the API: the command ledger in the database, and what ran on a host. */
public final class Runs {

    /** Commands of the simulated hosts that change them; everything else they run only reads. */
    private static final Set<String> CHANGING = Set.of("stop-msg", "start-msg", "patchadd", "patchrm", "patch-config",
            "install-newconfig", "uninstall-newconfig", "ldapmodify", "useconfig", "configure", "rpm", "cp");

    private Runs() {}

    public static JdbcTemplate jdbc(String jdbcUrl) {
        return new JdbcTemplate(new DriverManagerDataSource(jdbcUrl, "postgres", "postgres"));
    }

    /** The ledger states of the runs of one step on one host of a rollout, oldest attempt first. */
    public static List<String> states(JdbcTemplate jdbc, String rolloutId, String host, String step) {
        return jdbc.queryForList("SELECT state FROM \"MSGSRV\".command_run WHERE rollout_id = ? AND host_name = ?"
                + " AND step_id = ? ORDER BY attempt", String.class, rolloutId, host, step);
    }

    /** Waits until a run of the step is in that ledger state (LAUNCHED: running on the host). */
    public static void awaitRun(JdbcTemplate jdbc, String rolloutId, String host, String step, String state) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
                .until(() -> states(jdbc, rolloutId, host, step), s -> s.contains(state));
    }

    /**
     * The host's commands that changed it, in order, as {@code "<command> <args>"}: configutil only when it set a
     * value ({@code -v}), rpm only when it installed, freshened or erased.
     */
    public static List<String> changes(SimulatedHost host) {
        return host.commandLog().stream().filter(Runs::changing).map(e -> (e.command() + " " + e.argLine()).trim())
                .toList();
    }

    private static boolean changing(CommandLogEntry e) {
        return switch (e.command()) {
            case "configutil" -> e.args().contains("-v") || e.args().contains("-i");
            case "rpm" -> !e.args().contains("-q");
            default -> CHANGING.contains(e.command());
        };
    }
}
