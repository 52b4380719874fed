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
        idleTimeout = idleTimeout == null ? Duration.ZERO : idleTimeout;
        if (idleTimeout.isNegative()) {
            throw new IllegalArgumentException("msgsrv.ssh.idle-timeout must not be negative: " + idleTimeout);
        }
    }
}
