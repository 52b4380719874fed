package com.msgupgrade.web;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * A request sent in the wrong form (a body that is not declared JSON, a method the path does not take) as a problem
 * detail saying what to send, instead of Spring's bare error page. For every handler: a method the path does not
 * take is found before any controller is, which {@link ApiErrors} (the service's controllers) would not see.
 */
@RestControllerAdvice
class RequestFormErrors {

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ProblemDetail notJson(HttpMediaTypeNotSupportedException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "the body must be"
                + " sent as JSON, with the header Content-Type: application/json (was "
                + (e.getContentType() == null ? "none" : e.getContentType().toString()) + ")");
        problem.setTitle("Unsupported media type");
        return problem;
    }

    /** A path nothing serves (a misspelt one, a trailing slash) as a problem detail, not the bare error page. */
    @ExceptionHandler(org.springframework.web.servlet.resource.NoResourceFoundException.class)
    ProblemDetail noSuchPath(org.springframework.web.servlet.resource.NoResourceFoundException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getHttpMethod() + " "
                + Shown.quoted("/" + e.getResourcePath()) + ": nothing is served at this path (README lists the"
                + " API's paths)");
        problem.setTitle("Not found");
        return problem;
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ProblemDetail> wrongMethod(HttpRequestMethodNotSupportedException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.METHOD_NOT_ALLOWED, e.getMethod()
                + " is not taken on this path; it takes " + (e.getSupportedHttpMethods() == null ? "none"
                        : e.getSupportedHttpMethods()) + " (README)");
        problem.setTitle("Method not allowed");
        // the methods it takes, in the header HTTP has for them (RFC 9110)
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(HttpStatus.METHOD_NOT_ALLOWED);
        if (e.getSupportedHttpMethods() != null) {
            answer.allow(e.getSupportedHttpMethods().toArray(org.springframework.http.HttpMethod[]::new));
        }
        return answer.body(problem);
    }
}
