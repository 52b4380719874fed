package com.msgupgrade.security;

import java.util.function.Supplier;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.impl.identity.Authentication;

/**
 * Work the service does on its own account in a thread that carries a person's authentication (a request's): without
 * it, so that the engine neither checks that person's authorizations for it nor writes it to its user operation log
 * (and from there the audit trail, {@code EngineOperationAudit}) as theirs. The person's authentication is back
 * afterwards.
 */
public final class AsTheService {

    private AsTheService() {}

    public static <T> T call(IdentityService identities, Supplier<T> work) {
        Authentication caller = identities.getCurrentAuthentication();
        identities.clearAuthentication();
        try {
            return work.get();
        } finally {
            if (caller != null) {
                identities.setAuthentication(caller);
            }
        }
    }
}
