package com.msgupgrade.audit;

import java.time.Instant;

/** One entry of the audit trail; {@code detail} is JSON, secrets masked before it gets here. */
public record AuditEntry(String rolloutId, long seq, Instant recordedAt, String actor, String kind, String host,
        String step, String detail, String prevHash, String hash) {

    AuditEntry withHash(String newHash) {
        return new AuditEntry(rolloutId, seq, recordedAt, actor, kind, host, step, detail, prevHash, newHash);
    }
}
