package com.msgupgrade.security;

import static org.camunda.bpm.engine.authorization.Authorization.AUTH_TYPE_GRANT;

import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Permission;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.Resource;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Makes sure the three groups exist with the authorizations their roles need (idempotent, on every
 * start), and in the demo creates the demo users. Candidate groups of user tasks get their task
 * permissions from the engine itself.
 */
@Component
class IdentitySetup {

    static final Map<String, String> DEMO_USERS = Map.of(
            "operator", Groups.OPERATORS,
            "approver1", Groups.CHANGE_MANAGERS,
            "approver2", Groups.CHANGE_MANAGERS,
            "auditor", Groups.AUDITORS);
    static final String DEMO_PASSWORD = "demo";

    private final IdentityService identities;
    private final AuthorizationService authorizations;
    private final boolean demo;
    private final String escalationGroup;

    IdentitySetup(IdentityService identities, AuthorizationService authorizations,
            @Value("${msgsrv.demo:false}") boolean demo,
            @Value("${msgsrv.approvals.escalation-group:change-managers}") String escalationGroup) {
        this.identities = identities;
        this.authorizations = authorizations;
        this.demo = demo;
        this.escalationGroup = escalationGroup;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void onEngineReady() {
        group(Groups.OPERATORS, "Operators");
        group(Groups.CHANGE_MANAGERS, "Change managers");
        group(Groups.AUDITORS, "Auditors");

        grant(Groups.OPERATORS, Resources.APPLICATION, "tasklist", Permissions.ACCESS);
        grant(Groups.OPERATORS, Resources.APPLICATION, "cockpit", Permissions.ACCESS);
        grant(Groups.OPERATORS, Resources.PROCESS_DEFINITION, "*", Permissions.READ, Permissions.READ_INSTANCE,
                Permissions.READ_HISTORY);
        grant(Groups.OPERATORS, Resources.PROCESS_INSTANCE, "*", Permissions.READ);
        grant(Groups.OPERATORS, Resources.DECISION_DEFINITION, "*", Permissions.READ);
        grant(Groups.OPERATORS, Resources.FILTER, "*", Permissions.READ);

        grant(Groups.CHANGE_MANAGERS, Resources.APPLICATION, "tasklist", Permissions.ACCESS);
        grant(Groups.CHANGE_MANAGERS, Resources.PROCESS_DEFINITION, "*", Permissions.READ);
        grant(Groups.CHANGE_MANAGERS, Resources.FILTER, "*", Permissions.READ);

        if (!Groups.CHANGE_MANAGERS.equals(escalationGroup)) {
            // offered the gates past their escalation deadline, which it decides as change managers do
            group(escalationGroup, "Escalation of gates past their deadline");
            grant(escalationGroup, Resources.APPLICATION, "tasklist", Permissions.ACCESS);
            grant(escalationGroup, Resources.PROCESS_DEFINITION, "*", Permissions.READ);
            grant(escalationGroup, Resources.FILTER, "*", Permissions.READ);
        }

        grant(Groups.AUDITORS, Resources.APPLICATION, "cockpit", Permissions.ACCESS);
        grant(Groups.AUDITORS, Resources.PROCESS_DEFINITION, "*", Permissions.READ, Permissions.READ_INSTANCE,
                Permissions.READ_HISTORY);
        grant(Groups.AUDITORS, Resources.PROCESS_INSTANCE, "*", Permissions.READ);
        grant(Groups.AUDITORS, Resources.DECISION_DEFINITION, "*", Permissions.READ, Permissions.READ_HISTORY);
        grant(Groups.AUDITORS, Resources.DEPLOYMENT, "*", Permissions.READ);

        if (demo && !identities.isReadOnly()) {
            DEMO_USERS.forEach(this::demoUser);
        }
    }

    private void group(String id, String name) {
        if (identities.isReadOnly()) {
            return; // LDAP: the groups live in the directory
        }
        if (identities.createGroupQuery().groupId(id).count() == 0) {
            Group group = identities.newGroup(id);
            group.setName(name);
            group.setType("WORKFLOW");
            identities.saveGroup(group);
        }
    }

    private void demoUser(String id, String group) {
        if (identities.createUserQuery().userId(id).count() == 0) {
            User user = identities.newUser(id);
            user.setFirstName(id);
            user.setLastName("(demo)");
            user.setPassword(DEMO_PASSWORD);
            user.setEmail(id + "@demo.invalid");
            identities.saveUser(user);
            identities.createMembership(id, group);
        }
    }

    private void grant(String group, Resource resource, String resourceId, Permission... permissions) {
        List<Authorization> existing = authorizations.createAuthorizationQuery().groupIdIn(group)
                .resourceType(resource).resourceId(resourceId).list();
        if (!existing.isEmpty()) {
            return;
        }
        Authorization auth = authorizations.createNewAuthorization(AUTH_TYPE_GRANT);
        auth.setGroupId(group);
        auth.setResource(resource);
        auth.setResourceId(resourceId);
        for (Permission p : permissions) {
            auth.addPermission(p);
        }
        authorizations.saveAuthorization(auth);
    }
}
