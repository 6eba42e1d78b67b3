package dev.culprit.processor.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FmtTest {

  @Test
  void percentagesReadNaturallyAndNeverRoundUpToAFullHundred() {
    assertThat(Fmt.percent(0.3)).isEqualTo("30 %");
    assertThat(Fmt.percent(0.1935)).isEqualTo("19 %");
    assertThat(Fmt.percent(0.125)).isEqualTo("13 %");
    assertThat(Fmt.percent(0.095)).isEqualTo("9.5 %");
    assertThat(Fmt.percent(0.0004)).isEqualTo("0.04 %");
    assertThat(Fmt.percent(0.9956)).isEqualTo("99.6 %");
    assertThat(Fmt.percent(1.0)).isEqualTo("100 %");
  }

  @Test
  void commandArgumentsUseTheToolsOwnUnits() {
    assertThat(Fmt.probability(0.29999999981)).isEqualTo("0.30");
    assertThat(Fmt.probability(0.125)).isEqualTo("0.125");
    assertThat(Fmt.tcRate(2_000_000)).isEqualTo("2mbit");
    assertThat(Fmt.tcRate(1_500_000)).isEqualTo("1500kbit");
    assertThat(Fmt.netemPercent(30.0)).isEqualTo("30%");
    assertThat(Fmt.seconds(10_000)).isEqualTo("10 s");
    assertThat(Fmt.seconds(2_500)).isEqualTo("2.5 s");
  }
}
