package com.msgupgrade.processes;

import org.camunda.bpm.engine.test.mock.Mocks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The stand-in beans a process test's models call, fresh for each test. Each test class registers its own
 * engine ({@code @RegisterExtension static ProcessEngineExtension engine = ProcessTestBeans.engine();}):
 * one extension instance shared by several classes is closed after the first of them.
 */
abstract class ProcessTestBase {

    ProcessTestBeans beans;

    @BeforeEach
    void registerBeans() {
        beans = ProcessTestBeans.register();
    }

    @AfterEach
    void resetBeans() {
        Mocks.reset();
    }
}
