package dev.culprit.collector.publish;

import dev.culprit.collector.publish.spool.Spool;
import dev.culprit.collector.publish.spool.SpoolRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The agent {@link SpoolCrashTest} kills: appends records to a spool as fast as it can while a
 * {@link SpoolSender} drains it through a transport that writes every record it is given to a file
 * before acknowledging it. After each {@code append} returns, the records are written to the
 * appended log: those are the records the spool promised to deliver.
 *
 * <p>Arguments: spool directory, appended log, delivered log, run id (the collector id), mode
 * ({@code run}: append until killed; {@code drain}: deliver what the spool holds and exit), bound.
 * Lines: appended {@code <run> <topic> <seq>}, delivered {@code <delivering run> <run> <topic>
 * <seq>}.
 */
final class SpoolCrashChild {

  static final String[] TOPICS = {"culprit.t0", "culprit.t1", "culprit.t2"};

  private SpoolCrashChild() {}

  public static void main(String[] args) throws Exception {
    Path spoolDir = Path.of(args[0]);
    Path appendedLog = Path.of(args[1]);
    Path deliveredLog = Path.of(args[2]);
    String runId = args[3];
    boolean drain = args[4].equals("drain");
    long maxBytes = Long.parseLong(args[5]);
    // A kill in the middle of a log write leaves half a line: it never counted, so cut it.
    cutToLastLine(appendedLog);
    cutToLastLine(deliveredLog);
    try (FileChannel appended = openForAppend(appendedLog);
        FileChannel delivered = openForAppend(deliveredLog)) {
      Spool spool = Spool.open(spoolDir, maxBytes);
      SpoolSender sender =
          new SpoolSender(spool, () -> new FileTransport(delivered, runId), "a file");
      if (drain) {
        sender.recordsAppended();
        boolean done = sender.awaitDelivered(Duration.ofSeconds(60));
        sender.stop(Duration.ofSeconds(1));
        long dropped = spool.stats().droppedRecords();
        spool.close();
        System.out.println("drained " + done + " dropped " + dropped);
        System.exit(done ? 0 : 1);
      }
      System.out.println("ready");
      System.out.flush();
      Random random = new Random();
      long[] seq = new long[TOPICS.length];
      byte[] padding = new byte[100 + random.nextInt(200)];
      while (true) {
        while (spool.stats().pendingBytes() > maxBytes / 2) {
          // Stay clear of the bound: this run is about crashes, not about dropping when full.
          Thread.sleep(1);
        }
        int n = 1 + random.nextInt(30);
        List<SpoolRecord> batch = new ArrayList<>(n);
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < n; i++) {
          int t = random.nextInt(TOPICS.length);
          String id = runId + " " + TOPICS[t] + " " + ++seq[t];
          byte[] label = (id + "\n").getBytes(StandardCharsets.UTF_8);
          byte[] value = new byte[label.length + padding.length];
          System.arraycopy(label, 0, value, 0, label.length);
          batch.add(SpoolRecord.of(TOPICS[t], SpoolRecord.NO_TIMESTAMP, runId, value));
          lines.append(id).append('\n');
        }
        spool.append(batch);
        sender.recordsAppended();
        write(appended, lines.toString());
      }
    }
  }

  /** Writes what it is given to the delivered log in one write, then acknowledges it all. */
  private static final class FileTransport implements Transport {
    private final FileChannel log;
    private final String runId;

    FileTransport(FileChannel log, String runId) {
      this.log = log;
      this.runId = runId;
    }

    @Override
    public void send(List<SpoolRecord> records, DeliveryAttempt attempt) {
      StringBuilder lines = new StringBuilder();
      for (SpoolRecord r : records) {
        String value = new String(r.value(), StandardCharsets.UTF_8);
        lines.append(runId).append(' ').append(value, 0, value.indexOf('\n') + 1);
      }
      try {
        write(log, lines.toString());
      } catch (IOException e) {
        attempt.notSent(0, e);
        return;
      }
      for (int i = 0; i < records.size(); i++) {
        attempt.acknowledged(i);
      }
    }

    @Override
    public void close() {}
  }

  private static FileChannel openForAppend(Path file) throws IOException {
    return FileChannel.open(
        file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  private static void write(FileChannel channel, String text) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  private static void cutToLastLine(Path file) throws IOException {
    if (!file.toFile().exists()) {
      return;
    }
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = channel.size();
      long keep = size;
      ByteBuffer one = ByteBuffer.allocate(1);
      while (keep > 0) {
        one.clear();
        channel.read(one, keep - 1);
        if (one.get(0) == '\n') {
          break;
        }
        keep--;
      }
      if (keep < size) {
        channel.truncate(keep);
      }
    }
  }
}
