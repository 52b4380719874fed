package com.msgupgrade.rollout;

import com.msgupgrade.inventory.Deployment;
import com.msgupgrade.inventory.DeploymentRepository;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

@Repository
public class RolloutRepository {

    private final JdbcTemplate jdbc;
    private final DeploymentRepository deployments;
    private final com.fasterxml.jackson.databind.ObjectMapper json;
    private final RecentlyUsed<String, Deployment> snapshots = new RecentlyUsed<>(32);

    RolloutRepository(JdbcTemplate jdbc, DeploymentRepository deployments,
            com.fasterxml.jackson.databind.ObjectMapper json) {
        this.jdbc = jdbc;
        this.deployments = deployments;
        this.json = json;
    }

    void insert(Rollout r) {
        jdbc.update("INSERT INTO \"MSGSRV\".rollout (id, deployment_name, target_release, deployment_snapshot,"
                        + " requested_by, requested_at, state) VALUES (?,?,?,?,?,?,?)",
                r.id(), r.deploymentName(), r.targetRelease(), deployments.toJson(r.deployment()), r.requestedBy(),
                Timestamp.from(r.requestedAt()), r.state());
        jdbc.update("INSERT INTO \"MSGSRV\".rollout_work_lock (rollout_id) VALUES (?)", r.id());
        jdbc.batchUpdate("INSERT INTO \"MSGSRV\".rollout_work_lock (rollout_id) VALUES (?)",
                RolloutLock.groupLocks(r.id(), r.deployment().hosts().size()).stream()
                        .map(key -> new Object[] {key}).toList());
    }

    void storeChangePolicy(String id, com.msgupgrade.approval.ChangePolicy policy) {
        try {
            jdbc.update("UPDATE \"MSGSRV\".rollout SET change_policy = ? WHERE id = ?", json.writeValueAsString(policy), id);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public com.msgupgrade.approval.ChangePolicy changePolicy(String id) {
        String body = jdbc.queryForObject("SELECT change_policy FROM \"MSGSRV\".rollout WHERE id = ?", String.class, id);
        try {
            return body == null ? com.msgupgrade.approval.ChangePolicy.anyTime()
                    : json.readerFor(com.msgupgrade.approval.ChangePolicy.class)
                            .without(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                            .readValue(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored change policy of " + id + " is not readable", e);
        }
    }

    void attachProcess(String id, String processInstanceId) {
        jdbc.update("UPDATE \"MSGSRV\".rollout SET process_instance_id = ? WHERE id = ?", processInstanceId, id);
    }

    /** The rollouts of the deployment that have not ended ({@link Rollout#ENDED}). */
    public List<String> unfinished(String deploymentName) {
        return jdbc.queryForList("SELECT id FROM \"MSGSRV\".rollout WHERE deployment_name = ? AND state NOT IN "
                + Rollout.endedSql() + " ORDER BY id", String.class, deploymentName);
    }

    /**
     * The deployment's rollouts, ended or not, whose hosts are being rolled back (a HostRollbackSolaris process that
     * has not ended, under the rollout's id as its business key), each with the host.
     */
    public List<String> rollbacksGoingOn(String deploymentName) {
        return jdbc.queryForList("SELECT r.id || ' (' || h.host_name || ')' FROM \"MSGSRV\".rollout r JOIN"
                + " \"MSGSRV\".rollout_host h ON h.rollout_id = r.id WHERE r.deployment_name = ? AND EXISTS (SELECT 1"
                + " FROM ACT_RU_EXECUTION e JOIN ACT_RU_VARIABLE v ON v.EXECUTION_ID_ = e.ID_ AND v.NAME_ = 'hostName'"
                + " WHERE e.BUSINESS_KEY_ = r.id AND e.PROC_DEF_ID_ LIKE 'HostRollbackSolaris:%' AND e.ID_ = e.PROC_INST_ID_"
                + " AND v.TEXT_ = h.host_name) ORDER BY 1", String.class, deploymentName);
    }

    /**
     * Whether the host's rollback requested through the API goes on (a HostRollbackSolaris process of its own, not
     * one within the rollout's process, under the rollout's id).
     */
    public boolean ownRollbackGoesOn(String rolloutId, String host) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM ACT_RU_EXECUTION e JOIN ACT_RU_VARIABLE v ON v.EXECUTION_ID_ ="
                + " e.ID_ AND v.NAME_ = 'hostName' WHERE e.BUSINESS_KEY_ = ? AND e.PROC_DEF_ID_ LIKE"
                + " 'HostRollbackSolaris:%' AND e.ID_ = e.PROC_INST_ID_ AND e.SUPER_EXEC_ IS NULL AND v.TEXT_ = ?",
                Integer.class, rolloutId, host) > 0;
    }

    /**
     * The rollouts of other deployments that may run commands on their hosts now: not ended, or with a rollback
     * going on (a HostRollbackSolaris process under the rollout's id), each with the deployment it was requested of.
     */
    public List<Rollout> busyBesides(String deploymentName) {
        return jdbc.queryForList("SELECT r.id FROM \"MSGSRV\".rollout r WHERE r.deployment_name <> ? AND (r.state NOT IN "
                + Rollout.endedSql() + " OR EXISTS (SELECT 1 FROM ACT_RU_EXECUTION e WHERE e.BUSINESS_KEY_ = r.id"
                + " AND e.PROC_DEF_ID_ LIKE 'HostRollbackSolaris:%' AND e.ID_ = e.PROC_INST_ID_)) ORDER BY r.id",
                String.class, deploymentName).stream().map(this::get).toList();
    }

    /** A rollout as a list shows it. */
    public record Summary(String id, String deployment, String target, String state, String requestedBy,
            Instant requestedAt, int hosts) {}

    /** The rollouts, newest first: of a deployment and in a state when given (null: any), at most {@code limit}. */
    public List<Summary> list(String deploymentName, String state, int limit) {
        List<Object> args = new java.util.ArrayList<>();
        StringBuilder where = new StringBuilder();
        if (deploymentName != null) {
            where.append(" AND r.deployment_name = ?");
            args.add(deploymentName);
        }
        if (state != null) {
            where.append(" AND r.state = ?");
            args.add(state);
        }
        args.add(limit);
        return jdbc.query("SELECT r.id, r.deployment_name, r.target_release, r.state, r.requested_by, r.requested_at,"
                + " (SELECT COUNT(*) FROM \"MSGSRV\".rollout_host h WHERE h.rollout_id = r.id) AS hosts FROM"
                + " \"MSGSRV\".rollout r WHERE 1 = 1" + where + " ORDER BY r.requested_at DESC, r.id LIMIT ?",
                (rs, i) -> new Summary(rs.getString("id"), rs.getString("deployment_name"),
                        rs.getString("target_release"), rs.getString("state"), rs.getString("requested_by"),
                        rs.getTimestamp("requested_at").toInstant(), rs.getInt("hosts")), args.toArray());
    }

    public void updateState(String id, String state) {
        jdbc.update("UPDATE \"MSGSRV\".rollout SET state = ? WHERE id = ?", state, id);
    }

    public Optional<Rollout> find(String id) {
        return jdbc.query("SELECT id, deployment_name, target_release, requested_by, requested_at, state,"
                + " process_instance_id FROM \"MSGSRV\".rollout WHERE id = ?", (rs, i) -> new Rollout(rs.getString("id"),
                rs.getString("deployment_name"), rs.getString("target_release"), snapshot(id),
                rs.getString("requested_by"), rs.getTimestamp("requested_at").toInstant(), rs.getString("state"),
                rs.getString("process_instance_id")), id).stream().findFirst();
    }

    /** The deployment as it was when the rollout was requested: it never changes, so it is read and parsed once. */
    private Deployment snapshot(String id) {
        Deployment kept = snapshots.get(id);
        if (kept == null) {
            kept = deployments.fromJson(jdbc.queryForObject("SELECT deployment_snapshot FROM \"MSGSRV\".rollout"
                    + " WHERE id = ?", String.class, id));
            snapshots.put(id, kept);
        }
        return kept;
    }

    public Rollout get(String id) {
        return find(id).orElseThrow(() -> new IllegalStateException("rollout " + id + " does not exist"));
    }

    void insertHost(String rolloutId, String host, String procedure, String state) {
        jdbc.update("INSERT INTO \"MSGSRV\".rollout_host (rollout_id, host_name, procedure_id, state, updated_at)"
                + " VALUES (?,?,?,?,?)", rolloutId, host, procedure, state, Timestamp.from(Instant.now()));
    }

    /** The rollout's hosts in {@code state}, by name. */
    /** The host's state in the rollout, if it is one of its hosts. */
    public java.util.Optional<String> hostState(String rolloutId, String host) {
        return jdbc.queryForList("SELECT state FROM \"MSGSRV\".rollout_host WHERE rollout_id = ? AND host_name = ?",
                String.class, rolloutId, host).stream().findFirst();
    }

    public List<String> hostsIn(String rolloutId, String state) {
        return jdbc.queryForList("SELECT host_name FROM \"MSGSRV\".rollout_host WHERE rollout_id = ? AND state = ?"
                + " ORDER BY host_name", String.class, rolloutId, state);
    }

    /** The host's new state, set outright (a resting state kept for a decision no longer applies). */
    public void updateHost(String rolloutId, String host, String state, String currentStep) {
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET state = ?, current_step = ?, updated_at = ?, resting_state = NULL,"
                + " failure = NULL WHERE rollout_id = ? AND host_name = ?", state, currentStep, Timestamp.from(Instant.now()),
                rolloutId, host);
    }

    /** The states in which a host has ended its procedure: a later step (after the operator's decision) keeps it. */
    public static final List<String> RESTING = List.of("UPGRADED", "ROLLED_BACK");

    /**
     * A step failed on the host and an operator decides: WAITING_DECISION, the state it had kept when it had ended
     * its procedure ({@link #RESTING}), to be given back by {@link #endDecision}; {@code failure}, what the
     * operator's task shows of it, on the rollout's progress until the host goes on.
     */
    public void awaitDecision(String rolloutId, String host, String failure) {
        String shown = failure == null || failure.length() <= FAILURE_CHARS ? failure
                : failure.substring(0, FAILURE_CHARS - 1) + "…";
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET resting_state = CASE WHEN state IN " + resting()
                + " THEN state ELSE NULL END, state = 'WAITING_DECISION', current_step = NULL, failure = ?,"
                + " updated_at = ? WHERE rollout_id = ? AND host_name = ?", shown, Timestamp.from(Instant.now()),
                rolloutId, host);
    }

    /** What {@code rollout_host.failure} holds at most (V20). */
    static final int FAILURE_CHARS = 4000;

    /** The operator decided to retry or mark done: the state the host had ended in, if it had (else empty). */
    public java.util.Optional<String> endDecision(String rolloutId, String host) {
        List<String> resting = jdbc.queryForList("SELECT resting_state FROM \"MSGSRV\".rollout_host WHERE rollout_id = ?"
                + " AND host_name = ? AND resting_state IS NOT NULL", String.class, rolloutId, host);
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET resting_state = NULL, failure = NULL WHERE rollout_id = ? AND"
                + " host_name = ?", rolloutId, host);
        return resting.stream().findFirst();
    }

    private static String resting() {
        return Rollout.sqlList(RESTING);
    }

    /** The step a host is at; a host not yet upgraded is RUNNING from now on, an upgraded one stays so. */
    public void updateHostStep(String rolloutId, String host, String currentStep) {
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET current_step = ?, updated_at = ?, failure = NULL, state = CASE"
                + " WHEN state IN " + resting() + " THEN state ELSE 'RUNNING' END WHERE rollout_id = ? AND host_name = ?",
                currentStep, Timestamp.from(Instant.now()), rolloutId, host);
    }

    public List<HostProgress> hosts(String rolloutId) {
        return jdbc.query("SELECT * FROM \"MSGSRV\".rollout_host WHERE rollout_id = ? ORDER BY host_name",
                (rs, i) -> new HostProgress(rs.getString("host_name"), rs.getString("procedure_id"),
                        rs.getString("state"), rs.getString("current_step"), rs.getTimestamp("updated_at").toInstant(),
                        rs.getString("failure")),
                rolloutId);
    }

    /** @param failure why the host waits for an operator's decision (WAITING_DECISION), else null */
    public record HostProgress(String host, String procedure, String state, String currentStep, Instant updatedAt,
            String failure) {}

    /**
     * The rollouts of the deployment whose operator confirmed the configuration Directory Server's decommissioning.
     */
    public List<String> decommissionedConfigDirectory(String deploymentName) {
        // kept with the rollout (V10 took it over from the trails of the rollouts before)
        return jdbc.queryForList("SELECT id FROM \"MSGSRV\".rollout WHERE deployment_name = ? AND"
                + " config_directory_decommissioned_at IS NOT NULL ORDER BY id", String.class, deploymentName);
    }

    /** The operator confirmed the configuration Directory Server's decommissioning in this rollout. */
    public void configDirectoryDecommissioned(String rolloutId) {
        jdbc.update("UPDATE \"MSGSRV\".rollout SET config_directory_decommissioned_at = ? WHERE id = ?",
                Timestamp.from(Instant.now()), rolloutId);
    }

    /**
     * Those of the hosts whose mshttpd a rollout of the deployment may have disabled: its disable-mshttpd command was
     * prepared there, whatever came of it (its configutil may have run before its stop-msg failed, and an operator
     * then marked the step done; a launch whose answer was lost may have started it).
     */
    public List<String> mshttpdDisabled(String deploymentName, List<String> hosts) {
        if (hosts.isEmpty()) {
            return List.of();
        }
        return jdbc.queryForList("SELECT DISTINCT c.host_name FROM \"MSGSRV\".command_run c JOIN \"MSGSRV\".rollout r"
                + " ON r.id = c.rollout_id WHERE r.deployment_name = ? AND c.step_id = 'disable-mshttpd' AND c.host_name IN (" + String.join(",", java.util.Collections.nCopies(hosts.size(), "?"))
                + ") ORDER BY c.host_name", String.class, java.util.stream.Stream.concat(
                        java.util.stream.Stream.of(deploymentName), hosts.stream()).toArray());
    }

    /**
     * Whether the rollout's upgrade of the host may have changed the Directory Server: its LDIF import was prepared
     * there (whatever came of it: a launch whose answer was lost may have run it), or an operator marked the import
     * done by hand (imported with the directory's own tools).
     */
    public boolean directoryChangedFor(String rolloutId, String host) {
        String step = com.msgupgrade.catalog.StepId.IMPORT_LDIF.id();
        return jdbc.queryForObject("SELECT (SELECT COUNT(*) FROM \"MSGSRV\".command_run WHERE rollout_id = ? AND"
                + " host_name = ? AND step_id = ?) + (SELECT COUNT(*) FROM \"MSGSRV\".audit_event WHERE rollout_id = ?"
                + " AND host_name = ? AND step_id = ? AND kind = 'DECISION' AND detail LIKE '%\"markDone\"%')",
                Long.class, rolloutId, host, step, rolloutId, host, step) > 0;
    }

    /** The host's states in the rollouts of the deployment requested after this one. */
    public List<String> statesInLaterRollouts(String rolloutId, String deploymentName, String host) {
        return jdbc.queryForList("SELECT h.state FROM \"MSGSRV\".rollout_host h JOIN \"MSGSRV\".rollout r ON r.id ="
                + " h.rollout_id WHERE r.deployment_name = ? AND h.host_name = ? AND r.requested_at > (SELECT"
                + " requested_at FROM \"MSGSRV\".rollout WHERE id = ?)", String.class, deploymentName, host, rolloutId);
    }
}
