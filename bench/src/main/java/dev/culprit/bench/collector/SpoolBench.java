package dev.culprit.bench.collector;

import dev.culprit.collector.publish.spool.Spool;
import dev.culprit.collector.publish.spool.SpoolBatch;
import dev.culprit.collector.publish.spool.SpoolRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.utils.internals.ByteBufferOutputStream;

/**
 * Spool throughput against raw {@link FileChannel} I/O of the same bytes in the same run, and the
 * producer's compression codecs on real sample records. Not a test: run it with
 *
 * <pre>
 * bench/run SpoolBench
 * </pre>
 *
 * Numbers are medians of 5 rounds after 2 warm-up rounds; the page cache is warm for reads, and
 * nothing is fsynced (the spool does not fsync appends either).
 */
public final class SpoolBench {

  private static final int CYCLES = 2000;
  private static final int NAMESPACES = 10;
  private static final int WARMUP = 2;
  private static final int ROUNDS = 5;

  private SpoolBench() {}

  public static void main(String[] args) throws Exception {
    List<List<SpoolRecord>> cycles = BenchRecords.cycles(CYCLES, NAMESPACES);
    long records = cycles.stream().mapToLong(List::size).sum();
    long bytes = cycles.stream().flatMap(List::stream).mapToLong(r -> r.value().length).sum();
    System.out.printf(
        "data: %d cycles x %d namespaces = %d records, %.1f MiB of values (mean %d B/record)%n",
        CYCLES, NAMESPACES, records, bytes / 1048576.0, bytes / records);
    Path root = Files.createTempDirectory("culprit-spool-bench-");
    try {
      Path spoolDir = root.resolve("spool");
      Path rawFile = root.resolve("raw.bin");
      double appendSpool = median(() -> timed(() -> appendSpool(spoolDir, cycles), spoolDir));
      double appendRaw = median(() -> timed(() -> appendRaw(rawFile, cycles, false), rawFile));
      double appendRawSync = median(() -> timed(() -> appendRaw(rawFile, cycles, true), rawFile));
      appendSpool(spoolDir, cycles);
      appendRaw(rawFile, cycles, false);
      double open = median(() -> timedNoCleanup(() -> openAndClose(spoolDir)));
      double replaySpool = median(() -> timedNoCleanup(() -> replaySpool(spoolDir, records)));
      double replayRaw = median(() -> timedNoCleanup(() -> replayRaw(rawFile)));

      System.out.printf("%-34s %10s %12s %10s%n", "operation", "ms", "records/s", "MiB/s");
      row("append: Spool.append per cycle", appendSpool, records, bytes);
      row("append: raw FileChannel.write", appendRaw, records, bytes);
      row("append: raw write, fsync per 8 MiB", appendRawSync, records, bytes);
      System.out.printf(
          "  spool/raw time ratio: %.2f (against raw with the spool's fsyncs: %.2f)%n",
          appendSpool / appendRaw, appendSpool / appendRawSync);
      row("replay: Spool.next(500, 1 MiB)+ack", replaySpool, records, bytes);
      row("replay: raw FileChannel.read", replayRaw, records, bytes);
      System.out.printf("  spool/raw time ratio: %.2f%n", replaySpool / replayRaw);
      row("restart: Spool.open (recovery scan)", open, records, bytes);

      System.out.printf(
          "%ncompression of producer batches (Kafka's codecs, default levels)%n%-26s %8s %10s%n",
          "codec, window", "ratio", "MiB/s");
      for (int window : new int[] {1, 50}) {
        List<byte[]> batches = batches(cycles, window);
        long raw = batches.stream().mapToLong(b -> b.length).sum();
        for (String codec : List.of("lz4", "zstd", "gzip")) {
          long[] out = new long[1];
          double ms = median(() -> timedNoCleanup(() -> out[0] = compress(codec, batches)));
          System.out.printf(
              "%-26s %8.3f %10.1f%n",
              codec + ", " + (window == 1 ? "one cycle" : window + " cycles"),
              (double) out[0] / raw,
              raw / 1048576.0 / (ms / 1000));
        }
      }
    } finally {
      delete(root);
    }
  }

  private static void appendSpool(Path dir, List<List<SpoolRecord>> cycles) throws IOException {
    try (Spool spool = Spool.open(dir, 1L << 30)) {
      for (List<SpoolRecord> cycle : cycles) {
        spool.append(cycle);
      }
    }
  }

  /** Like the spool, optionally forcing the file every 8 MiB as the spool does per segment. */
  private static void appendRaw(Path file, List<List<SpoolRecord>> cycles, boolean sync)
      throws IOException {
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      long sinceSync = 0;
      for (List<SpoolRecord> cycle : cycles) {
        ByteBuffer buffer =
            ByteBuffer.allocate(cycle.stream().mapToInt(r -> r.value().length).sum());
        cycle.forEach(r -> buffer.put(r.value()));
        buffer.flip();
        while (buffer.hasRemaining()) {
          sinceSync += channel.write(buffer);
        }
        if (sync && sinceSync >= 8 << 20) {
          channel.force(false);
          sinceSync = 0;
        }
      }
    }
  }

  private static void openAndClose(Path dir) throws IOException {
    Spool.open(dir, 1L << 30).close();
  }

  /** Reads everything and acknowledges it, then puts the checkpoint back for the next round. */
  private static void replaySpool(Path dir, long expected) throws IOException {
    Path checkpoint = dir.resolve("acked.pos");
    Files.deleteIfExists(checkpoint);
    long seen = 0;
    // Copy the segments so acknowledging (which deletes them) leaves the data for the next round.
    Path copy = dir.resolveSibling("replay");
    delete(copy);
    Files.createDirectories(copy);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("seg-")).toList()) {
        Files.createLink(copy.resolve(f.getFileName()), f);
      }
    }
    try (Spool spool = Spool.open(copy, 1L << 30)) {
      SpoolBatch batch;
      while (!(batch = spool.next(500, 1 << 20)).isEmpty()) {
        seen += batch.records().size();
        spool.ack(batch);
      }
    }
    if (seen != expected) {
      throw new IllegalStateException("replayed " + seen + " of " + expected);
    }
  }

  private static void replayRaw(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buffer = ByteBuffer.allocate(256 << 10);
      while (channel.read(buffer) > 0) {
        buffer.clear();
      }
    }
  }

  /**
   * The record values of {@code window} consecutive cycles per topic, as a producer batches them.
   */
  private static List<byte[]> batches(List<List<SpoolRecord>> cycles, int window) {
    List<byte[]> out = new ArrayList<>();
    for (int start = 0; start < cycles.size(); start += window) {
      for (String topic : List.of("culprit.samples.protocol", "culprit.samples.interface")) {
        ByteBuffer buffer = ByteBuffer.allocate(64 << 20);
        for (List<SpoolRecord> cycle :
            cycles.subList(start, Math.min(cycles.size(), start + window))) {
          cycle.stream().filter(r -> r.topic().equals(topic)).forEach(r -> buffer.put(r.value()));
        }
        byte[] batch = new byte[buffer.position()];
        buffer.flip().get(batch);
        out.add(batch);
      }
    }
    return out;
  }

  private static long compress(String codec, List<byte[]> batches) throws IOException {
    Compression compression = Compression.of(codec).build();
    long total = 0;
    for (byte[] batch : batches) {
      ByteBufferOutputStream sink = new ByteBufferOutputStream(batch.length / 2 + 64);
      try (OutputStream out = compression.wrapForOutput(sink, (byte) 2)) {
        out.write(batch);
      }
      total += sink.position();
    }
    return total;
  }

  private static void row(String name, double ms, long records, long bytes) {
    System.out.printf(
        "%-34s %10.1f %12.0f %10.1f%n",
        name, ms, records / (ms / 1000), bytes / 1048576.0 / (ms / 1000));
  }

  private interface Action {
    void run() throws IOException;
  }

  private static double timed(Action action, Path cleanup) {
    try {
      delete(cleanup);
      long start = System.nanoTime();
      action.run();
      double ms = (System.nanoTime() - start) / 1e6;
      delete(cleanup);
      return ms;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static double timedNoCleanup(Action action) {
    try {
      long start = System.nanoTime();
      action.run();
      return (System.nanoTime() - start) / 1e6;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static double median(Supplier<Double> round) {
    for (int i = 0; i < WARMUP; i++) {
      round.get();
    }
    List<Double> times = new ArrayList<>();
    for (int i = 0; i < ROUNDS; i++) {
      times.add(round.get());
    }
    times.sort(Comparator.naturalOrder());
    return times.get(ROUNDS / 2);
  }

  private static void delete(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> all = Files.walk(path)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
