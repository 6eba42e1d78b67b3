package dev.culprit.collector.platform.procfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.spi.ParseException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PidStatParserTest {

  static Stream<Arguments> commsThatLookLikeFields() {
    return Stream.of(
        Arguments.of(
            "countsFieldsFromTheLastParenthesisSoACommWithSpacesAndParenthesesIsOneField",
            "4242 (Web (Content) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 12 0 987654 "
                + "1000000 200 18446744073709551615",
            'S',
            987654L),
        Arguments.of(
            "aCommThatImitatesTheFieldsAfterItDoesNotShiftThem",
            "7 (a) Z 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (x) R 1 7 7 0 -1 4194560 1 0 "
                + "0 0 0 0 0 0 20 0 1 0 555 1000 2",
            'R',
            555L));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("commsThatLookLikeFields")
  void readsTheStateAndStartAfterTheComm(String name, String stat, char state, long startTicks)
      throws Exception {
    PidStatParser.PidStat parsed = PidStatParser.parse("stat", stat);

    assertThat(parsed.state()).isEqualTo(state);
    assertThat(parsed.startTicks()).isEqualTo(startTicks);
    assertThat(parsed.gone()).isFalse();
  }

  @Test
  void aZombieIsGone() throws Exception {
    String stat = "9 (sh) Z 1 9 9 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 70123 0 0";

    assertThat(PidStatParser.parse("stat", stat).gone()).isTrue();
  }

  @Test
  void aShortOrCommlessLineIsAParseErrorNamingTheFile() {
    assertThatThrownBy(() -> PidStatParser.parse("/proc/42/stat", "4242 (x) S 1"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("/proc/42/stat");
    assertThatThrownBy(() -> PidStatParser.parse("/proc/42/stat", "4242 x S 1"))
        .isInstanceOf(ParseException.class);
  }
}
