package com.msgupgrade.rollout;

import java.net.URI;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/rollouts")
class RolloutController {

    private final RolloutService rollouts;
    private final RolloutControl control;
    private final RolloutRepository repository;

    RolloutController(RolloutService rollouts, RolloutControl control, RolloutRepository repository) {
        this.rollouts = rollouts;
        this.control = control;
        this.repository = repository;
    }

    record StartRequest(String deployment, String target, String downtimePolicy,
            List<com.msgupgrade.approval.ChangePolicy.Period> windows,
            List<com.msgupgrade.approval.ChangePolicy.Period> blackouts, String failurePolicy, Integer maxFailedHosts) {}

    @PostMapping
    @PreAuthorize("hasRole('operators')")
    ResponseEntity<Map<String, String>> start(@RequestBody StartRequest request, Principal user) {
        String target = request.target() == null ? "6.3" : request.target();
        Rollout rollout = rollouts.start(request.deployment(), target, user.getName(),
                new com.msgupgrade.approval.ChangePolicy(request.downtimePolicy(), request.windows(), request.blackouts()),
                request.failurePolicy() == null ? "stop" : request.failurePolicy(),
                request.maxFailedHosts() == null ? 0 : request.maxFailedHosts());
        return ResponseEntity.created(URI.create("/api/rollouts/" + rollout.id())).body(Map.of("id", rollout.id()));
    }

    /**
     * {@code configDirectoryAvailable}: the operator states that the configuration Directory Server is there (never
     * removed, or restored), where its decommissioning was confirmed. {@code mshttpdEnabled}: that mshttpd serves
     * again on the Message Stores of a webmail front end to roll back, where a rollout had disabled it.
     * {@code groupServing}: that the other members of a load-balanced group to roll back serve, where the rollout
     * may have left one stopped (aborted, failed, a rollback rejected). {@code hosts} left out: every host the rollout
     * changed.
     */
    record RollbackRequest(List<String> hosts, Boolean configDirectoryAvailable, Boolean mshttpdEnabled,
            Boolean groupServing) {}

    /** Rolls back Solaris hosts of a rollout; 422 for Linux hosts (the guide: cannot be rolled back). */
    @PostMapping("/{id}/rollback")
    @PreAuthorize("hasRole('operators')")
    ResponseEntity<Map<String, Object>> rollBack(@PathVariable String id,
            @RequestBody(required = false) RollbackRequest request, Principal user) {
        List<String> hosts = rollouts.rollBack(id, request == null ? null : request.hosts(),
                request != null && Boolean.TRUE.equals(request.configDirectoryAvailable()),
                request != null && Boolean.TRUE.equals(request.mshttpdEnabled()),
                request != null && Boolean.TRUE.equals(request.groupServing()), user.getName());
        return ResponseEntity.accepted().body(Map.of("id", id, "hosts", hosts));
    }

    /** Why an operator pauses, resumes or aborts a rollout (optional; in its audit trail). */
    record ControlRequest(String reason) {

        static final int MOST = 2000;

        static String of(ControlRequest request) {
            String reason = request == null || request.reason() == null || request.reason().isBlank() ? null
                    : request.reason().strip();
            if (reason != null && reason.length() > MOST) {
                throw new com.msgupgrade.web.InvalidRequestException("cannot change the rollout", List.of("reason: at"
                        + " most " + MOST + " characters (" + reason.length() + " sent)"));
            }
            return reason;
        }
    }

    /** No new host starts; running steps finish. */
    @PostMapping("/{id}/pause")
    @PreAuthorize("hasRole('operators')")
    ResponseEntity<Void> pause(@PathVariable String id, @RequestBody(required = false) ControlRequest request,
            Principal user) {
        control.pause(id, user.getName(), ControlRequest.of(request));
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/{id}/resume")
    @PreAuthorize("hasRole('operators')")
    ResponseEntity<Void> resume(@PathVariable String id, @RequestBody(required = false) ControlRequest request,
            Principal user) {
        control.resume(id, user.getName(), ControlRequest.of(request));
        return ResponseEntity.noContent().build();
    }

    /** Nothing new starts; hosts already running finish; the rollout ends ABORTED. */
    @PostMapping("/{id}/abort")
    @PreAuthorize("hasRole('operators')")
    ResponseEntity<Void> abort(@PathVariable String id, @RequestBody(required = false) ControlRequest request,
            Principal user) {
        control.abort(id, user.getName(), ControlRequest.of(request));
        return ResponseEntity.noContent().build();
    }

    /**
     * The rollout's progress; a waiting host's {@code failure} (the command and what it answered, secrets masked) only
     * to those who decide on it or read what ran: operators and auditors, as its decision task and the audit trail.
     */
    @GetMapping("/{id}")
    RolloutService.RolloutView get(@PathVariable String id,
            org.springframework.security.core.Authentication user) {
        RolloutService.RolloutView view = rollouts.view(id);
        return com.msgupgrade.security.Groups.member(user, com.msgupgrade.security.Groups.OPERATORS)
                || com.msgupgrade.security.Groups.member(user, com.msgupgrade.security.Groups.AUDITORS) ? view
                : view.withoutFailures();
    }

    /**
     * The rollouts, newest first ({@code deployment}, {@code state}: only those; {@code limit}: at most so many, 100
     * unless said, up to 1,000).
     */
    @GetMapping
    List<RolloutRepository.Summary> list(@RequestParam(required = false) String deployment,
            @RequestParam(required = false) String state, @RequestParam(required = false) String limit) {
        List<String> problems = new java.util.ArrayList<>();
        if (state != null && !Rollout.STATES.contains(state)) {
            problems.add("state '" + state + "' is not one of " + Rollout.STATES);
        }
        int most = 100;
        if (limit != null) {
            try {
                most = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                most = 0;
            }
            if (most < 1 || most > 1000) {
                problems.add("limit '" + limit + "' must be a whole number from 1 to 1000");
            }
        }
        if (!problems.isEmpty()) {
            throw new com.msgupgrade.web.InvalidRequestException("cannot list rollouts", problems);
        }
        return repository.list(deployment, state, most);
    }
}
