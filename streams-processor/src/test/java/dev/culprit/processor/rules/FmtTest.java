package dev.culprit.processor.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FmtTest {

  @ParameterizedTest(name = "{0} reads {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "0.3    | 30 %",
        "0.1935 | 19 %",
        "0.125  | 13 %",
        "0.095  | 9.5 %",
        "0.0004 | 0.04 %",
        "0.9956 | 99.6 %",
        "1.0    | 100 %"
      })
  void percentagesReadNaturallyAndNeverRoundUpToAFullHundred(double share, String expected) {
    assertThat(Fmt.percent(share)).isEqualTo(expected);
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
