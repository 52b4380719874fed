-- Every version of every deployment, as stored (an operator's PUT, a rollout registering its hosts' releases): who
-- changed a deployment, when, and to what, for auditors; a rollout's trail names the version it was requested of.
CREATE TABLE deployment_version (
    name        VARCHAR(64)  NOT NULL,
    version     BIGINT       NOT NULL,
    body        TEXT         NOT NULL,
    updated_by  VARCHAR(128) NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT deployment_version_pk PRIMARY KEY (name, version)
);
-- the versions before V15: the one stored is all that is known of them
INSERT INTO deployment_version (name, version, body, updated_by, updated_at)
    SELECT name, version, body, updated_by, updated_at FROM deployment;
