package com.msgupgrade.rollout;

import com.msgupgrade.OwnTransaction;
import com.msgupgrade.audit.AuditTrail;
import com.msgupgrade.inventory.Deployment;
import com.msgupgrade.inventory.DeploymentRepository;
import com.msgupgrade.inventory.Host;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Keeps the deployment's registered releases with what its rollouts did to its hosts: a host a rollout upgraded is
 * registered at the rollout's target once the rollout ends, and at its release before the rollout again once it is
 * rolled back. A registration an operator changed meanwhile (not the release the rollout read, or the target) is
 * left as the operator wrote it. Without this, the next plan would still see the old release, and a rollout
 * requested again would stop every host to find it already at 6.3. Each change is in the rollout's audit trail
 * ({@code INVENTORY_UPDATED}). Done in a transaction of its own once the rollout's (or the host's) has committed:
 * the deployment's lock is taken alone, never under the rollout's (a rollback request takes them the other way).
 */
@Component
public class InventoryReleases {

    private static final Logger log = LoggerFactory.getLogger(InventoryReleases.class);

    private final DeploymentRepository deployments;
    private final RolloutRepository rollouts;
    private final AuditTrail audit;
    private final OwnTransaction ownTransaction;

    InventoryReleases(DeploymentRepository deployments, RolloutRepository rollouts, AuditTrail audit,
            OwnTransaction ownTransaction) {
        this.deployments = deployments;
        this.rollouts = rollouts;
        this.audit = audit;
        this.ownTransaction = ownTransaction;
    }

    /** The rollout ended: the hosts it upgraded are registered at its target. */
    public void rolloutEnded(String rolloutId) {
        SlotWakeUp.afterCommit(() -> register(rolloutId, "upgraded by the rollout", rollout -> {
            Map<String, String[]> changes = new LinkedHashMap<>(); // host -> {release it had, release it has}
            for (RolloutRepository.HostProgress host : rollouts.hosts(rolloutId)) {
                if ("UPGRADED".equals(host.state())) {
                    rollout.deployment().host(host.host()).map(Host::sourceRelease).filter(before ->
                            !before.equals(rollout.targetRelease())).ifPresent(before -> changes.put(host.host(),
                                    new String[] {before, rollout.targetRelease()}));
                }
            }
            return changes;
        }));
    }

    /** A host of the rollout rolled back: registered at the release it had before the rollout. */
    public void rolledBack(String rolloutId, String hostName) {
        SlotWakeUp.afterCommit(() -> register(rolloutId, "rolled back", rollout -> rollout.deployment().host(hostName)
                .map(host -> Map.of(hostName, new String[] {rollout.targetRelease(), host.sourceRelease()}))
                .orElse(Map.of())));
    }

    private void register(String rolloutId, String why,
            java.util.function.Function<Rollout, Map<String, String[]>> changesOf) {
        try {
            ownTransaction.executeWithoutResult(status -> {
                Rollout rollout = rollouts.get(rolloutId);
                Map<String, String[]> changes = changesOf.apply(rollout);
                if (changes.isEmpty()) {
                    return;
                }
                deployments.findForUpdate(rollout.deploymentName()).ifPresent(current -> {
                    List<String> changed = new ArrayList<>();
                    List<String> left = new ArrayList<>();
                    List<Host> hosts = current.hosts().stream().map(host -> {
                        String[] change = changes.get(host.name());
                        if (change == null) {
                            return host;
                        }
                        if (!change[0].equals(host.sourceRelease())) {
                            left.add(host.name() + " (registered at " + host.sourceRelease() + ")");
                            return host;
                        }
                        changed.add(host.name() + ": " + change[0] + " -> " + change[1]);
                        return host.withSourceRelease(change[1]);
                    }).toList();
                    changes.keySet().stream().filter(name -> current.host(name).isEmpty())
                            .forEach(name -> left.add(name + " (no longer registered)"));
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
                    audit.record(rolloutId, "system", "INVENTORY_UPDATED", null, null, detail);
                });
            });
        } catch (RuntimeException e) {
            log.warn("the releases of the hosts of rollout {} were not registered in its deployment ({}): set their"
                    + " sourceRelease by hand (PUT /api/deployments/{{name}})", rolloutId, e.getMessage());
        }
    }
}
