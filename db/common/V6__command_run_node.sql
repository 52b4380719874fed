-- The cluster node that prepared and launched each run (msgsrv.node-id): what ran where, and from which node.
ALTER TABLE command_run ADD COLUMN node_id VARCHAR(128);
