-- the rollouts whose configuration Directory Server's decommissioning was confirmed before V10: from their audit
-- trail, while it is there (the decision's detail: sorted keys, compact JSON, as AuditTrail writes it)
UPDATE rollout SET config_directory_decommissioned_at = (SELECT MIN(e.recorded_at) FROM audit_event e
    WHERE e.rollout_id = rollout.id AND e.kind = 'DECISION' AND e.detail LIKE '%"task":"Task_DecommissionConfigDirectory"%')
WHERE config_directory_decommissioned_at IS NULL;
