package com.msgupgrade.hostops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretMaskTest {

    static final String SECRET = "s3cret-Directory-pw";

    @Test
    void everyOccurrenceOfTheSecretIsMasked() {
        assertThat(HostStepService.withoutSecret("bind as x with " + SECRET + ", then " + SECRET + "\n", SECRET))
                .isEqualTo("bind as x with ****, then ****\n");
    }

    /** Output kept up to its limit, cut in the middle of an echoed secret: the start that was kept is masked too. */
    @Test
    void theStartOfASecretCutAtTheEndOfTheOutputIsMasked() {
        assertThat(HostStepService.withoutSecret("line\npassword: s3cret-Direc", SECRET)).isEqualTo("line\npassword: ****");
        assertThat(HostStepService.withoutSecret("password: s3cr", SECRET)).isEqualTo("password: ****");
        // shorter than four characters: ordinary text
        assertThat(HostStepService.withoutSecret("size: s3c", SECRET)).isEqualTo("size: s3c");
        assertThat(HostStepService.withoutSecret("nothing of it here\n", SECRET)).isEqualTo("nothing of it here\n");
    }
}
