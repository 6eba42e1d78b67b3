package dev.culprit.collector.publish.spool;

import static dev.culprit.collector.publish.spool.SpoolTestRecords.assertNewestLeft;
import static dev.culprit.collector.publish.spool.SpoolTestRecords.names;
import static dev.culprit.collector.publish.spool.SpoolTestRecords.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {

  @TempDir Path dir;

  @Test
  void handsOutRecordsInTheOrderTheyWereAppended() throws IOException {
    try (Spool spool = Spool.open(dir, Spool.DEFAULT_MAX_BYTES)) {
      spool.append(records(0, 3));
      spool.append(records(3, 5));

      SpoolBatch batch = spool.next(100, Long.MAX_VALUE);

      assertThat(values(batch)).containsExactly("v0", "v1", "v2", "v3", "v4");
      assertThat(batch.records().get(0).topic()).isEqualTo("culprit.samples.interface");
      assertThat(batch.records().get(0).keyString()).isEqualTo("host-a");
      assertThat(batch.records().get(4).timestampMs()).isEqualTo(1_700_000_000_004L);
      assertThat(spool.next(100, Long.MAX_VALUE).isEmpty()).as("nothing handed out twice").isTrue();
    }
  }

  @Test
  void limitsABatchByRecordCountAndBytes() throws IOException {
    try (Spool spool = Spool.open(dir, Spool.DEFAULT_MAX_BYTES)) {
      spool.append(records(0, 10));

      assertThat(values(spool.next(3, Long.MAX_VALUE))).containsExactly("v0", "v1", "v2");
      assertThat(values(spool.next(100, 1))).as("at least one record").containsExactly("v3");
      assertThat(values(spool.next(100, Long.MAX_VALUE))).hasSize(6).startsWith("v4");
    }
  }

  @Test
  void countsRecordsAsPendingUntilTheBrokerAcknowledgesThem() throws IOException {
    try (Spool spool = Spool.open(dir, Spool.DEFAULT_MAX_BYTES)) {
      spool.append(records(0, 4));
      SpoolBatch batch = spool.next(100, Long.MAX_VALUE);
      assertThat(spool.stats().pendingRecords()).isEqualTo(4);
      assertThat(spool.stats().pendingBytes()).isEqualTo(batch.bytes()).isPositive();

      spool.ack(batch);

      assertThat(spool.stats().pendingRecords()).isZero();
      assertThat(spool.stats().pendingBytes()).isZero();
    }
  }

  @Test
  void resendsAfterARestartOnlyWhatTheBrokerDidNotAcknowledge() throws IOException {
    try (Spool spool = Spool.open(dir, Spool.DEFAULT_MAX_BYTES)) {
      spool.append(records(0, 6));
      spool.ack(spool.next(2, Long.MAX_VALUE));
      spool.next(2, Long.MAX_VALUE); // handed out, never acknowledged: the broker went away
    }
    try (Spool spool = Spool.open(dir, Spool.DEFAULT_MAX_BYTES)) {
      assertThat(spool.stats().pendingRecords()).isEqualTo(4);
      spool.append(records(6, 8));

      assertThat(values(spool.next(100, Long.MAX_VALUE)))
          .as("old records first, then the new run's")
          .containsExactly("v2", "v3", "v4", "v5", "v6", "v7");
    }
  }

  @Test
  void survivesSeveralRestartsWithRecordsInManySegments() throws IOException {
    List<String> expected = new ArrayList<>();
    for (int run = 0; run < 3; run++) {
      try (Spool spool = Spool.open(dir, 1 << 20, 512)) {
        List<SpoolRecord> batch = records(run * 20, run * 20 + 20);
        batch.forEach(r -> expected.add(value(r)));
        spool.append(batch);
      }
    }
    try (Spool spool = Spool.open(dir, 1 << 20, 512)) {
      assertThat(values(spool.next(1000, Long.MAX_VALUE))).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void deletesDeliveredSegmentsSoTheDiskHoldsOnlyWhatWaits() throws IOException {
    try (Spool spool = Spool.open(dir, 1 << 20, 1024)) {
      for (int i = 0; i < 50; i++) {
        spool.append(records(i * 5, i * 5 + 5));
        spool.ack(spool.next(100, Long.MAX_VALUE));
      }

      assertThat(segmentFiles()).hasSize(1);
      assertThat(spool.stats().diskBytes()).isLessThan(1024 + 200);
    }
  }

  @Test
  void dropsTheOldestSegmentsWhenFullAndCountsTheirRecords() throws IOException {
    int total = 400;
    try (Spool spool = Spool.open(dir, 8 * 1024, 1024)) {
      for (int i = 0; i < total; i++) {
        spool.append(records(i, i + 1));
      }
      SpoolStats stats = spool.stats();
      assertThat(stats.diskBytes()).isLessThanOrEqualTo(8 * 1024);
      assertThat(stats.droppedRecords()).isPositive();

      List<String> left = values(spool.next(total, Long.MAX_VALUE));

      assertNewestLeft(stats, left, names(0, total), "the newest survive, in order");
    }
  }

  @Test
  void aLoweredBoundKeepsTheNewestRecordsThatFitAndCountsTheOlderOnesAsDropped()
      throws IOException {
    int total = 40;
    List<SpoolRecord> written = bigRecords(total, 20 * 1024);
    try (Spool spool = Spool.open(dir, 1 << 20, 64 * 1024)) {
      spool.append(written);
    }
    int frame = SpoolFrames.frameBytes(written.get(0));
    long lowered = 64 * 1024;

    try (Spool spool = Spool.open(dir, lowered)) {
      SpoolStats stats = spool.stats();
      List<String> left = values(spool.next(total, Long.MAX_VALUE));

      assertNewestLeft(
          stats,
          left,
          written.stream().map(SpoolTest::value).toList(),
          "the newest are kept, in order, though each is larger than the new record limit");
      assertThat(left.size())
          .as("as many as fit the new bound beside two segment headers")
          .isEqualTo((int) ((lowered - 2 * SpoolFrames.HEADER_BYTES) / frame));
      assertThat(stats.diskBytes()).isLessThanOrEqualTo(lowered);
      assertThat(stats.pendingRecords()).isEqualTo(left.size());
    }
    try (Spool spool = Spool.open(dir, lowered)) {
      assertThat(spool.stats().droppedRecords())
          .as("the second start under the same bound has nothing more to drop")
          .isZero();
      assertThat(spool.next(total, Long.MAX_VALUE).records())
          .hasSize((int) ((lowered - 2 * SpoolFrames.HEADER_BYTES) / frame));
    }
  }

  @Test
  void aNewSegmentFileHasItsHeaderOnDiskWhenItsNameAppears() throws IOException {
    try (Spool spool = Spool.open(dir, 1 << 20, 512)) {
      spool.append(records(0, 40));

      for (Path segment : segmentFiles()) {
        byte[] bytes = Files.readAllBytes(segment);
        assertThat(Arrays.copyOf(bytes, SpoolFrames.HEADER_BYTES))
            .as("header of %s", segment.getFileName())
            .isEqualTo(SpoolFrames.MAGIC);
      }
    }
  }

  @Test
  void aBatchFromADroppedSegmentCanStillBeAcknowledged() throws IOException {
    try (Spool spool = Spool.open(dir, 4 * 1024, 1024)) {
      spool.append(records(0, 5));
      SpoolBatch inFlight = spool.next(100, Long.MAX_VALUE);
      for (int i = 5; i < 200; i++) {
        spool.append(records(i, i + 1));
      }
      long pendingBefore = spool.stats().pendingRecords();

      spool.ack(inFlight);

      assertThat(spool.stats().pendingRecords()).isEqualTo(pendingBefore - 5);
      assertThat(spool.stats().droppedRecords())
          .as("records already in flight are not counted as dropped")
          .isEqualTo(195 - pendingBefore + 5);
      assertThat(values(spool.next(1000, Long.MAX_VALUE))).last().isEqualTo("v199");
    }
  }

  @Test
  void skipsATruncatedTailLeftByACrashAndCountsIt() throws IOException {
    try (Spool spool = Spool.open(dir, Spool.DEFAULT_MAX_BYTES)) {
      spool.append(records(0, 3));
    }
    Path segment = segmentFiles().get(0);
    try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
      file.setLength(file.length() - 5);
    }

    try (Spool spool = Spool.open(dir, Spool.DEFAULT_MAX_BYTES)) {
      spool.append(records(3, 4));

      assertThat(values(spool.next(100, Long.MAX_VALUE))).containsExactly("v0", "v1", "v3");
      assertThat(spool.stats().corruptRecords()).isEqualTo(1);
      assertThat(spool.stats().pendingRecords()).isEqualTo(3);
    }
  }

  @Test
  void skipsOnlyTheRecordWhoseChecksumFails() throws IOException {
    try (Spool spool = Spool.open(dir, Spool.DEFAULT_MAX_BYTES)) {
      spool.append(records(0, 3));
    }
    Path segment = segmentFiles().get(0);
    byte[] bytes = Files.readAllBytes(segment);
    int second = indexOf(bytes, "v1".getBytes(StandardCharsets.UTF_8));
    bytes[second] ^= 0x40;
    Files.write(segment, bytes);

    try (Spool spool = Spool.open(dir, Spool.DEFAULT_MAX_BYTES)) {
      SpoolBatch batch = spool.next(100, Long.MAX_VALUE);

      assertThat(values(batch)).containsExactly("v0", "v2");
      assertThat(spool.stats().corruptRecords()).isEqualTo(1);
      spool.ack(batch);
      assertThat(spool.stats().pendingRecords()).isZero();
    }
  }

  @Test
  void skipsTheRestOfASegmentWhoseLengthFieldIsGarbage() throws IOException {
    try (Spool spool = Spool.open(dir, 1 << 20, 1 << 16)) {
      spool.append(records(0, 4));
    }
    Path segment = segmentFiles().get(0);
    byte[] bytes = Files.readAllBytes(segment);
    int frame = frameStart(bytes, 1);
    bytes[frame] = (byte) 0x7f; // a length of ~2 GB
    Files.write(segment, bytes);

    try (Spool spool = Spool.open(dir, 1 << 20, 1 << 16)) {
      spool.append(records(4, 5));

      assertThat(values(spool.next(100, Long.MAX_VALUE))).containsExactly("v0", "v4");
      assertThat(spool.stats().corruptRecords())
          .as("the unreadable rest counts as one record")
          .isEqualTo(1);
    }
  }

  @Test
  void skipsAFileWithoutTheSpoolHeader() throws IOException {
    Files.write(dir.resolve("seg-00000000000000000000.log"), "not a spool".getBytes());

    try (Spool spool = Spool.open(dir, Spool.DEFAULT_MAX_BYTES)) {
      spool.append(records(0, 1));
      SpoolBatch batch = spool.next(100, Long.MAX_VALUE);

      assertThat(values(batch)).containsExactly("v0");
      assertThat(spool.stats().corruptRecords()).isEqualTo(1);
      spool.ack(batch);
    }
    assertThat(dir.resolve("seg-00000000000000000000.log")).doesNotExist();
  }

  @Test
  void treatsAnEmptySegmentFileFromACrashAsEmptyNotCorrupt() throws IOException {
    Files.write(dir.resolve("seg-00000000000000000000.log"), new byte[0]);

    try (Spool spool = Spool.open(dir, Spool.DEFAULT_MAX_BYTES)) {
      spool.append(records(0, 1));
      SpoolBatch batch = spool.next(100, Long.MAX_VALUE);

      assertThat(values(batch)).containsExactly("v0");
      assertThat(spool.stats().corruptRecords()).isZero();
      spool.ack(batch);
    }
    assertThat(dir.resolve("seg-00000000000000000000.log")).doesNotExist();
  }

  @Test
  void resendsEverythingWhenTheCheckpointIsCorrupt() throws IOException {
    try (Spool spool = Spool.open(dir, Spool.DEFAULT_MAX_BYTES)) {
      spool.append(records(0, 3));
      spool.ack(spool.next(1, Long.MAX_VALUE));
    }
    Files.write(dir.resolve("acked.pos"), new byte[] {1, 2, 3});

    try (Spool spool = Spool.open(dir, Spool.DEFAULT_MAX_BYTES)) {
      assertThat(values(spool.next(100, Long.MAX_VALUE))).containsExactly("v0", "v1", "v2");
    }
  }

  @Test
  void refusesASecondSpoolOnTheSameDirectory() throws IOException {
    try (Spool spool = Spool.open(dir, Spool.DEFAULT_MAX_BYTES)) {
      assertThatThrownBy(() -> Spool.open(dir, Spool.DEFAULT_MAX_BYTES))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("in use by another collector");
    }
  }

  @Test
  void refusesARecordLargerThanAQuarterOfTheBound() throws IOException {
    try (Spool spool = Spool.open(dir, 64 << 10)) {
      SpoolRecord huge = SpoolRecord.of("culprit.samples.filter", 1L, "h", new byte[20 << 10]);

      assertThatThrownBy(() -> spool.append(List.of(huge)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("culprit.samples.filter");
      assertThat(spool.stats().pendingRecords()).isZero();
    }
  }

  @Test
  void wakesAWaitingReaderWhenRecordsArrive() throws Exception {
    try (Spool spool = Spool.open(dir, Spool.DEFAULT_MAX_BYTES)) {
      assertThat(spool.awaitRecords(Duration.ZERO)).isFalse();
      CompletableFuture<Boolean> waiter =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return spool.awaitRecords(Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              });

      spool.append(records(0, 1));

      assertThat(waiter.get(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  private List<Path> segmentFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().startsWith("seg-")).sorted().toList();
    }
  }

  /** Byte offset of the n-th frame (0-based) of a segment file. */
  private static int frameStart(byte[] segment, int n) {
    int at = SpoolFrames.HEADER_BYTES;
    for (int i = 0; i < n; i++) {
      int length = java.nio.ByteBuffer.wrap(segment, at, 4).getInt();
      at += SpoolFrames.FRAME_OVERHEAD + length;
    }
    return at;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }

  static List<SpoolRecord> bigRecords(int count, int valueBytes) {
    return IntStream.range(0, count)
        .mapToObj(
            i -> {
              byte[] value = new byte[valueBytes];
              Arrays.fill(value, (byte) ('a' + i % 26));
              byte[] label = ("v" + i + ":").getBytes(StandardCharsets.UTF_8);
              System.arraycopy(label, 0, value, 0, label.length);
              return SpoolTestRecords.record(i, value);
            })
        .toList();
  }

  private static List<String> values(SpoolBatch batch) {
    return batch.records().stream().map(SpoolTest::value).toList();
  }

  private static String value(SpoolRecord r) {
    return new String(r.value(), StandardCharsets.UTF_8);
  }
}
