package com.msgupgrade.inventory;

import com.msgupgrade.web.InvalidRequestException;
import com.msgupgrade.web.NotFoundException;
import java.security.Principal;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/deployments")
class DeploymentController {

    private final DeploymentRepository deployments;
    private final DeploymentValidator validator;

    DeploymentController(DeploymentRepository deployments, DeploymentValidator validator) {
        this.deployments = deployments;
        this.validator = validator;
    }

    /**
     * Stores the deployment whole. With {@code If-Match} (the ETag of a GET), only if it was not changed since (by an
     * operator or by a rollout registering its hosts' releases): 412 otherwise; with {@code If-None-Match: *}, only
     * if none has this name yet.
     */
    @PutMapping("/{name}")
    @PreAuthorize("hasRole('operators')")
    ResponseEntity<Deployment> put(@PathVariable String name, @RequestBody Deployment deployment, Principal user,
            @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
        Precondition precondition = Precondition.of(ifMatch, ifNoneMatch);
        List<String> problems = validator.problems(name, deployment);
        if (!problems.isEmpty()) {
            throw new InvalidRequestException("deployment " + name + " is not valid", problems);
        }
        Deployment stored = deployment.withName(name);
        // refuses a name another deployment has in another case, and a version other than the one asked for
        long version = deployments.save(stored, user.getName(), precondition);
        return ResponseEntity.ok().eTag(Precondition.etag(version)).body(stored);
    }

    /**
     * The deployment, its version as the ETag (Spring MVC answers 304 to an {@code If-None-Match} naming that
     * version).
     */
    @GetMapping("/{name}")
    ResponseEntity<Deployment> get(@PathVariable String name) {
        DeploymentRepository.Stored stored = deployments.findStored(name)
                .orElseThrow(() -> new NotFoundException("no deployment named " + name));
        return ResponseEntity.ok().eTag(Precondition.etag(stored.version().number())).body(stored.deployment());
    }

    /** Every version of the deployment, the latest first: who stored it, when, and the SHA-256 of what was stored. */
    @GetMapping("/{name}/versions")
    List<DeploymentRepository.Kept> versions(@PathVariable String name) {
        List<DeploymentRepository.Kept> versions = deployments.versions(name);
        if (versions.isEmpty()) {
            throw new NotFoundException("no deployment named " + name);
        }
        return versions;
    }

    /** One version of the deployment, as it was stored. */
    @GetMapping("/{name}/versions/{version}")
    ResponseEntity<Deployment> version(@PathVariable String name, @PathVariable String version) {
        long number;
        try {
            number = Long.parseLong(version);
        } catch (NumberFormatException e) {
            throw new NotFoundException("no version " + version + " of deployment " + name + " (versions are numbers)");
        }
        return deployments.version(name, number).map(d -> ResponseEntity.ok().eTag(Precondition.etag(number)).body(d))
                .orElseThrow(() -> new NotFoundException("no version " + version + " of deployment " + name));
    }

    @GetMapping
    List<String> list() {
        return deployments.names();
    }
}
