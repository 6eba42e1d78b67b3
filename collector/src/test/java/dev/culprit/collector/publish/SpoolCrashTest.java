package dev.culprit.collector.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the agent ({@code kill -9} of a child JVM running the spool and its sender, {@link
 * SpoolCrashChild}) at random points of append, roll, acknowledgement and checkpoint, many times
 * over one spool directory, then lets a last run drain it. Every record the spool acknowledged as
 * appended must have been delivered, in order per topic (compared by collector id and seq); a
 * record is delivered again only by a later run, and each run sends again at most the one window
 * that a killed run had delivered but not yet recorded as delivered (at-least-once: consumers drop
 * the copy by collector id and seq).
 *
 * <p>Bounded for {@code mvn verify}; a soak: {@code -Dculprit.spool.crashKills=2000
 * -Dculprit.spool.crashSeconds=3600} (see BENCHMARKS.md).
 */
class SpoolCrashTest {

  private static final long SPOOL_BYTES = 1L << 20; // 128 KiB segments: rolls in every run

  @TempDir Path dir;

  @Test
  void everyRecordTheSpoolAcceptedIsDeliveredInOrderAcrossRandomKills() throws Exception {
    int kills = Integer.getInteger("culprit.spool.crashKills", 100);
    long budgetNanos = TimeUnit.SECONDS.toNanos(Long.getLong("culprit.spool.crashSeconds", 90));
    long seed = Long.getLong("culprit.spool.crashSeed", System.nanoTime());
    Random random = new Random(seed);
    Path spool = dir.resolve("spool");
    Path appendedLog = dir.resolve("appended.log");
    Path deliveredLog = dir.resolve("delivered.log");
    long started = System.nanoTime();
    int done = 0;
    while (done < kills && System.nanoTime() - started < budgetNanos) {
      Process child = start(spool, appendedLog, deliveredLog, "run-" + done, "run");
      try {
        if (random.nextInt(10) == 0) {
          // Now and then during start-up: recovery, lock, the new segment.
          Thread.sleep(random.nextInt(400));
        } else {
          awaitReady(child);
          // The kill point is what this test varies: anywhere in the next moments of work.
          Thread.sleep(random.nextInt(250));
        }
      } finally {
        child.destroyForcibly(); // SIGKILL: no shutdown hook, no close, no flush
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("killed child ends").isTrue();
      }
      done++;
    }
    Process drain = start(spool, appendedLog, deliveredLog, "run-" + done, "drain");
    String said = new String(drain.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(drain.waitFor(120, TimeUnit.SECONDS)).as("the last run drains in time").isTrue();
    assertThat(drain.exitValue()).as("last run (seed %d): %s %s", seed, said, log()).isZero();
    assertThat(said).as("nothing dropped for room").contains("dropped 0");

    assertThat(done).as("kills within the time budget").isGreaterThanOrEqualTo(Math.min(kills, 20));
    long segmentsMade;
    try (var files = Files.list(spool)) {
      segmentsMade =
          files
              .map(f -> f.getFileName().toString())
              .filter(n -> n.matches("seg-\\d{20}\\.log"))
              .mapToLong(n -> Long.parseLong(n.substring(4, 24)))
              .max()
              .orElse(0);
    }
    System.out.printf(
        "seed %d: %d kills, %d records appended, %d deliveries, %d segments made%n",
        seed,
        done,
        Files.readAllLines(appendedLog).size(),
        Files.readAllLines(deliveredLog).size(),
        segmentsMade + 1);
    assertThat(segmentsMade)
        .as("segments rolled within runs, not only one per start")
        .isGreaterThan(done + 1);
    check(done, seed, Files.readAllLines(appendedLog), Files.readAllLines(deliveredLog));
  }

  private static void check(int kills, long seed, List<String> appended, List<String> delivered) {
    assertThat(appended).as("records appended before the kills").hasSizeGreaterThan(kills);
    Map<String, String> firstDeliverer = new HashMap<>();
    Map<String, long[]> lastPerTopic = new HashMap<>();
    Map<String, Integer> duplicatesByRun = new HashMap<>();
    for (String line : delivered) {
      String[] f = line.split(" ");
      assertThat(f).as("delivered line '%s'", line).hasSize(4);
      String record = f[1] + " " + f[2] + " " + f[3];
      String first = firstDeliverer.putIfAbsent(record, f[0]);
      if (first != null) {
        assertThat(runIndex(first))
            .as("(seed %d) %s delivered again only by a later run, after a kill", seed, record)
            .isLessThan(runIndex(f[0]));
        duplicatesByRun.merge(f[0], 1, Integer::sum);
        continue;
      }
      long[] position = {runIndex(f[1]), Long.parseLong(f[3])};
      long[] last = lastPerTopic.put(f[2], position);
      if (last != null) {
        assertThat(position[0] > last[0] || (position[0] == last[0] && position[1] > last[1]))
            .as(
                "(seed %d) %s after run-%d seq %d: in order per topic",
                seed, record, last[0], last[1])
            .isTrue();
      }
    }
    Set<String> missing = new LinkedHashSet<>(appended);
    missing.removeAll(firstDeliverer.keySet());
    assertThat(missing).as("(seed %d) accepted by the spool but never delivered", seed).isEmpty();
    duplicatesByRun.forEach(
        (run, n) ->
            assertThat(n)
                .as(
                    "(seed %d) records %s delivered and then sent again: one window at most",
                    seed, run)
                .isLessThanOrEqualTo(SpoolSender.WINDOW_RECORDS));
  }

  private static int runIndex(String runId) {
    return Integer.parseInt(runId.substring("run-".length()));
  }

  private Process start(Path spool, Path appendedLog, Path deliveredLog, String runId, String mode)
      throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>();
    command.add(java);
    command.add("-Xmx128m");
    command.add("-XX:TieredStopAtLevel=1"); // starts faster; these runs are short
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(SpoolCrashChild.class.getName());
    command.add(spool.toString());
    command.add(appendedLog.toString());
    command.add(deliveredLog.toString());
    command.add(runId);
    command.add(mode);
    command.add(Long.toString(SPOOL_BYTES));
    return new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("children.log").toFile()))
        .start();
  }

  private String log() throws IOException {
    Path log = dir.resolve("children.log");
    if (!Files.exists(log)) {
      return "";
    }
    String text = Files.readString(log);
    return text.substring(Math.max(0, text.length() - 4000));
  }

  private static void awaitReady(Process child) throws IOException {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine(); // null when it died first: then there is nothing to wait for
    assertThat(line).as("the child starts").isIn("ready", null);
  }
}
