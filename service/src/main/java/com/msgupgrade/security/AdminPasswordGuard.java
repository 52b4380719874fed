package com.msgupgrade.security;

import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.digest.PasswordManager;
import org.camunda.bpm.engine.impl.persistence.entity.UserEntity;
import org.camunda.bpm.engine.impl.util.EncryptionUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Outside the demo, the service does not start with no admin password or one equal to the user id, checked before
 * the engine is built (an engine plugin's first step): the engine creates the admin user on its first start, and
 * never changes its password after, so a start refused only later would have left the weak one stored. Once built, it
 * does not start either while its database lets a user in with the demo's password or with their own name as password
 * (a database the demo used, or one where the admin was created so): the configured password does not replace a
 * stored one.
 */
@Component
class AdminPasswordGuard extends AbstractProcessEnginePlugin {

    private static final Logger log = LoggerFactory.getLogger(AdminPasswordGuard.class);

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
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        check();
    }

    void check() {
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

    @Override
    public void postProcessEngineBuild(ProcessEngine engine) {
        if (demo || ldap) {
            return;
        }
        List<String> weak = weakPasswords(engine, adminId);
        if (!weak.isEmpty()) {
            throw new IllegalStateException("users of this database log in with the demo's password or their own name"
                    + " as password: " + String.join(", ", weak) + " (a database the demo used, or one where they were"
                    + " created so): give the service a database of its own (spring.datasource.url), or change those"
                    + " passwords in Camunda Admin first");
        }
        if (engine.getIdentityService().createUserQuery().userId(adminId).count() == 1
                && !accepts(engine, adminId, adminPassword)) {
            log.warn("the admin user {} exists with a password other than the configured one"
                    + " (camunda.bpm.admin-user.password): the stored one stands; change it in Camunda Admin", adminId);
        }
    }

    /** The users that log in with the demo's password, or (the administrator) with their own name as password. */
    static List<String> weakPasswords(ProcessEngine engine, String adminId) {
        List<String> weak = new ArrayList<>();
        for (String user : IdentitySetup.DEMO_USERS.keySet().stream().sorted().toList()) {
            if (accepts(engine, user, IdentitySetup.DEMO_PASSWORD)) {
                weak.add(user);
            }
        }
        if (adminId != null && !adminId.isBlank() && (accepts(engine, adminId, adminId)
                || accepts(engine, adminId, IdentitySetup.DEMO_PASSWORD))) {
            weak.add(adminId);
        }
        return weak;
    }

    /**
     * Whether the stored password of the user is {@code candidate}, compared with its hash as the engine does, but
     * without {@link IdentityService#checkPassword}: that one counts a wrong guess as a failed login, locks the user
     * for a while after it (a lock during which every check is false), and for good after ten.
     */
    static boolean accepts(ProcessEngine engine, String userId, String candidate) {
        if (candidate == null || candidate.isEmpty()) {
            return false; // the engine lets nobody in with an empty password
        }
        User user = engine.getIdentityService().createUserQuery().userId(userId).singleResult();
        if (!(user instanceof UserEntity stored) || stored.getPassword() == null) {
            return false;
        }
        PasswordManager passwords = ((ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration())
                .getPasswordManager();
        return passwords.check(EncryptionUtil.saltPassword(candidate, stored.getSalt()), stored.getPassword());
    }
}
