package dev.culprit.collector.publish.spool;

import static dev.culprit.collector.publish.spool.SpoolTestRecords.assertNewestLeft;
import static dev.culprit.collector.publish.spool.SpoolTestRecords.names;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.testing.KernelTests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk that fills up before the spool's bound, for real: a 2 MiB tmpfs mounted for the test (root
 * only). The spool must behave as when it reaches its bound: the oldest records go, counted.
 */
class SpoolFullDiskTest {

  private static final long DISK_BYTES = 2L << 20;

  @TempDir Path parent;
  private Path mount;
  private boolean mounted;

  @BeforeEach
  void mountSmallDisk() throws Exception {
    KernelTests.assumeRootWith("mount", "umount");
    mount = Files.createDirectory(parent.resolve("culprit-spool-disk"));
    run("mount", "-t", "tmpfs", "-o", "size=" + DISK_BYTES, "culprit-spool-disk", mount.toString());
    mounted = true;
  }

  @AfterEach
  void unmount() throws Exception {
    if (mounted) {
      run("umount", mount.toString());
    }
  }

  @Test
  void aFullDiskDropsTheOldestRecordsAndKeepsTheNewestInOrder() throws IOException {
    int total = 4000; // about 4 MiB: twice the disk, far below the bound
    try (Spool spool = Spool.open(mount.resolve("spool"), 64L << 20, 64 << 10)) {
      for (int i = 0; i < total; i++) {
        spool.append(records(i, i + 1));
      }
      SpoolStats stats = spool.stats();
      List<String> left = values(spool.next(total, Long.MAX_VALUE));

      assertThat(stats.droppedRecords()).as("the disk filled up").isPositive();
      assertNewestLeft(stats, left, names(0, total), "the newest survive, in order");
      assertThat(stats.diskBytes()).isLessThanOrEqualTo(DISK_BYTES);
    }
  }

  @Test
  void aSpoolReopensOnAFullDiskByDroppingItsOldestRecords() throws IOException {
    Path dir = mount.resolve("spool");
    int total = 1000;
    try (Spool spool = Spool.open(dir, 64L << 20, 64 << 10)) {
      spool.append(records(0, total));
    }
    fillTheDisk(mount.resolve("filler"));

    try (Spool spool = Spool.open(dir, 64L << 20, 64 << 10)) {
      SpoolStats stats = spool.stats();
      List<String> left = values(spool.next(total, Long.MAX_VALUE));

      assertThat(stats.droppedRecords()).as("room for the new segment was made").isPositive();
      assertNewestLeft(stats, left, names(0, total), "the newest are still there, in order");
    }
  }

  @Test
  void aSegmentLargerThanTheDiskDropsOnlyNewRecordsAndCountsThemUntilDeliveryMakesRoom()
      throws IOException {
    // The default layout for a 64 MiB bound: 8 MiB segments, more than this whole disk.
    try (Spool spool = Spool.open(mount.resolve("spool"), 64L << 20)) {
      int appended = 0;
      int refused = 0;
      for (int i = 0; i < 4000; i++) {
        try {
          spool.append(records(i, i + 1));
          appended++;
        } catch (IOException e) {
          refused++;
        }
      }
      assertThat(refused).as("the disk filled up").isPositive();
      assertThat(spool.stats().droppedRecords())
          .as("each refused record is counted as dropped")
          .isEqualTo(refused);
      SpoolBatch batch = spool.next(4000, Long.MAX_VALUE);
      assertThat(values(batch))
          .as("what was written first is still there: nothing older could make room")
          .containsExactlyElementsOf(names(0, appended));

      try {
        spool.ack(batch);
      } catch (IOException e) {
        // Saving the position needs a page the full disk may not have: delivered all the same.
      }
      spool.append(records(9000, 9001));

      assertThat(values(spool.next(10, Long.MAX_VALUE)))
          .as("once everything was delivered, the spool takes records again")
          .containsExactly("v9000");
    }
  }

  private static void fillTheDisk(Path filler) throws IOException {
    byte[] block = new byte[4096];
    try (var out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(block);
        out.flush();
      }
    } catch (IOException full) {
      // The disk is full: what the test needs.
    }
    assertThat(Files.getFileStore(filler).getUsableSpace()).as("disk full").isLessThan(4096);
  }

  /** 1000-byte records: what fills the 2 MiB disk in a few thousand appends. */
  private static List<SpoolRecord> records(int from, int to) {
    return SpoolTestRecords.padded(from, to, 1000);
  }

  private static List<String> values(SpoolBatch batch) {
    return batch.records().stream()
        .map(r -> new String(r.value(), StandardCharsets.UTF_8).trim())
        .toList();
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("%s ends", command[0]).isTrue();
    assertThat(p.exitValue()).as("%s: %s", String.join(" ", command), output).isZero();
  }
}
