package com.msgupgrade.approval;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The service's processes move on the service's own events: a message, a signal or a condition sent through the
 * engine's REST API (or variables set on many instances by a batch) (by an administrator: operators may not update instances) is refused, on both channels of the
 * API ({@code /engine-rest} and the webapps'). The engine logs no operation for a single message correlated, a
 * subscription triggered or a signal, so it would not be in the audit trail; and a {@code RolloutAborted} sent so
 * would abort a rollout past {@code POST /api/rollouts/{id}/abort}, which records who asked.
 */
@Priority(Priorities.AUTHORIZATION)
public class EngineEventGuard implements ContainerRequestFilter {

    /**
     * The resources that deliver events, as the API routes their paths (without matrix parameters): one at a time,
     * or to many instances through a batch ({@code message-async}; and {@code variables-async}, variables set on many
     * instances at once, which the engine logs without an instance either).
     */
    static final Pattern EVENTS = Pattern.compile("(^|/)(message|signal|condition)$"
            + "|(^|/)execution/[^/]+/(messageSubscriptions/[^/]+/trigger|signal)$"
            + "|(^|/)process-instance/(message-async|variables-async)$");

    @Override
    public void filter(ContainerRequestContext request) {
        if (!"POST".equals(request.getMethod()) || !EVENTS.matcher(TaskDecisionErrors.routedPath(request.getUriInfo()))
                .find()) {
            return;
        }
        request.abortWith(Response.status(403).type(MediaType.APPLICATION_JSON_TYPE).entity(Map.of("type",
                "EventRefused", "message", "the service's processes move on the service's own events: no message,"
                        + " signal or condition is sent to them through this API (abort a rollout with POST"
                        + " /api/rollouts/{id}/abort, which the audit trail records)")).build());
    }
}
