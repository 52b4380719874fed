-- The secret a run was given (its name, never its value), and when its files were found gone from the host after the
-- run's step had ended without the run's own end (the host rebooted, an operator aborted or marked the step done):
-- SecretSweeper removes them then, and records it here.
ALTER TABLE command_run ADD COLUMN secret_name VARCHAR(128);
ALTER TABLE command_run ADD COLUMN secret_removed_at TIMESTAMP WITH TIME ZONE;
