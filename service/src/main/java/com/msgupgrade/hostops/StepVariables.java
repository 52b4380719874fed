package com.msgupgrade.hostops;

import java.util.Objects;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.variable.Variables;
import org.camunda.bpm.engine.variable.value.TypedValue;

/** How HostStep's jobs write the step's variables: each write is a runtime update and history rows. */
public final class StepVariables {

    private StepVariables() {}

    /**
     * A transient variable: neither stored nor in the history, gone when the job's transaction ends. A stored one
     * of the same name (set by an earlier version of the service on a step that was waiting through its upgrade)
     * is updated instead: the engine refuses to replace it with a transient one.
     */
    public static void setForThisTransaction(DelegateExecution execution, String name, Object value) {
        TypedValue current = execution.getVariableTyped(name);
        if (current != null && !current.isTransient()) {
            set(execution, name, value);
        } else {
            execution.setVariable(name, Variables.untypedValue(value, true));
        }
    }

    /**
     * Writes a variable only when its value changes (a null one only over a value): every write is a runtime
     * update and history rows, and a step's job would otherwise rewrite the same five values each time it looks.
     */
    public static void set(DelegateExecution execution, String name, Object value) {
        boolean present = execution.hasVariable(name);
        if (present ? !Objects.equals(execution.getVariable(name), value) : value != null) {
            execution.setVariable(name, value);
        }
    }
}
