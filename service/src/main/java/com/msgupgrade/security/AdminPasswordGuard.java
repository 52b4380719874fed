package com.msgupgrade.security;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** Outside the demo, the service does not start with no admin password or one equal to the user id. */
@Component
class AdminPasswordGuard implements InitializingBean {

    private final boolean demo;
    private final String adminId;
    private final String adminPassword;

    private final boolean ldap;

    AdminPasswordGuard(@Value("${msgsrv.demo:false}") boolean demo,
            @Value("${msgsrv.identity.ldap.enabled:false}") boolean ldap,
            @Value("${camunda.bpm.admin-user.id:}") String adminId,
            @Value("${camunda.bpm.admin-user.password:}") String adminPassword) {
        this.demo = demo;
        this.ldap = ldap;
        this.adminId = adminId;
        this.adminPassword = adminPassword;
    }

    @Override
    public void afterPropertiesSet() {
        if (demo || ldap) {
            return; // LDAP: the administrator and the passwords are the directory's
        }
        if (adminPassword == null || adminPassword.isBlank()) {
            throw new IllegalStateException("no admin password: set MSGSRV_ADMIN_PASSWORD"
                    + " (camunda.bpm.admin-user.password), or run the demo profile");
        }
        if (adminPassword.equals(adminId)) {
            // not the id itself: here it is the password, and the message is logged
            throw new IllegalStateException("the admin password equals the admin user id"
                    + " (camunda.bpm.admin-user.id): choose another (MSGSRV_ADMIN_PASSWORD)");
        }
    }
}
