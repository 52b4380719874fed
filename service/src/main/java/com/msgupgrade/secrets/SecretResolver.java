package com.msgupgrade.secrets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.stereotype.Component;

/**
 * Resolves a secret by name at the moment a host action needs it. Process variables, plans, logs and
 * the audit trail only ever carry the name. Looked up, in order: the environment variable
 * {@code MSGSRV_SECRET_<NAME>} (name upper-cased, other characters as '_'), then the secrets file
 * ({@code msgsrv.secrets.file}, {@code name=value} lines), which must be readable by its owner only.
 */
@Component
public class SecretResolver {

    private final Environment environment;
    private final Path secretsFile;

    public SecretResolver(Environment environment, @Value("${msgsrv.secrets.file:}") String secretsFile) {
        this.environment = environment;
        this.secretsFile = secretsFile.isBlank() ? null : Path.of(secretsFile);
    }

    public static String environmentName(String secretName) {
        return "MSGSRV_SECRET_" + secretName.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** A secret that cannot be had: not configured, or its file unreadable or readable by others. */
    public static class SecretUnavailableException extends IllegalStateException {
        public SecretUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public String resolve(String name) {
        return find(name).orElseThrow(() -> new SecretUnavailableException("secret '" + name + "' is not configured:"
                + " set " + environmentName(name) + " or add it to the secrets file (msgsrv.secrets.file)", null));
    }

    /**
     * What keeps each of these secrets from being resolved, one problem each (the same one once): none when all
     * resolve. A rollout is refused on them before it stops a host, rather than failing at the step that needs one.
     */
    public List<String> problems(Collection<String> names) {
        Set<String> problems = new LinkedHashSet<>();
        for (String name : names) {
            try {
                resolve(name);
            } catch (SecretUnavailableException e) {
                problems.add(e.getMessage());
            }
        }
        return List.copyOf(problems);
    }

    public Optional<String> find(String name) {
        String fromEnv = unresolved(environmentName(name));
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return Optional.of(fromEnv);
        }
        return Optional.ofNullable(fileEntries().get(name));
    }

    /**
     * The property's value as it was given, its {@code ${…}} not taken for placeholders: a password may hold them, and
     * the environment's resolution would change it, or fail with an exception whose message quotes the whole value.
     */
    private String unresolved(String key) {
        if (environment instanceof ConfigurableEnvironment configurable) {
            for (PropertySource<?> source : configurable.getPropertySources()) {
                Object value = source.getProperty(key);
                if (value != null) {
                    return value.toString();
                }
            }
            return null;
        }
        return environment.getProperty(key);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Map<String, String> fileEntries() {
        if (secretsFile == null) {
            return Map.of();
        }
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(secretsFile);
            if (!Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE).containsAll(permissions)) {
                throw new SecretUnavailableException("secrets file " + secretsFile + " must be mode 0600 or 0400, is "
                        + java.nio.file.attribute.PosixFilePermissions.toString(permissions), null);
            }
            Properties properties = new Properties();
            try (var reader = Files.newBufferedReader(secretsFile)) {
                properties.load(reader);
            }
            return (Map) properties;
        } catch (IOException | IllegalArgumentException e) {
            // a malformed \\u escape: the line is not shown, it may hold a secret
            throw new SecretUnavailableException("cannot read secrets file " + secretsFile + ": "
                    + (e instanceof IOException ? e.toString() : "a malformed \\uXXXX escape"), e);
        }
    }
}
