package com.msgupgrade.approval;

import java.util.List;
import org.springframework.stereotype.Component;

/** {@code ${approvalPolicy.quorumSlots()}}: one CAB task per approval the quorum needs. */
@Component("approvalPolicy")
public class ApprovalPolicy {

    private final ApprovalSettings settings;

    ApprovalPolicy(ApprovalSettings settings) {
        this.settings = settings;
    }

    public List<Integer> quorumSlots() {
        return settings.quorumSlots();
    }
}
