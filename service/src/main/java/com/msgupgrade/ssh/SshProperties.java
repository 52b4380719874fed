package com.msgupgrade.ssh;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param privateKey     the service's SSH private key (OpenSSH format); never logged
 * @param knownHosts     known_hosts with {@code [addr]:port} entries; unknown or changed keys are refused
 * @param maxOutputBytes what is kept of a command's stdout and of its stderr (the rest is hashed only)
 * @param idleTimeout    how long an authenticated connection to a host is kept for the next step after its last
 *                       command; {@code PT0S}: a new connection for every step
 */
@ConfigurationProperties("msgsrv.ssh")
public record SshProperties(Path privateKey, Path knownHosts, Duration connectTimeout, Duration commandTimeout,
        int maxOutputBytes, Duration idleTimeout) {

    public SshProperties {
        idleTimeout = com.msgupgrade.Settings.notNegative(idleTimeout == null ? Duration.ZERO : idleTimeout,
                "msgsrv.ssh.idle-timeout");
        // zero would be no timeout at all to JSch: a host that never answers would hold its step for ever
        com.msgupgrade.Settings.positive(connectTimeout, "msgsrv.ssh.connect-timeout");
        com.msgupgrade.Settings.positive(commandTimeout, "msgsrv.ssh.command-timeout");
        com.msgupgrade.Settings.atLeast(maxOutputBytes, 1, "msgsrv.ssh.max-output-bytes");
        if (privateKey == null || knownHosts == null) {
            throw new IllegalArgumentException("msgsrv.ssh.private-key and msgsrv.ssh.known-hosts must both be set");
        }
    }
}
