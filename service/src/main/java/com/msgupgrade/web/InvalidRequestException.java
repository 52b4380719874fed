package com.msgupgrade.web;

import java.util.List;

/** A request the service will not act on; answered 422 with one message per problem. */
public class InvalidRequestException extends RuntimeException {

    private final List<String> problems;

    public InvalidRequestException(String title, List<String> problems) {
        super(title + ": " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
