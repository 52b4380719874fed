package com.msgupgrade.support;

import org.camunda.bpm.engine.TaskService;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;

/** What an end-to-end test drives the service with: its HTTP API as people use it, and the engine's tasks. */
public abstract class EndToEndTest {

    @Autowired
    protected TestRestTemplate rest;
    @Autowired
    protected TaskService tasks;

    protected Api api;
    protected Flow flow;

    @BeforeEach
    void connect() {
        api = new Api(rest);
        flow = new Flow(api, tasks);
    }
}
