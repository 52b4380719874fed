-- The evidence of the audit trail is append-only as its entries are (V2): UPDATE, DELETE and TRUNCATE are refused,
-- except the retention purge's deletion, announced for its own transaction with SET LOCAL msgsrv.audit_purge = 'on'.
CREATE FUNCTION audit_evidence_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('msgsrv.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_evidence is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_evidence_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_evidence
    FOR EACH ROW EXECUTE FUNCTION audit_evidence_append_only();

CREATE TRIGGER audit_evidence_no_truncate
    BEFORE TRUNCATE ON audit_evidence
    FOR EACH STATEMENT EXECUTE FUNCTION audit_evidence_append_only();
