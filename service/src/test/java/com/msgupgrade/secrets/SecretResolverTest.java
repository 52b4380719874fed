package com.msgupgrade.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

/** A secret is the value given, whatever characters it holds. */
class SecretResolverTest {

    /**
     * A password with {@code ${…}} in it is not a placeholder: resolved, one that names nothing failed with an
     * exception quoting the whole password (into a log line, an incident, the audit trail), and one that names
     * something ({@code ${HOME}}) silently became another password.
     */
    @Test
    void aSecretWithWhatLooksLikeAPlaceholderIsTakenAsGiven() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("MSGSRV_SECRET_DS_ADMIN", "pa${nothing}ss")
                .withProperty("MSGSRV_SECRET_PROXY", "x${HOME}y")
                .withProperty("HOME", "/root");
        SecretResolver secrets = new SecretResolver(environment, "");
        assertThat(secrets.problems(List.of("ds-admin", "proxy"))).isEmpty();
        assertThat(secrets.resolve("ds-admin")).isEqualTo("pa${nothing}ss");
        assertThat(secrets.resolve("proxy")).isEqualTo("x${HOME}y");
        assertThat(secrets.find("missing")).isEmpty();
    }
}
