package com.msgupgrade.inventory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** Deployments, stored whole as JSON in the service's own table. */
@Repository
public class DeploymentRepository {

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    public DeploymentRepository(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Stores the deployment whatever its version; the version it now has. */
    @Transactional
    public long save(Deployment deployment, String user) {
        return save(deployment, user, Precondition.NONE);
    }

    /**
     * Stores the deployment if {@code precondition} holds of the stored one (its row locked meanwhile), its version
     * counted up; the version it now has.
     *
     * @throws PreconditionFailedException when it does not, nothing stored
     */
    @Transactional
    public long save(Deployment deployment, String user, Precondition precondition) {
        String body = toJson(deployment);
        Timestamp now = Timestamp.from(Instant.now());
        Optional<Version> current = lockedVersion(deployment.name());
        precondition.check(deployment.name(), current);
        if (current.isPresent()) {
            return update(deployment.name(), current.get(), body, user, now);
        }
        // one deployment a name, whatever its case: "prod" and "PROD" would be two rollouts of the same hosts, each
        // free of the other's (a rollout of a deployment excludes only that deployment's next); new names are
        // compared one at a time (a lock row made by migration V12)
        jdbc.queryForList("SELECT rollout_id FROM \"MSGSRV\".rollout_work_lock WHERE rollout_id = 'deployment-names'"
                + " FOR UPDATE", String.class);
        // made meanwhile by a request that held that lock before this one: a change of it, as asked
        current = lockedVersion(deployment.name());
        if (current.isPresent()) {
            precondition.check(deployment.name(), current);
            return update(deployment.name(), current.get(), body, user, now);
        }
        List<String> sameName = jdbc.queryForList("SELECT name FROM \"MSGSRV\".deployment WHERE LOWER(name) ="
                + " LOWER(?) AND name <> ?", String.class, deployment.name(), deployment.name());
        if (!sameName.isEmpty()) {
            throw new com.msgupgrade.web.InvalidRequestException("deployment " + deployment.name() + " is not valid",
                    List.of("the deployment " + sameName.get(0) + " has this name in another case: change that"
                            + " one (PUT /api/deployments/" + sameName.get(0) + "), or choose another name"));
        }
        jdbc.update("INSERT INTO \"MSGSRV\".deployment (name, body, updated_by, updated_at, version)"
                + " VALUES (?,?,?,?,1)", deployment.name(), body, user, now);
        // a deployment made again under the name of one that was: its versions go on from the last one kept
        long first = 1 + jdbc.queryForObject("SELECT COALESCE(MAX(version), 0) FROM \"MSGSRV\".deployment_version"
                + " WHERE name = ?", Long.class, deployment.name());
        if (first > 1) {
            jdbc.update("UPDATE \"MSGSRV\".deployment SET version = ? WHERE name = ?", first, deployment.name());
        }
        keepVersion(deployment.name(), first, body, user, now);
        return first;
    }

    private Optional<Version> lockedVersion(String name) {
        return jdbc.query("SELECT version, updated_by, updated_at FROM \"MSGSRV\".deployment WHERE name = ? FOR UPDATE",
                (rs, i) -> version(rs), name).stream().findFirst();
    }

    private long update(String name, Version current, String body, String user, Timestamp now) {
        long version = current.number() + 1;
        jdbc.update("UPDATE \"MSGSRV\".deployment SET body = ?, updated_by = ?, updated_at = ?, version = ? WHERE"
                + " name = ?", body, user, now, version, name);
        keepVersion(name, version, body, user, now);
        return version;
    }

    private void keepVersion(String name, long version, String body, String user, Timestamp at) {
        jdbc.update("INSERT INTO \"MSGSRV\".deployment_version (name, version, body, updated_by, updated_at)"
                + " VALUES (?,?,?,?,?)", name, version, body, user, at);
    }

    /** A version of a deployment as it was stored, with the SHA-256 of its body as stored. */
    public record Kept(long version, String updatedBy, Instant updatedAt, String sha256) {
    }

    /** The versions of a deployment, the latest first; empty when none was ever stored under the name. */
    public List<Kept> versions(String name) {
        return jdbc.query("SELECT version, updated_by, updated_at, body FROM \"MSGSRV\".deployment_version WHERE"
                + " name = ? ORDER BY version DESC", (rs, i) -> new Kept(rs.getLong("version"),
                rs.getString("updated_by"), rs.getTimestamp("updated_at").toInstant(), sha256(rs.getString("body"))),
                name);
    }

    /** One version of a deployment, as it was stored. */
    public Optional<Deployment> version(String name, long version) {
        return jdbc.queryForList("SELECT body FROM \"MSGSRV\".deployment_version WHERE name = ? AND version = ?",
                String.class, name, version).stream().findFirst().map(this::fromJson);
    }

    /** The SHA-256 of the deployment as stored now: what {@link #versions} gives for its latest version. */
    public Optional<String> storedSha256(String name) {
        return jdbc.queryForList("SELECT body FROM \"MSGSRV\".deployment WHERE name = ?", String.class, name).stream()
                .findFirst().map(DeploymentRepository::sha256);
    }

    /** The SHA-256 (hex) of a deployment's JSON as stored. */
    public static String sha256(String body) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The deployment with its version and who changed it last. */
    public Optional<Stored> findStored(String name) {
        return jdbc.query("SELECT body, version, updated_by, updated_at FROM \"MSGSRV\".deployment WHERE name = ?",
                (rs, i) -> stored(rs), name).stream().findFirst();
    }

    private Stored stored(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Stored(fromJson(rs.getString("body")), version(rs));
    }

    private static Version version(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Version(rs.getLong("version"), rs.getString("updated_by"), rs.getTimestamp("updated_at").toInstant());
    }

    /** A deployment as stored, with its version. */
    public record Stored(Deployment deployment, Version version) {
    }

    /** A stored deployment's version: counted up by every change; who made the last one, and when. */
    public record Version(long number, String updatedBy, Instant updatedAt) {
    }

    public Optional<Deployment> find(String name) {
        List<String> bodies = jdbc.queryForList("SELECT body FROM \"MSGSRV\".deployment WHERE name = ?", String.class, name);
        return bodies.stream().findFirst().map(this::fromJson);
    }

    /** The deployment, its row locked until the transaction ends (rollouts of it start one at a time). */
    @Transactional(propagation = org.springframework.transaction.annotation.Propagation.MANDATORY)
    public Optional<Deployment> findForUpdate(String name) {
        List<String> bodies = jdbc.queryForList("SELECT body FROM \"MSGSRV\".deployment WHERE name = ? FOR UPDATE",
                String.class, name);
        return bodies.stream().findFirst().map(this::fromJson);
    }

    public List<String> names() {
        return jdbc.queryForList("SELECT name FROM \"MSGSRV\".deployment ORDER BY name", String.class);
    }

    public String toJson(Deployment deployment) {
        try {
            return json.writeValueAsString(deployment);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize deployment " + deployment.name(), e);
        }
    }

    public Deployment fromJson(String body) {
        try {
            // leniently: a snapshot stored by an earlier version may hold a field no longer read ("solaris")
            return json.readerFor(Deployment.class)
                    .without(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored deployment is not readable: " + e.getOriginalMessage(), e);
        }
    }
}
