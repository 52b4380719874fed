package com.msgupgrade.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.msgupgrade.support.FreshPostgres;
import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Users and groups from an LDAP directory (an in-memory one here) through Camunda's LDAP identity plugin. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "msgsrv.identity.ldap.enabled=true",
        "msgsrv.identity.ldap.administrator-user=ldapadmin",
        "msgsrv.identity.ldap.manager-dn=cn=manager,dc=example,dc=com",
        "msgsrv.identity.ldap.manager-password=manager-secret",
        "msgsrv.identity.ldap.base-dn=dc=example,dc=com",
        "msgsrv.identity.ldap.user-search-base=ou=people",
        "msgsrv.identity.ldap.user-search-filter=(objectclass=person)",
        "msgsrv.identity.ldap.user-id-attribute=uid",
        "msgsrv.identity.ldap.user-firstname-attribute=cn",
        "msgsrv.identity.ldap.user-lastname-attribute=sn",
        "msgsrv.identity.ldap.user-password-attribute=userpassword",
        "msgsrv.identity.ldap.group-search-base=ou=groups",
        "msgsrv.identity.ldap.group-search-filter=(objectclass=groupOfNames)",
        "msgsrv.identity.ldap.group-id-attribute=cn",
        "msgsrv.identity.ldap.group-name-attribute=cn",
        "msgsrv.identity.ldap.group-member-attribute=member",
        "msgsrv.identity.ldap.authorization-check-enabled=false",
        "camunda.bpm.admin-user.id=false"})
@ContextConfiguration(initializers = FreshPostgres.class)
class LdapIdentityTest {

    static final InMemoryDirectoryServer directory = startDirectory();

    static InMemoryDirectoryServer startDirectory() {
        try {
            InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig("dc=example,dc=com");
            config.addAdditionalBindCredentials("cn=manager,dc=example,dc=com", "manager-secret");
            config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", 0));
            config.setSchema(null);
            InMemoryDirectoryServer server = new InMemoryDirectoryServer(config);
            server.add("dn: dc=example,dc=com", "objectClass: domain", "dc: example");
            server.add("dn: ou=people,dc=example,dc=com", "objectClass: organizationalUnit", "ou: people");
            server.add("dn: ou=groups,dc=example,dc=com", "objectClass: organizationalUnit", "ou: groups");
            person(server, "ldapop", "Lena Operator");
            person(server, "ldapcm", "Carl Manager");
            person(server, "ldapadmin", "Ada Admin");
            server.add("dn: cn=operators,ou=groups,dc=example,dc=com", "objectClass: groupOfNames", "cn: operators",
                    "member: uid=ldapop,ou=people,dc=example,dc=com");
            server.add("dn: cn=change-managers,ou=groups,dc=example,dc=com", "objectClass: groupOfNames",
                    "cn: change-managers", "member: uid=ldapcm,ou=people,dc=example,dc=com");
            server.startListening();
            return server;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void person(InMemoryDirectoryServer server, String uid, String name) throws Exception {
        server.add("dn: uid=" + uid + ",ou=people,dc=example,dc=com", "objectClass: person",
                "objectClass: inetOrgPerson", "uid: " + uid, "cn: " + name, "sn: " + name.split(" ")[1],
                "userPassword: " + uid + "-pw");
    }

    @DynamicPropertySource
    static void ldapUrl(DynamicPropertyRegistry registry) {
        registry.add("msgsrv.identity.ldap.server-url", () -> "ldap://127.0.0.1:" + directory.getListenPort());
    }

    @AfterAll
    static void stop() {
        directory.shutDown(true);
    }

    @Autowired
    TestRestTemplate rest;
    @Autowired
    org.camunda.bpm.engine.IdentityService identities;

    @Test
    void authenticatesLdapUsersWithTheirLdapGroupsAsRoles() {
        assertThat(rest.withBasicAuth("ldapop", "ldapop-pw").getForEntity("/api/deployments", String.class)
                .getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(rest.withBasicAuth("ldapop", "ldapop-pw").getForEntity("/engine-rest/task", String.class)
                .getStatusCode()).isEqualTo(HttpStatus.OK);
        var headers = new org.springframework.http.HttpHeaders();
        headers.setBasicAuth("ldapcm", "ldapcm-pw");
        headers.setContentType(org.springframework.http.MediaType.APPLICATION_JSON);
        assertThat(rest.exchange("/api/deployments/x", org.springframework.http.HttpMethod.PUT,
                new org.springframework.http.HttpEntity<>("{}", headers), String.class).getStatusCode())
                .isEqualTo(HttpStatus.FORBIDDEN);
        // the directory finds a uid whatever the case of the name typed: the rules of decisions take "LDAPCM" for
        // ldapcm (Decisions.samePerson, ApprovalRulesTest)
        assertThat(rest.withBasicAuth("LDAPCM", "ldapcm-pw").getForEntity("/api/deployments", String.class)
                .getStatusCode()).isEqualTo(HttpStatus.OK);
        // and the trail names the person as the directory keeps the name, however it was typed
        assertThat(Groups.asKept(identities, "LDAPCM")).isEqualTo("ldapcm");
        assertThat(Groups.asKept(identities, "nobody-known")).isEqualTo("nobody-known");
        assertThat(rest.withBasicAuth("ldapcm", "wrong").getForEntity("/api/deployments", String.class)
                .getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(rest.withBasicAuth("operator", "demo").getForEntity("/api/deployments", String.class)
                .getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
    }
}
