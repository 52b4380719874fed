package com.msgupgrade.approval;

import org.springframework.stereotype.Component;

/** {@code ${approvalDeadlines.rejectAfter('ApproveHostUpgrade')}}: the timeout listeners' durations, per gate. */
@Component("approvalDeadlines")
public class ApprovalDeadlines {

    private final ApprovalSettings settings;

    ApprovalDeadlines(ApprovalSettings settings) {
        this.settings = settings;
    }

    public String escalateAfter(String gate) {
        return settings.deadline(gate).escalateAfter().toString();
    }

    public String rejectAfter(String gate) {
        return settings.deadline(gate).rejectAfter().toString();
    }
}
