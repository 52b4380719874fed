-- Operator control of a running rollout: RUNNING, PAUSED (no new host starts) or ABORTING (nothing new
-- starts; running hosts finish), and the failure policy (stop at the first failed host, or continue up to
-- a number of failed hosts).
ALTER TABLE rollout ADD COLUMN control VARCHAR(16) DEFAULT 'RUNNING' NOT NULL;
ALTER TABLE rollout ADD COLUMN failure_policy VARCHAR(16) DEFAULT 'stop' NOT NULL;
ALTER TABLE rollout ADD COLUMN max_failed_hosts INTEGER DEFAULT 0 NOT NULL;
