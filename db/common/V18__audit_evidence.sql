-- What a gate showed, whole: the evidence texts (the planned commands, the warnings, a precheck's or patch-config's
-- output, a failure) a GATE_OPENED or DECISION entry names by their SHA-256. The task's own variables keep the first
-- 3,800 characters, and the engine's history clean-up removes them; these stay as long as the rollout's trail does.
CREATE TABLE audit_evidence (
    rollout_id  VARCHAR(40)  NOT NULL,
    sha256      VARCHAR(64)  NOT NULL,
    content     TEXT         NOT NULL,
    recorded_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (rollout_id, sha256)
);
