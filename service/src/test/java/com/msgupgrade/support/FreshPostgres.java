package com.msgupgrade.support;

import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The service's database in a test, as in production: a fresh PostgreSQL database for each application context
 * (on the test JVM's one embedded server, {@link Postgres}), so that the engine's and the service's SQL, locks and
 * triggers are PostgreSQL's. Each cached context keeps its own database while its job executor runs.
 */
public class FreshPostgres implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        TestPropertyValues.of("spring.datasource.url=" + Postgres.newDatabase(), "spring.datasource.username=postgres",
                "spring.datasource.password=").applyTo(context);
        Postgres.closeBeforeStopping(context::close);
    }
}
