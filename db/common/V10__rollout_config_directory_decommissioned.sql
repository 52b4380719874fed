-- when the operator confirmed the configuration Directory Server's decommissioning in the rollout: a rollback of the
-- deployment's hosts reads it (the audit trail's entry goes with the audit retention)
ALTER TABLE rollout ADD COLUMN config_directory_decommissioned_at TIMESTAMP WITH TIME ZONE;
-- the rollouts whose decommissioning was confirmed before: from their audit trail, while it is there
UPDATE rollout SET config_directory_decommissioned_at = (SELECT MIN(e.recorded_at) FROM audit_event e
    WHERE e.rollout_id = rollout.id AND e.kind = 'DECISION' AND e.detail LIKE '%"task":"Task_DecommissionConfigDirectory"%')
WHERE config_directory_decommissioned_at IS NULL;
