package com.msgupgrade;

import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A transaction of its own (REQUIRES_NEW), committed whatever becomes of the caller's: what happened on a host
 * (ledger, command audit entries), a refused decision, a wake-up after a commit.
 */
@Component
public class OwnTransaction extends TransactionTemplate {

    public OwnTransaction(PlatformTransactionManager transactions) {
        super(transactions);
        setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }
}
