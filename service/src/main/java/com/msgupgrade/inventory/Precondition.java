package com.msgupgrade.inventory;

import com.msgupgrade.inventory.DeploymentRepository.Version;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import com.msgupgrade.web.PreconditionFailedException;
import org.springframework.http.ETag;

/**
 * What a change asks of the deployment stored before it (RFC 9110's conditional requests): {@code If-Match} with the
 * entity tags GET gave (that version still stored), {@code If-Match: *} (some version stored) or
 * {@code If-None-Match: *} (none yet: only a new deployment is stored). Without either, a change is stored whatever
 * the stored version.
 */
public final class Precondition {

    static final Precondition NONE = new Precondition(false, false, Set.of());

    private final boolean mustExist;
    private final boolean mustBeAbsent;
    private final Set<Long> versions;

    private Precondition(boolean mustExist, boolean mustBeAbsent, Set<Long> versions) {
        this.mustExist = mustExist;
        this.mustBeAbsent = mustBeAbsent;
        this.versions = versions;
    }

    /** The entity tag of a deployment's version, as GET and PUT give it. */
    static String etag(long version) {
        return "\"" + version + "\"";
    }

    /**
     * From a request's {@code If-Match} and {@code If-None-Match} headers (either may be null).
     *
     * @throws com.msgupgrade.web.InvalidRequestException when a header is not what GET's entity tag or {@code *} is
     */
    static Precondition of(String ifMatch, String ifNoneMatch) {
        List<String> problems = new java.util.ArrayList<>();
        Precondition precondition = NONE;
        if (ifNoneMatch != null) {
            if (!ifNoneMatch.trim().equals("*")) {
                problems.add("If-None-Match '" + ifNoneMatch + "': only * is taken on a PUT (store only if no"
                        + " deployment has this name yet)");
            }
            precondition = new Precondition(false, true, Set.of());
        }
        if (ifMatch != null) {
            if (ifNoneMatch != null) {
                problems.add("If-Match and If-None-Match together: send one of them");
            }
            List<ETag> tags = ETag.parse(ifMatch);
            Set<Long> versions = new TreeSet<>();
            boolean any = false;
            for (ETag tag : tags) {
                if (tag.isWildcard()) {
                    any = true;
                } else if (tag.weak() || !tag.tag().matches("[0-9]{1,18}")) {
                    problems.add("If-Match " + tag.formattedTag() + " is not an entity tag this service gives: send"
                            + " the ETag of GET /api/deployments/{name} as it came (\"3\", with its quotes), or *");
                } else {
                    versions.add(Long.parseLong(tag.tag()));
                }
            }
            if (tags.isEmpty()) {
                problems.add("If-Match '" + ifMatch + "' holds no entity tag: send the ETag of GET"
                        + " /api/deployments/{name} as it came (\"3\", with its quotes), or *");
            }
            precondition = new Precondition(true, false, any ? Set.of() : Set.copyOf(versions));
        }
        if (!problems.isEmpty()) {
            throw new com.msgupgrade.web.InvalidRequestException("the request's conditions are not valid", problems);
        }
        return precondition;
    }

    /** @throws PreconditionFailedException when the stored deployment ({@code current}) is not the one asked for */
    void check(String name, Optional<Version> current) {
        if (current.isEmpty() && mustExist) {
            throw new PreconditionFailedException("no deployment named " + name + " is stored (If-Match asked for"
                    + " one): nothing was stored", null);
        }
        if (current.isPresent() && mustBeAbsent) {
            throw new PreconditionFailedException("the deployment " + name + " is stored already (If-None-Match: *"
                    + " asked for none): nothing was stored; " + changedBy(current.get()), etag(current.get().number()));
        }
        if (current.isPresent() && !versions.isEmpty() && !versions.contains(current.get().number())) {
            throw new PreconditionFailedException("the deployment " + name + " changed since the version sent in"
                    + " If-Match (" + versions.stream().map(Precondition::etag).reduce((a, b) -> a + ", " + b)
                    .orElse("") + "): nothing was stored; " + changedBy(current.get()) + ": read it again (GET),"
                    + " and send the change with its ETag", etag(current.get().number()));
        }
    }

    private static String changedBy(Version version) {
        return "it is at version " + etag(version.number()) + ", changed by " + version.updatedBy() + " at "
                + version.updatedAt();
    }
}
