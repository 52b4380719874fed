-- service-wide lock rows, made ahead (two first users at the same moment would each insert one otherwise):
-- rollout starts and rollbacks are decided one at a time, whatever their deployment (a machine registered in two
-- deployments is worked on by one of them at a time); new deployments' names are compared one at a time (two names
-- that differ only in case are one deployment)
-- (a build before this migration made the first row on first use: it is made again here, holding nothing)
DELETE FROM rollout_work_lock WHERE rollout_id IN ('starts-and-rollbacks', 'deployment-names');
INSERT INTO rollout_work_lock (rollout_id) VALUES ('starts-and-rollbacks');
INSERT INTO rollout_work_lock (rollout_id) VALUES ('deployment-names');
