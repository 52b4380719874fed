package com.msgupgrade.rollout;

import com.msgupgrade.OwnTransaction;
import com.msgupgrade.audit.AuditTrail;
import com.msgupgrade.inventory.DeploymentRepository;
import com.msgupgrade.inventory.Host;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Keeps the deployment's registered releases with what its rollouts did to its hosts: a host a rollout upgraded is
 * registered at the rollout's target once the rollout ends, and at its release before the rollout again once it is
 * rolled back. A registration an operator changed meanwhile (neither the release the rollout read nor the one it
 * brought) is left as the operator wrote it. Without this, the next plan would still see the old release, and a
 * rollout requested again would stop every host to find it already at 6.3. Each change is in the rollout's audit
 * trail ({@code INVENTORY_UPDATED}).
 *
 * <p>Durable: a rollout that ended is pending until registered ({@code releases_registered_at}), as is a host rolled
 * back ({@code release_pending}). Registered once the ending transaction has committed, in one of its own (the
 * deployment's lock taken first, never under the rollout's: a rollback request takes them in that order); else by
 * the sweep, and before a new rollout of the deployment is planned.
 */
@Component
public class InventoryReleases {

    private static final Logger log = LoggerFactory.getLogger(InventoryReleases.class);

    private final DeploymentRepository deployments;
    private final RolloutRepository rollouts;
    private final AuditTrail audit;
    private final OwnTransaction ownTransaction;
    private final JdbcTemplate jdbc;

    InventoryReleases(DeploymentRepository deployments, RolloutRepository rollouts, AuditTrail audit,
            OwnTransaction ownTransaction, JdbcTemplate jdbc) {
        this.deployments = deployments;
        this.rollouts = rollouts;
        this.audit = audit;
        this.ownTransaction = ownTransaction;
        this.jdbc = jdbc;
    }

    /** The rollout ended (in the current transaction): its hosts' releases are registered once it commits. */
    public void rolloutEnded(String rolloutId) {
        SlotWakeUp.afterCommit(() -> inOwnTransaction(rolloutId, () -> registerEnd(rolloutId)));
    }

    /**
     * A host of the rollout rolled back, or back at UPGRADED once its rollback was rejected (in the current
     * transaction): its release is pending, registered once it commits (the one its state says: its release before
     * the rollout, or the rollout's target, which a registration at the rollout's end may have left out).
     */
    public void releaseChanged(String rolloutId, String hostName) {
        jdbc.update("UPDATE \"MSGSRV\".rollout_host SET release_pending = TRUE WHERE rollout_id = ? AND host_name = ?",
                rolloutId, hostName);
        SlotWakeUp.afterCommit(() -> inOwnTransaction(rolloutId, () -> registerRollback(rolloutId, hostName)));
    }

    /** The condition on a rollout's row: it ended, and the releases it brought are not registered yet. */
    private static final String ENDED_UNREGISTERED = "releases_registered_at IS NULL AND state IN ("
            + String.join(", ", Rollout.ENDED.stream().map(state -> "'" + state + "'").toList()) + ")";

    /** What is still pending (a node stopped before it registered it): soon after start-up, then every few minutes. */
    @Scheduled(initialDelayString = "PT20S", fixedDelayString = "${msgsrv.inventory.sweep-interval:PT5M}")
    public void sweep() {
        for (String rolloutId : jdbc.queryForList("SELECT id FROM \"MSGSRV\".rollout WHERE " + ENDED_UNREGISTERED,
                String.class)) {
            inOwnTransaction(rolloutId, () -> registerEnd(rolloutId));
        }
        for (Map<String, Object> host : jdbc.queryForList("SELECT rollout_id, host_name FROM \"MSGSRV\".rollout_host"
                + " WHERE release_pending")) {
            String rolloutId = (String) host.get("rollout_id");
            inOwnTransaction(rolloutId, () -> registerRollback(rolloutId, (String) host.get("host_name")));
        }
    }

    /**
     * Registers, in a transaction of its own, whatever the deployment's ended rollouts and rollbacks left pending:
     * before a new rollout of it is planned, by a caller that holds no lock yet (the registration stands whether
     * that rollout is then refused or not).
     */
    public void registerPending(String deploymentName) {
        inOwnTransaction(deploymentName, () -> registerPendingOf(deploymentName));
    }

    private void registerPendingOf(String deploymentName) {
        if (deployments.findForUpdate(deploymentName).isEmpty()) {
            return;
        }
        for (String rolloutId : jdbc.queryForList("SELECT id FROM \"MSGSRV\".rollout WHERE deployment_name = ? AND "
                + ENDED_UNREGISTERED, String.class, deploymentName)) {
            registerEnd(rolloutId);
        }
        for (Map<String, Object> host : jdbc.queryForList("SELECT h.rollout_id, h.host_name FROM"
                + " \"MSGSRV\".rollout_host h JOIN \"MSGSRV\".rollout r ON r.id = h.rollout_id WHERE"
                + " r.deployment_name = ? AND h.release_pending", deploymentName)) {
            registerRollback((String) host.get("rollout_id"), (String) host.get("host_name"));
        }
    }

    private void inOwnTransaction(String of, Runnable work) {
        try {
            ownTransaction.executeWithoutResult(status -> work.run());
        } catch (RuntimeException e) {
            log.warn("the releases of the hosts of {} were not registered in the deployment yet ({}): the sweep tries"
                    + " again", of, e.getMessage());
        }
    }

    /** The hosts the rollout upgraded, at its target: once, whoever comes first (the claim on the rollout's row). */
    private void registerEnd(String rolloutId) {
        Rollout rollout = rollouts.get(rolloutId);
        // the deployment's lock before the rollout's row, as a rollout's start and a rollback request take them
        boolean registered = deployments.findForUpdate(rollout.deploymentName()).isPresent();
        if (jdbc.update("UPDATE \"MSGSRV\".rollout SET releases_registered_at = ? WHERE id = ? AND"
                + " releases_registered_at IS NULL", Timestamp.from(Instant.now()), rolloutId) == 0 || !registered) {
            return; // done by another, or the deployment is gone (nothing left to register it in)
        }
        Map<String, String[]> changes = new LinkedHashMap<>(); // host -> {release it had, release it has}
        for (RolloutRepository.HostProgress host : rollouts.hosts(rolloutId)) {
            if ("UPGRADED".equals(host.state())) {
                rollout.deployment().host(host.host()).map(Host::sourceRelease).ifPresent(before -> changes.put(
                        host.host(), new String[] {before, rollout.targetRelease()}));
            }
        }
        register(rollout, changes, "upgraded by the rollout");
    }

    /**
     * A host rolled back, at its release before the rollout; one whose rollback was rejected, at the rollout's target:
     * once (the claim on its row).
     */
    private void registerRollback(String rolloutId, String hostName) {
        Rollout rollout = rollouts.get(rolloutId);
        boolean registered = deployments.findForUpdate(rollout.deploymentName()).isPresent();
        if (jdbc.update("UPDATE \"MSGSRV\".rollout_host SET release_pending = FALSE WHERE rollout_id = ? AND"
                + " host_name = ? AND release_pending", rolloutId, hostName) == 0 || !registered) {
            return;
        }
        String state = rollouts.hostState(rolloutId, hostName).orElse("");
        rollout.deployment().host(hostName).ifPresent(host -> {
            if ("ROLLED_BACK".equals(state)) {
                register(rollout, Map.of(hostName, new String[] {rollout.targetRelease(), host.sourceRelease()}),
                        "rolled back");
            } else if ("UPGRADED".equals(state) && Rollout.ENDED.contains(rollout.state())) {
                // (a rollout going on registers its upgraded hosts at its end, this one among them)
                register(rollout, Map.of(hostName, new String[] {host.sourceRelease(), rollout.targetRelease()}),
                        "its rollback rejected: still upgraded by the rollout");
            }
        });
    }

    /**
     * Applies {@code changes} (host → {from, to}) to the deployment, whose lock the caller holds: a host registered at
     * {@code from} is registered at {@code to}; one at {@code to} already is left; one at another release (an
     * operator's) is left, and said so. Recorded when anything changed or was left for that reason.
     */
    private void register(Rollout rollout, Map<String, String[]> changes, String why) {
        deployments.find(rollout.deploymentName()).ifPresent(current -> {
            List<String> changed = new ArrayList<>();
            List<String> left = new ArrayList<>();
            List<Host> hosts = current.hosts().stream().map(host -> {
                String[] change = changes.get(host.name());
                if (change == null || change[1].equals(host.sourceRelease())) {
                    return host;
                }
                if (!change[0].equals(host.sourceRelease())) {
                    left.add(host.name() + " (registered at " + host.sourceRelease() + " by an operator)");
                    return host;
                }
                changed.add(host.name() + ": " + change[0] + " -> " + change[1]);
                return host.withSourceRelease(change[1]);
            }).toList();
            if (changed.isEmpty() && left.isEmpty()) {
                return;
            }
            if (!changed.isEmpty()) {
                deployments.save(current.withHosts(hosts), "system");
            }
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("deployment", current.name());
            detail.put("reason", why);
            detail.put("changed", String.join(", ", changed));
            if (!left.isEmpty()) {
                detail.put("left as registered", String.join(", ", left));
            }
            audit.record(rollout.id(), "system", "INVENTORY_UPDATED", null, null, detail);
        });
    }
}
