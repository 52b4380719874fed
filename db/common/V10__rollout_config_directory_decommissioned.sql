-- when the operator confirmed the configuration Directory Server's decommissioning in the rollout: a rollback of the
-- deployment's hosts reads it (the audit trail's entry goes with the audit retention)
ALTER TABLE rollout ADD COLUMN config_directory_decommissioned_at TIMESTAMP WITH TIME ZONE;
