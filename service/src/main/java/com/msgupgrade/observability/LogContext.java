package com.msgupgrade.observability;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.impl.bpmn.parser.AbstractBpmnParseListener;
import org.camunda.bpm.engine.impl.bpmn.parser.BpmnParseListener;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cmd.ExecuteJobsCmd;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.Command;
import org.camunda.bpm.engine.impl.interceptor.CommandInterceptor;
import org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;
import org.camunda.bpm.engine.impl.pvm.process.ActivityImpl;
import org.camunda.bpm.engine.impl.pvm.process.ScopeImpl;
import org.camunda.bpm.engine.impl.util.xml.Element;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

/**
 * The rollout, host and step of every log line written while the engine works on them ({@code logging.pattern}):
 * the rollout is the business key of every process of a rollout, which the engine itself puts into the MDC (its
 * process data context); the host and the step are the {@code hostName} and {@code stepId} variables, put into the
 * MDC as each activity of a host's or a step's process starts. Engine lines about a job that failed (written after
 * its transaction rolled back) keep them; a job thread starts each job with none, and any other thread gets back
 * what it had when it called the engine.
 */
@Component
public class LogContext extends AbstractProcessEnginePlugin {

    public static final String ROLLOUT = "rollout";
    public static final String HOST = "host";
    public static final String STEP = "step";
    /** The processes that work on no single host: their activities name none. */
    private static final List<String> ROLLOUT_WIDE = List.of("Rollout");

    @Override
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        configuration.setLoggingContextBusinessKey(ROLLOUT);
        if (configuration.getCustomPreBPMNParseListeners() == null) {
            configuration.setCustomPreBPMNParseListeners(new ArrayList<>());
        }
        configuration.getCustomPreBPMNParseListeners().add(PARSE_LISTENER);
        configuration.setCustomPreCommandInterceptorsTxRequired(withOurs(
                configuration.getCustomPreCommandInterceptorsTxRequired()));
        configuration.setCustomPreCommandInterceptorsTxRequiresNew(withOurs(
                configuration.getCustomPreCommandInterceptorsTxRequiresNew()));
    }

    private static List<CommandInterceptor> withOurs(List<CommandInterceptor> configured) {
        List<CommandInterceptor> interceptors = new ArrayList<>();
        interceptors.add(new Scope());
        if (configured != null) {
            interceptors.addAll(configured);
        }
        return interceptors;
    }

    /** Puts the host and the step of the execution (none where it has none) into the MDC. */
    private static final ExecutionListener FROM_VARIABLES = execution -> {
        put(HOST, execution, "hostName");
        put(STEP, execution, "stepId");
    };

    /** A rollout-wide activity (one that a host's process ended into, in the same job) names no host or step. */
    private static final ExecutionListener NO_HOST = execution -> {
        MDC.remove(HOST);
        MDC.remove(STEP);
    };

    private static void put(String key, DelegateExecution execution, String variable) {
        set(key, execution.getVariable(variable) instanceof String value && !value.isBlank() ? value : null);
    }

    /**
     * Runs {@code work} with the rollout in the MDC, and puts back what was there after: work on a rollout outside
     * the engine's commands (after a transaction committed, a scheduler's turn) names it on its lines too.
     */
    public static void inRollout(String rolloutId, Runnable work) {
        String before = MDC.get(ROLLOUT);
        set(ROLLOUT, rolloutId);
        try {
            work.run();
        } finally {
            set(ROLLOUT, before);
        }
    }

    /** Puts {@code value} into the MDC under {@code key}, or removes the key when it is null. */
    public static void set(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }

    private static final BpmnParseListener PARSE_LISTENER = new AbstractBpmnParseListener() {
        @Override
        public void parseProcess(Element processElement, ProcessDefinitionEntity process) {
            ExecutionListener listener = ROLLOUT_WIDE.contains(process.getKey()) ? NO_HOST : FROM_VARIABLES;
            process.addBuiltInListener(ExecutionListener.EVENTNAME_START, listener);
            addToActivities(process, listener);
        }

        /**
         * A user task's events (its creation, a person's completion on an HTTP thread: the engine's lines about a
         * decision's listener that failed) name its host and step too; the request's own are put back after
         * ({@link Scope}).
         */
        @Override
        public void parseUserTask(Element userTaskElement, ScopeImpl scope, ActivityImpl activity) {
            boolean rolloutWide = ROLLOUT_WIDE.contains(((ProcessDefinitionEntity) scope.getProcessDefinition())
                    .getKey());
            org.camunda.bpm.engine.delegate.TaskListener listener = task -> {
                if (rolloutWide) {
                    MDC.remove(HOST);
                    MDC.remove(STEP);
                } else {
                    put(HOST, task.getExecution(), "hostName");
                    put(STEP, task.getExecution(), "stepId");
                }
            };
            var definition = ((org.camunda.bpm.engine.impl.bpmn.behavior.UserTaskActivityBehavior) activity
                    .getActivityBehavior()).getTaskDefinition();
            for (String event : List.of(org.camunda.bpm.engine.delegate.TaskListener.EVENTNAME_CREATE,
                    org.camunda.bpm.engine.delegate.TaskListener.EVENTNAME_COMPLETE)) {
                definition.addBuiltInTaskListener(event, listener);
            }
        }

        private void addToActivities(ScopeImpl scope, ExecutionListener listener) {
            for (ActivityImpl activity : scope.getActivities()) {
                activity.addBuiltInListener(ExecutionListener.EVENTNAME_START, listener);
                addToActivities(activity, listener);
            }
        }
    };

    /**
     * The outermost engine command of a thread: a job starts with no host or step (the job's own activities set
     * them, and they stay for the engine's lines after it if it fails, until the thread's next job); on any thread
     * but a job executor's (an HTTP request completing a task) the host and step it had are put back afterwards.
     */
    private static final class Scope extends CommandInterceptor {

        private static final ThreadLocal<Boolean> INSIDE = new ThreadLocal<>();

        @Override
        public <T> T execute(Command<T> command) {
            if (INSIDE.get() != null) {
                return next.execute(command);
            }
            INSIDE.set(Boolean.TRUE);
            boolean jobThread = Context.getJobExecutorContext() != null;
            Map<String, String> before = jobThread ? null : MDC.getCopyOfContextMap();
            try {
                if (command instanceof ExecuteJobsCmd) {
                    MDC.remove(HOST);
                    MDC.remove(STEP);
                }
                return next.execute(command);
            } finally {
                INSIDE.remove();
                if (!jobThread) {
                    set(HOST, before == null ? null : before.get(HOST));
                    set(STEP, before == null ? null : before.get(STEP));
                }
            }
        }
    }
}
