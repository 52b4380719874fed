-- The versions of the deployments are kept as they were stored: UPDATE, DELETE and TRUNCATE are refused.
CREATE FUNCTION deployment_version_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'deployment_version is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER deployment_version_no_update_or_delete
    BEFORE UPDATE OR DELETE ON deployment_version
    FOR EACH ROW EXECUTE FUNCTION deployment_version_append_only();

CREATE TRIGGER deployment_version_no_truncate
    BEFORE TRUNCATE ON deployment_version
    FOR EACH STATEMENT EXECUTE FUNCTION deployment_version_append_only();
