package com.msgupgrade.web;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Errors of /api as RFC 9457 problem details, with every problem listed. */
@RestControllerAdvice(basePackages = "com.msgupgrade")
class ApiErrors {

    @ExceptionHandler(InvalidRequestException.class)
    ProblemDetail invalid(InvalidRequestException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_ENTITY, e.getMessage());
        problem.setTitle("Invalid request");
        problem.setProperty("problems", e.problems());
        return problem;
    }

    @ExceptionHandler(NotFoundException.class)
    ProblemDetail notFound(NotFoundException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
    }

    /**
     * Two requests creating the same record at the same moment (two PUTs of a new deployment): the second one's
     * transaction is rolled back whole, and it is told so instead of 500.
     */
    @ExceptionHandler(org.springframework.dao.DuplicateKeyException.class)
    ProblemDetail conflict(org.springframework.dao.DuplicateKeyException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, "another request stored the same"
                + " record at the same moment; nothing of this one was stored: send it again");
        problem.setTitle("Conflict");
        return problem;
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ProblemDetail unreadable(HttpMessageNotReadableException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "the body is not valid JSON for this request: " + rootMessage(e));
        problem.setTitle("Unreadable request");
        return problem;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = String.valueOf(t.getMessage());
        int cut = message.indexOf(" at [Source");
        return cut > 0 ? message.substring(0, cut) : message;
    }
}
