package dev.culprit.collector.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.publish.spool.SpoolRecord;
import dev.culprit.collector.publish.spool.SpoolStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The held topics' spools: order, restarts, the shared bound, hostile directories. */
class HeldTopicsTest {

  private static final long BOUND = 1L << 20;
  private static final String A = "culprit.samples.probe";
  private static final String B = "culprit.samples.protocol";

  @TempDir Path spool;

  @Test
  void handsOutEachTopicsRecordsInTheOrderHeldAcrossARestart() throws IOException {
    HeldTopics held = new HeldTopics(spool, BOUND);
    held.append(A, records(A, 0, 3));
    held.append(B, records(B, 0, 2));
    held.append(A, records(A, 3, 5));
    held.close();

    HeldTopics again = new HeldTopics(spool, BOUND);
    assertThat(again.recover()).containsExactlyInAnyOrder(A, B);
    assertThat(values(again.next(A, 100, BOUND))).containsExactly("0", "1", "2", "3", "4");
    again.close();
  }

  @Test
  void keepsRefusedRecordsForTheNextTryAndForgetsATopicOnceDelivered() throws IOException {
    HeldTopics held = new HeldTopics(spool, BOUND);
    held.append(A, records(A, 0, 4));
    List<SpoolRecord> window = held.next(A, 100, BOUND);
    held.settle(A, window.subList(2, 4)); // the first two delivered, the rest refused again
    assertThat(values(held.next(A, 100, BOUND))).containsExactly("2", "3");
    held.settle(A, List.of());
    assertThat(held.next(A, 100, BOUND)).isEmpty();
    assertThat(held.holds(A)).as("nothing held: the topic flows from the main spool").isFalse();
    assertThat(spool.resolve(HeldTopics.DIRECTORY)).isEmptyDirectory();
    held.close();
  }

  @Test
  void anAcknowledgementTheDiskRefusesNeitherSendsTheWindowAgainNorCountsItTwice()
      throws IOException {
    HeldTopics held = new HeldTopics(spool, BOUND);
    held.append(A, records(A, 0, 4));
    assertThat(values(held.next(A, 2, BOUND))).containsExactly("0", "1");
    // The checkpoint cannot be written: a directory where its temporary file goes.
    Path dir = spool.resolve(HeldTopics.DIRECTORY).resolve(HeldTopics.directoryName(A));
    Files.createDirectory(dir.resolve("acked.pos.tmp"));
    assertThatThrownBy(() -> held.settle(A, List.of())).isInstanceOf(IOException.class);

    assertThat(values(held.next(A, 2, BOUND)))
        .as("the next window, not the same")
        .containsExactly("2", "3");
    assertThat(held.stats().pendingRecords()).as("two still to be delivered").isEqualTo(2);
    Files.delete(dir.resolve("acked.pos.tmp"));
    held.settle(A, List.of());
    assertThat(held.next(A, 2, BOUND)).isEmpty();
    assertThat(held.stats().pendingRecords()).isZero();
    held.close();
  }

  @Test
  void aDeliveredTopicWhoseDirectoryCannotBeRemovedIsForgottenAndHeldAgainLater()
      throws IOException {
    HeldTopics held = new HeldTopics(spool, BOUND);
    held.append(A, records(A, 0, 2));
    Path dir = spool.resolve(HeldTopics.DIRECTORY).resolve(HeldTopics.directoryName(A));
    Files.createDirectories(dir.resolve("culprit-stray").resolve("inside"));
    assertThat(values(held.next(A, 100, BOUND))).containsExactly("0", "1");
    held.settle(A, List.of()); // all delivered: removing the directory fails, quietly
    try (var left = Files.list(dir)) {
      assertThat(left.map(f -> f.getFileName().toString()))
          .as("no segment left whose delivery nothing records")
          .noneMatch(name -> name.startsWith("seg-"));
    }

    assertThat(held.holds(A)).as("forgotten: its newer records flow from the main spool").isFalse();
    held.append(A, records(A, 2, 3));
    assertThat(values(held.next(A, 100, BOUND))).containsExactly("2");
    held.close();
  }

  @Test
  void dropsTheOldestHeldRecordsOfTheLargestTopicToFitTheSharedBound() throws IOException {
    HeldTopics held = new HeldTopics(spool, BOUND);
    List<String> written = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      held.append(A, List.of(padded(A, i, 2000)));
      written.add(Integer.toString(i));
    }
    held.append(B, records(B, 0, 3));
    long before = held.stats().diskBytes();

    held.trimTo(before / 2);

    SpoolStats after = held.stats();
    assertThat(after.diskBytes())
        .as("within what the main spool leaves")
        .isLessThanOrEqualTo(before / 2);
    List<String> left = values(held.next(A, 1000, BOUND));
    assertThat(after.droppedRecords() + left.size()).as("kept or counted").isEqualTo(200);
    assertThat(left)
        .as("the newest of the largest topic are kept, in order")
        .containsExactlyElementsOf(written.subList(200 - left.size(), 200));
    assertThat(values(held.next(B, 100, BOUND))).as("the small topic untouched").hasSize(3);
    held.close();
  }

  @Test
  void leavesADirectoryAloneThatDoesNotNameItsTopic() throws IOException {
    Path stranger = Files.createDirectories(spool.resolve(HeldTopics.DIRECTORY).resolve("x;id"));
    Files.writeString(stranger.resolve("topic"), A); // names A, but is not A's directory
    Path unnamed = Files.createDirectories(spool.resolve(HeldTopics.DIRECTORY).resolve("t-00"));

    HeldTopics held = new HeldTopics(spool, BOUND);
    assertThat(held.recover()).isEmpty();
    assertThat(stranger).exists();
    assertThat(unnamed).exists();
    held.close();
  }

  private static List<SpoolRecord> records(String topic, int from, int to) {
    return IntStream.range(from, to)
        .mapToObj(i -> SpoolRecord.of(topic, 1_700_000_000_000L + i, "h", bytes(i)))
        .toList();
  }

  private static SpoolRecord padded(String topic, int i, int size) {
    byte[] value = new byte[size];
    byte[] label = bytes(i);
    System.arraycopy(label, 0, value, 0, label.length);
    value[label.length] = ';';
    return SpoolRecord.of(topic, 1_700_000_000_000L + i, "h", value);
  }

  private static byte[] bytes(int i) {
    return Integer.toString(i).getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> values(List<SpoolRecord> records) {
    return records.stream()
        .map(r -> new String(r.value(), StandardCharsets.UTF_8).split(";")[0])
        .toList();
  }
}
