package dev.culprit.collector.publish.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The records the spool tests write, named {@code v<i>}, and what they check about the ones left.
 */
public final class SpoolTestRecords {

  private SpoolTestRecords() {}

  /** Records {@code from} (inclusive) to {@code to}, each valued {@code v<i>}. */
  public static List<SpoolRecord> records(int from, int to) {
    return IntStream.range(from, to)
        .mapToObj(i -> record(i, ("v" + i).getBytes(StandardCharsets.UTF_8)))
        .toList();
  }

  /** Records {@code from} to {@code to} whose {@code v<i>} is padded with zero bytes to a size. */
  public static List<SpoolRecord> padded(int from, int to, int valueBytes) {
    return IntStream.range(from, to)
        .mapToObj(
            i -> {
              byte[] value = new byte[valueBytes];
              byte[] label = ("v" + i).getBytes(StandardCharsets.UTF_8);
              System.arraycopy(label, 0, value, 0, label.length);
              return record(i, value);
            })
        .toList();
  }

  /** The values of records {@code from} to {@code to}: {@code v<from>}, … */
  public static List<String> names(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> "v" + i).toList();
  }

  /**
   * That each of the {@code written} values (oldest first) is either among those {@code left} or
   * counted as dropped, and that those left are the newest, in order.
   */
  public static void assertNewestLeft(
      SpoolStats stats, List<String> left, List<String> written, String why) {
    int total = written.size();
    assertThat(stats.droppedRecords() + left.size())
        .as("every record is either still there or counted as dropped")
        .isEqualTo(total);
    assertThat(left).as(why).containsExactlyElementsOf(written.subList(total - left.size(), total));
  }

  /** Record {@code i} of a test's stream: its topic, timestamp and key, with this value. */
  public static SpoolRecord record(int i, byte[] value) {
    return SpoolRecord.of("culprit.samples.interface", 1_700_000_000_000L + i, "host-a", value);
  }
}
