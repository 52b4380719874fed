-- How a rollout's changes are approved and when they may run: downtime approval policy, maintenance
-- windows and blackouts (JSON, see ChangePolicy).
ALTER TABLE rollout ADD COLUMN change_policy TEXT;
