package com.msgupgrade.web;

/**
 * A change refused because what is stored is not what its request's condition ({@code If-Match},
 * {@code If-None-Match}) named; answered 412, with the stored entity tag if there is one.
 */
public class PreconditionFailedException extends RuntimeException {

    private final String currentEtag;

    /** @param currentEtag the entity tag of what is stored, or null when nothing is */
    public PreconditionFailedException(String message, String currentEtag) {
        super(message);
        this.currentEtag = currentEtag;
    }

    public String currentEtag() {
        return currentEtag;
    }
}
