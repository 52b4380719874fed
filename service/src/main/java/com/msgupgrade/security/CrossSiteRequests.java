package com.msgupgrade.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a request that changes something (any method but GET, HEAD, OPTIONS) sent by a page of another site: a
 * browser that has logged in to the service (the progress page, HTTP Basic) sends its credentials with any request
 * to it, a form's POST from another site's page included, which could then pause or abort a rollout in the
 * operator's name. The browser tells where a request comes from ({@code Sec-Fetch-Site}, else {@code Origin}); a
 * client that is not a browser (curl, a script) sends neither, and is not concerned. An origin of a proxy in front
 * of the service that rewrites the host can be allowed by name ({@code msgsrv.security.allowed-origins}).
 */
final class CrossSiteRequests extends OncePerRequestFilter {

    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    private final List<String> allowedOrigins;

    CrossSiteRequests(List<String> allowedOrigins) {
        this.allowedOrigins = allowedOrigins.stream().map(o -> o.toLowerCase(Locale.ROOT)).toList();
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String refusal = READS.contains(request.getMethod()) ? null : refusal(request);
        if (refusal == null) {
            chain.doFilter(request, response);
            return;
        }
        response.setStatus(HttpServletResponse.SC_FORBIDDEN);
        response.setContentType("application/problem+json");
        response.setCharacterEncoding("UTF-8");
        // written by the JSON library: a header's control characters (a tab in an Origin) escaped as JSON wants
        response.getWriter().write(JSON.writeValueAsString(java.util.Map.of("title", "Cross-site request", "status",
                403, "detail", refusal)));
    }

    /** Why the request is refused; null when it is not sent from another site's page. */
    String refusal(HttpServletRequest request) {
        String origin = request.getHeader("Origin");
        if (origin != null && allowedOrigins.contains(origin.toLowerCase(Locale.ROOT))) {
            return null;
        }
        String site = request.getHeader("Sec-Fetch-Site");
        if (site != null) {
            // same-site is a sibling host of the same domain: another origin still
            return Set.of("same-origin", "none").contains(site) ? null
                    : "a request from a page of another site (Sec-Fetch-Site: " + com.msgupgrade.web.Shown.quoted(site)
                            + ") may not change anything"
                            + " here";
        }
        if (origin == null) {
            return null; // not a browser's page: curl, a script
        }
        String host = request.getHeader("Host");
        String originHost = origin.replaceFirst("^[a-zA-Z][a-zA-Z0-9+.-]*://", "");
        return host != null && originHost.equalsIgnoreCase(host) ? null
                : "a request from a page of another origin (" + com.msgupgrade.web.Shown.quoted(origin)
                        + ") may not change anything here; a proxy's"
                        + " own origin can be allowed with msgsrv.security.allowed-origins";
    }
}
