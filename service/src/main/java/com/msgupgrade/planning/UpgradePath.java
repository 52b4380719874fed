package com.msgupgrade.planning;

/** One answer of the Table 4-1 decision: a procedure, or the reason there is none. */
public record UpgradePath(Procedure procedure, boolean certified, boolean rollbackSupported, String refusal) {

    public boolean exists() {
        return procedure != null;
    }
}
