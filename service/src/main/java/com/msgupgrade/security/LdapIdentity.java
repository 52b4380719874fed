package com.msgupgrade.security;

import org.camunda.bpm.engine.impl.plugin.AdministratorAuthorizationPlugin;
import org.camunda.bpm.identity.impl.ldap.plugin.LdapIdentityProviderPlugin;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Users and groups from LDAP instead of Camunda's own identity tables, when
 * {@code msgsrv.identity.ldap.enabled=true}: Camunda's LDAP identity provider plugin, every property of it
 * under {@code msgsrv.identity.ldap.*} (server-url, manager-dn, manager-password, base-dn, user-search-base,
 * user-search-filter, user-id-attribute, group-search-base, group-search-filter, group-id-attribute,
 * group-member-attribute, ...). The groups operators, change-managers and auditors must exist in LDAP;
 * {@code msgsrv.identity.ldap.administrator-user} names the Camunda administrator.
 */
@Configuration
@ConditionalOnProperty(name = "msgsrv.identity.ldap.enabled", havingValue = "true")
class LdapIdentity {

    @Bean
    @ConfigurationProperties("msgsrv.identity.ldap")
    LdapIdentityProviderPlugin ldapIdentityProvider() {
        return new LdapIdentityProviderPlugin();
    }

    @Bean
    AdministratorAuthorizationPlugin ldapAdministrator(
            org.springframework.core.env.Environment environment) {
        AdministratorAuthorizationPlugin plugin = new AdministratorAuthorizationPlugin();
        plugin.setAdministratorUserName(environment.getRequiredProperty("msgsrv.identity.ldap.administrator-user"));
        return plugin;
    }
}
