package com.msgupgrade.ssh;

/**
 * What a command left: exit status (read after the channel closed), bounded stdout and stderr,
 * and the SHA-256 of the whole stdout, also of the part beyond the bound.
 */
public record CommandResult(int exitCode, String stdout, String stderr, String stdoutSha256, long stdoutBytes,
        boolean truncated) {

    public boolean succeeded() {
        return exitCode == 0;
    }
}
