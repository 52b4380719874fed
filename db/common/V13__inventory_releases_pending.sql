-- The deployment's registered releases follow its rollouts (InventoryReleases): a rollout that ended registers the
-- release it brought its hosts to, a host rolled back its release before. Pending until registered (a rollout ended
-- with releases_registered_at unset, a host with release_pending), so that a node that stops between the end and the
-- registration leaves it to the next sweep, and a new rollout of the deployment registers it first.
ALTER TABLE rollout ADD COLUMN releases_registered_at TIMESTAMP WITH TIME ZONE;
-- the rollouts before V13: their operators kept the releases themselves
UPDATE rollout SET releases_registered_at = CURRENT_TIMESTAMP;
ALTER TABLE rollout_host ADD COLUMN release_pending BOOLEAN DEFAULT FALSE NOT NULL;
