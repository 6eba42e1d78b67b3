package dev.culprit.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code --spool-max-age}: on by default, below the contract sample topics' 7-day retention. */
class SpoolMaxAgeOptionTest {

  @Test
  void theHelpGivesTheDefaultBelowTheSampleRetention() {
    Cli.Run r = Cli.run("collect", "--help");

    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout().replaceAll("\\s+", " "))
        .contains("--spool-max-age=DURATION")
        .contains("retention (7 days for samples)")
        .contains("(default: 6d)");
  }
}
