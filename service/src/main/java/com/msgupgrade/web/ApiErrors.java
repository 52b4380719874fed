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

    @ExceptionHandler(PreconditionFailedException.class)
    org.springframework.http.ResponseEntity<ProblemDetail> preconditionFailed(PreconditionFailedException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.PRECONDITION_FAILED, e.getMessage());
        problem.setTitle("Changed meanwhile");
        org.springframework.http.ResponseEntity.BodyBuilder response = org.springframework.http.ResponseEntity.status(
                HttpStatus.PRECONDITION_FAILED);
        if (e.currentEtag() != null) {
            response.eTag(e.currentEtag());
        }
        return response.body(problem);
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

    /**
     * Two requests changing the same process at the same moment (an abort and an approval of the gate it waits at):
     * the engine refuses the later one's flush, its transaction is rolled back whole, and it is told so.
     */
    @ExceptionHandler(org.camunda.bpm.engine.OptimisticLockingException.class)
    ProblemDetail changedMeanwhile(org.camunda.bpm.engine.OptimisticLockingException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, "the rollout changed while this"
                + " request was handled (another request at the same moment); nothing of this one was stored: look"
                + " at the rollout again, and send it again if it still applies");
        problem.setTitle("Conflict");
        return problem;
    }

    /** A query or path parameter of the wrong kind ({@code ?seq=abc}), named with what it must be. */
    @ExceptionHandler(org.springframework.web.method.annotation.MethodArgumentTypeMismatchException.class)
    ProblemDetail wrongParameter(org.springframework.web.method.annotation.MethodArgumentTypeMismatchException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "parameter '" + e.getName()
                + "' must be " + expected(e.getRequiredType()) + ", was " + Shown.quoted(String.valueOf(e.getValue())));
        problem.setTitle("Invalid parameter");
        return problem;
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ProblemDetail unreadable(HttpMessageNotReadableException e) {
        if (e.getCause() == null && String.valueOf(e.getMessage()).startsWith("Required request body is missing")) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "a JSON body is required"
                    + " for this request (README)");
            problem.setTitle("Unreadable request");
            return problem;
        }
        String why = e.getCause() instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException unknown
                ? "unknown field '" + unknown.getPropertyName() + "'" + unknown.getPath().stream().limit(
                        Math.max(0, unknown.getPath().size() - 1)).map(ApiErrors::where).reduce("", String::concat)
                        + " (known here: " + unknown.getKnownPropertyIds().stream().map(String::valueOf).sorted()
                        .reduce((a, b) -> a + ", " + b).orElse("none") + ")"
                : e.getCause() instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException mismatched
                        && !mismatched.getPath().isEmpty() ? wrongValue(mismatched)
                : e.getCause() instanceof com.fasterxml.jackson.databind.JsonMappingException mapping
                        && !mapping.getPath().isEmpty()
                        && mapping.getCause() instanceof com.fasterxml.jackson.core.exc.InputCoercionException
                        ? wrongValue(mapping)
                : e.getCause() instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException mismatched
                        ? "the body must be " + expected(mismatched.getTargetType())
                : rootMessage(e);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "the body is not valid JSON for this request: " + why);
        problem.setTitle("Unreadable request");
        return problem;
    }

    /**
     * A value of the wrong kind, named by where it is ({@code windows[0].start}) and what it must be: Jackson's own
     * message names Java types, and where it is only at its end, which {@link #rootMessage} leaves out.
     */
    private static String wrongValue(com.fasterxml.jackson.databind.JsonMappingException e) {
        String at = e.getPath().stream().map(ref -> ref.getFieldName() != null ? "." + ref.getFieldName()
                : "[" + ref.getIndex() + "]").reduce("", String::concat).replaceFirst("^\\.", "");
        String value = e instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException invalid
                ? " " + Shown.quoted(String.valueOf(invalid.getValue())) : "";
        // a number too big for its field comes as a coercion failure wrapped in a plain mapping exception
        Class<?> type = e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException mismatched
                ? mismatched.getTargetType()
                : e.getCause() instanceof com.fasterxml.jackson.core.exc.InputCoercionException coercion
                        ? coercion.getTargetType() : null;
        return at + value + " must be " + expected(type);
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "of another kind (README)";
        }
        if (type == java.time.Instant.class) {
            return "an instant in ISO-8601 with its offset, e.g. 2026-12-24T22:00:00Z";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number" + (type == int.class || type == Integer.class ? " up to " + Integer.MAX_VALUE : "");
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list [...]";
        }
        if (java.util.Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "an object {...}";
        }
        return "of another kind (README)";
    }

    /** " in hosts[2]": where in the body an unknown field is. */
    private static String where(com.fasterxml.jackson.databind.JsonMappingException.Reference ref) {
        return ref.getFieldName() != null ? " in " + ref.getFieldName() : "[" + ref.getIndex() + "]";
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
