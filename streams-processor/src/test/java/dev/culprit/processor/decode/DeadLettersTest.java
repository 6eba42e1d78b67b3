package dev.culprit.processor.decode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.schemas.DeadLetter;
import dev.culprit.schemas.Topics;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

  @Test
  void aLargeValueIsTruncatedWithItsSizeAndHashSoTheLetterStaysSendable() {
    byte[] value = new byte[3 * 1024 * 1024];
    value[value.length - 1] = 1; // differs from an all-zero value only past the cut
    DeadLetter letter = DeadLetters.of(Optional.empty(), 0, "h", value, "decode", "bad", null);
    assertThat(letter.getValue().remaining()).isEqualTo(DeadLetters.MAX_VALUE_BYTES);
    assertThat(letter.getValueSize()).isEqualTo(value.length);
    assertThat(letter.getValueSha256())
        .hasSize(64)
        .isNotEqualTo(DeadLetters.sha256(new byte[value.length]));
    assertThat(Topics.DEAD_LETTER.valueSerde().encode(letter).length)
        .as("far below the producer's 1 MiB max.request.size")
        .isLessThan(100 * 1024);
  }

  @Test
  void aSmallValueIsKeptWhole() {
    byte[] value = {1, 2, 3};
    DeadLetter letter = DeadLetters.of(Optional.empty(), 0, "h", value, "decode", "bad", null);
    assertThat(letter.getValue().remaining()).isEqualTo(3);
    assertThat(letter.getValueSize()).isEqualTo(3);
  }

  @Test
  void aHugeReasonIsCutAndSaysHowMuchWasLeftOut() {
    String reason = "x".repeat(DeadLetters.MAX_REASON_CHARS + 10);
    assertThat(DeadLetters.boundedReason(reason)).endsWith("(10 more characters)");
  }
}
