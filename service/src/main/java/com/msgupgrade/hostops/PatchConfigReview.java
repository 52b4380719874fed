package com.msgupgrade.hostops;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Whether a person reviews a host's new configuration after {@code patch-config} ({@code
 * ${patchConfigReview.needed(execution)}} in the host models). The guide asks for it every time: "You should examine
 * these new files for possible conflicts, as described in the Special Installation Instructions section of the core
 * patch readme file" ({@code msgsrv.review.patch-config=always}, the default). {@code when-reported} asks only when
 * patch-config's output has conflict lines ({@code CONFLICT: …}, {@link com.msgupgrade.catalog.PatchConfigOutput}),
 * for operators who checked that their patch's patch-config reports conflicts that way; a patch-config whose output
 * was not read (marked done by hand after a failure) is reviewed either way.
 */
@Component("patchConfigReview")
public class PatchConfigReview {

    static final String ALWAYS = "always";
    static final String WHEN_REPORTED = "when-reported";

    private final boolean always;

    public PatchConfigReview(@Value("${msgsrv.review.patch-config:" + ALWAYS + "}") String policy) {
        if (!ALWAYS.equals(policy) && !WHEN_REPORTED.equals(policy)) {
            throw new IllegalArgumentException("msgsrv.review.patch-config must be " + ALWAYS + " or " + WHEN_REPORTED
                    + ", was '" + policy + "'");
        }
        this.always = ALWAYS.equals(policy);
    }

    /** The gate as the plan names it. */
    public String gate() {
        return "review of the new configuration after patch-config, before install-newconfig: "
                + (always ? "every host" : "when patch-config reports conflicts, or its output was not read")
                + " (msgsrv.review.patch-config; change-managers)";
    }

    public boolean needed(DelegateExecution execution) {
        return always || !Boolean.FALSE.equals(execution.getVariable(HostStepProcess.CONFLICTS_FOUND));
    }
}
