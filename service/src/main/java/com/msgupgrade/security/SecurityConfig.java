package com.msgupgrade.security;

import org.springframework.boot.actuate.autoconfigure.security.servlet.EndpointRequest;
import org.springframework.boot.actuate.health.HealthEndpoint;
import jakarta.servlet.DispatcherType;
import java.util.List;
import java.util.stream.Stream;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.rest.security.auth.ProcessEngineAuthenticationFilter;
import org.camunda.bpm.engine.rest.security.auth.impl.HttpBasicAuthenticationProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import static org.springframework.security.web.util.matcher.AntPathRequestMatcher.antMatcher;

/**
 * Who may call what. {@code /engine-rest/*} is guarded by Camunda's own authentication filter with
 * HTTP Basic (off by default in Camunda, which would leave the engine API open); {@code /api/*} by
 * Spring Security against the same Camunda identities, with the Camunda groups as roles. The
 * webapps (Cockpit, Tasklist, Admin) authenticate their users themselves.
 */
@Configuration
@EnableMethodSecurity
class SecurityConfig {

    @Bean
    FilterRegistrationBean<ProcessEngineAuthenticationFilter> engineRestAuthentication() {
        FilterRegistrationBean<ProcessEngineAuthenticationFilter> registration =
                new FilterRegistrationBean<>(new ProcessEngineAuthenticationFilter());
        registration.setName("camunda-auth");
        registration.addInitParameter("authentication-provider", HttpBasicAuthenticationProvider.class.getName());
        registration.addUrlPatterns("/engine-rest/*");
        registration.setDispatcherTypes(DispatcherType.REQUEST);
        registration.setOrder(1);
        return registration;
    }

    /**
     * /api, /actuator and /engine-rest: HTTP Basic, for members of the service's groups. Camunda's filter lets {@code /engine-rest/engine}
     * through without credentials; here nothing but health does.
     */
    @Bean
    SecurityFilterChain api(HttpSecurity http,
            @Value("${msgsrv.approvals.escalation-group}") String escalationGroup,
            @Value("${msgsrv.security.allowed-origins:}") List<String> allowedOrigins) throws Exception {
        // a user of the identity service in none of the service's groups reads nothing either (deployments,
        // plans, rollouts, metrics): with LDAP, that is everyone in the directory
        String[] roles = Stream.of(Groups.OPERATORS, Groups.CHANGE_MANAGERS, Groups.AUDITORS, escalationGroup,
                Groups.CAMUNDA_ADMIN).distinct().toArray(String[]::new);
        return http
                // the actuator's endpoints wherever management.endpoints.web.base-path puts them
                .securityMatcher(new OrRequestMatcher(antMatcher("/api/**"), EndpointRequest.toAnyEndpoint(),
                        antMatcher("/actuator/**"), antMatcher("/rollouts/**"), antMatcher("/engine-rest/**")))
                .authorizeHttpRequests(auth -> auth
                        .requestMatchers(EndpointRequest.to(HealthEndpoint.class)).permitAll()
                        .anyRequest().hasAnyRole(roles))
                .httpBasic(basic -> basic.realmName("msgsrv-upgrade"))
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                // no CSRF token for clients of an API; a browser's page of another site is refused by its origin
                .csrf(csrf -> csrf.disable())
                .addFilterBefore(new CrossSiteRequests(allowedOrigins.stream().filter(o -> !o.isBlank()).toList()),
                        org.springframework.security.web.authentication.www.BasicAuthenticationFilter.class)
                .build();
    }

    @Bean
    SecurityFilterChain everythingElse(HttpSecurity http) throws Exception {
        // engine-rest: Camunda's filter above; webapps: Camunda's own login and CSRF protection
        return http
                .authorizeHttpRequests(auth -> auth.anyRequest().permitAll())
                .csrf(csrf -> csrf.disable())
                .headers(headers -> headers.frameOptions(f -> f.sameOrigin()))
                .build();
    }

    /** Checks /api credentials against Camunda's identity service; the user's groups become roles. */
    @Bean
    AuthenticationProvider camundaIdentities(IdentityService identities) {
        return new AuthenticationProvider() {
            @Override
            public Authentication authenticate(Authentication authentication) {
                String user = authentication.getName();
                String password = String.valueOf(authentication.getCredentials());
                if (user == null || user.isBlank() || !user.equals(user.strip())
                        || !identities.checkPassword(user, password)) {
                    // a name with spaces around it: a directory may take it for the user's own (the audit trail would
                    // then name the user otherwise), so it is refused as the directory's unknown names are
                    throw new BadCredentialsException("bad credentials");
                }
                if (Groups.reserved(user)) {
                    // the names the service records its own acts under: a person's acts under them would pass for its
                    throw new BadCredentialsException("the user name " + user + " is reserved for the service");
                }
                String kept = Groups.asKept(identities, user); // what the trail records, for one person one name
                List<SimpleGrantedAuthority> roles = identities.createGroupQuery().groupMember(kept).list().stream()
                        .map(Group::getId)
                        .map(group -> new SimpleGrantedAuthority("ROLE_" + group))
                        .toList();
                return new UsernamePasswordAuthenticationToken(kept, null, roles);
            }

            @Override
            public boolean supports(Class<?> type) {
                return UsernamePasswordAuthenticationToken.class.isAssignableFrom(type);
            }
        };
    }
}
