package dev.culprit.collector.publish;

import dev.culprit.collector.platform.fs.OwnedDirectory;
import dev.culprit.collector.publish.spool.Spool;
import dev.culprit.collector.publish.spool.SpoolBatch;
import dev.culprit.collector.publish.spool.SpoolRecord;
import dev.culprit.collector.publish.spool.SpoolStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records of topics the broker refuses (missing, denied), one {@link Spool} per topic in {@code
 * <spool>/held/t-<hash of the topic>/} with the topic's name in a file {@code topic}: a topic's
 * records leave the main spool in order and wait here, in the same order, so the main spool keeps
 * flowing for the other topics. While a topic has records here, its newer ones from the main spool
 * join them at the end, so the broker receives each topic in spool order: what waited first.
 *
 * <p>Bound: together with the main spool the files stay within the main spool's bound; {@link
 * #trimTo} drops the oldest held records, from the largest held topic first, when they do not fit.
 *
 * <p>The sender thread does everything but {@link #stats()}, which any thread may call.
 */
final class HeldTopics {

  static final String DIRECTORY = "held";
  private static final String TOPIC_FILE = "topic";

  /** How a {@link Spool}'s segment files are named. */
  private static final String SEGMENT_PREFIX = "seg-";

  private static final Logger LOG = LoggerFactory.getLogger(HeldTopics.class);

  /** One held topic: its spool and the records of its window in flight, not yet delivered. */
  private static final class Held {
    final Spool spool;
    final Path dir;
    SpoolBatch batch;
    List<SpoolRecord> undelivered = List.of();

    Held(Spool spool, Path dir) {
      this.spool = spool;
      this.dir = dir;
    }
  }

  private final Path root;
  private final long maxBytes;
  private final Map<String, Held> byTopic = new LinkedHashMap<>();

  /** Counters of held spools already removed, so the totals never go back. */
  private long retiredDropped;

  private long retiredCorrupt;

  /**
   * Records lost because a held spool refused them, or dropped from a window read for the next try
   * to keep the bound.
   */
  private long lost;

  HeldTopics(Path spoolDir, long maxBytes) {
    this.root = spoolDir.resolve(DIRECTORY);
    this.maxBytes = maxBytes;
  }

  /**
   * Reopens what an earlier run left held, in the order found; a directory that is not a held
   * topic's (no readable, valid {@code topic} file) is logged and left alone.
   */
  synchronized List<String> recover() throws IOException {
    List<String> found = new ArrayList<>();
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      return found;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
      for (Path dir : dirs) {
        String topic = readTopic(dir);
        if (topic == null || !dir.getFileName().toString().equals(directoryName(topic))) {
          LOG.warn("{} is not a held topic's directory; left alone", dir);
          continue;
        }
        Held h;
        try {
          h = new Held(Spool.open(dir, maxBytes), dir);
        } catch (IOException | RuntimeException e) {
          LOG.error("cannot open the held records of {} in {}: {}", topic, dir, e.toString());
          continue;
        }
        byTopic.put(topic, h);
        found.add(topic);
        LOG.info(
            "{} records of {} held by an earlier run go before that topic's newer ones",
            h.spool.stats().pendingRecords(),
            topic);
      }
    }
    return found;
  }

  /** Whether {@code topic}'s records wait here: its newer ones must wait behind them. */
  synchronized boolean holds(String topic) {
    return byTopic.containsKey(topic);
  }

  /** The topics with records here, in the order they were first held. */
  synchronized List<String> topics() {
    return List.copyOf(byTopic.keySet());
  }

  /**
   * Appends {@code records} (all of {@code topic}, in spool order) behind what {@code topic} holds.
   * When the disk refuses them they are counted as lost.
   */
  synchronized void append(String topic, List<SpoolRecord> records) {
    try {
      Held h = byTopic.get(topic);
      if (h == null) {
        Path dir =
            OwnedDirectory.ensure(root, "held topics directory").resolve(directoryName(topic));
        OwnedDirectory.ensure(dir, "held topic directory");
        // The name first: a directory with records always says whose they are. Forced, with the
        // directories' entries, before any record moves here: after a power loss a held topic
        // whose name is lost would be left alone by the next start, its records never sent.
        writeForced(dir.resolve(TOPIC_FILE), topic.getBytes(StandardCharsets.UTF_8));
        h = new Held(Spool.open(dir, maxBytes), dir);
        Spool.syncDirectory(dir);
        Spool.syncDirectory(root);
        Spool.syncDirectory(root.getParent());
        byTopic.put(topic, h);
      }
      h.spool.append(records);
    } catch (IOException | RuntimeException e) {
      lost += records.size();
      LOG.error(
          "cannot hold {} records of {} in {}; they are lost: {}",
          records.size(),
          topic,
          root,
          e.toString());
    }
  }

  /**
   * Forces what {@code topics} hold to disk. Called before the main spool's window that moved their
   * records here is acknowledged: that acknowledgement may reach the disk first, and a power loss
   * between the two would lose the records from both spools. Only windows with refused topics pay
   * for it.
   */
  synchronized void sync(Iterable<String> topics) {
    for (String topic : topics) {
      Held h = byTopic.get(topic);
      if (h == null) {
        continue;
      }
      try {
        h.spool.sync();
      } catch (IOException e) {
        LOG.warn("cannot fsync the held records of {} in {}: {}", topic, h.dir, e.toString());
      }
    }
  }

  /**
   * The records of {@code topic} to send next, in order: those of the window in flight not yet
   * delivered, else the next window. Empty when nothing is held any more: the topic is then removed
   * and its records flow from the main spool again.
   */
  synchronized List<SpoolRecord> next(String topic, int maxRecords, long maxWindowBytes)
      throws IOException {
    Held h = byTopic.get(topic);
    if (h == null) {
      return List.of();
    }
    if (h.batch == null) {
      SpoolBatch batch = h.spool.next(maxRecords, maxWindowBytes);
      if (batch.end() == null) {
        remove(topic, h);
        return List.of();
      }
      h.batch = batch;
      h.undelivered = batch.records();
      if (batch.isEmpty()) {
        // Only corrupt frames: acknowledge them and look again next time.
        settle(topic, List.of());
      }
    }
    return h.undelivered;
  }

  /**
   * The window of {@code topic} was sent: {@code refused} (in order) are still to be delivered, the
   * rest is done; when nothing is left the window is acknowledged in the held spool, and when the
   * spool is then empty the topic is no longer held.
   */
  synchronized void settle(String topic, List<SpoolRecord> refused) throws IOException {
    Held h = byTopic.get(topic);
    if (h == null || h.batch == null) {
      return;
    }
    if (!refused.isEmpty()) {
      h.undelivered = List.copyOf(refused);
      return;
    }
    // Forgotten before the acknowledgement: one that fails (a full disk) must neither send the
    // window again nor count it twice. Its records stay in the files, sent again only after a
    // restart.
    SpoolBatch delivered = h.batch;
    h.batch = null;
    h.undelivered = List.of();
    h.spool.ack(delivered);
    if (h.spool.stats().pendingRecords() == 0) {
      remove(topic, h); // all delivered: the topic's newer records flow from the main spool
    }
  }

  /**
   * Drops the oldest held records until the held spools' files count at most {@code bytes}, taking
   * from the largest held topic first.
   */
  synchronized void trimTo(long bytes) {
    long total = 0;
    for (Held h : byTopic.values()) {
      total += h.spool.stats().diskBytes();
    }
    while (total > Math.max(0, bytes)) {
      Held largest = null;
      long largestBytes = -1;
      for (Held h : byTopic.values()) {
        long b = h.spool.stats().diskBytes();
        if (b > largestBytes) {
          largest = h;
          largestBytes = b;
        }
      }
      if (largest == null) {
        return;
      }
      String why =
          "the main spool and the held topics together reached the bound of " + maxBytes + " bytes";
      long target = largestBytes - (total - bytes);
      boolean droppedWindow = largest.batch != null;
      try {
        if (droppedWindow) {
          // The window read for the next try holds the topic's oldest records: they go first.
          dropWindow(largest, why);
        }
        if (largest.spool.stats().diskBytes() > target) {
          largest.spool.dropOldestBeyond(target, why);
        }
      } catch (IOException e) {
        LOG.warn("cannot drop held records in {}: {}", largest.dir, e.toString());
        return;
      }
      long after = largest.spool.stats().diskBytes();
      if (after >= largestBytes && !droppedWindow) {
        return; // nothing more to drop there: the next trim tries again
      }
      total -= largestBytes - after;
    }
  }

  /** Drops the window of {@code h} read for its next try: counted, acknowledged in its spool. */
  private void dropWindow(Held h, String why) throws IOException {
    int dropped = h.undelivered.size();
    SpoolBatch batch = h.batch;
    h.batch = null;
    h.undelivered = List.of();
    lost += dropped;
    h.spool.ack(batch);
    LOG.warn("{}: dropped {} held records, the oldest, because {}", h.dir, dropped, why);
  }

  /** Held records and bytes waiting (or in flight), and what was dropped or found corrupt. */
  synchronized SpoolStats stats() {
    long records = 0;
    long pendingBytes = 0;
    long disk = 0;
    long dropped = retiredDropped + lost;
    long corrupt = retiredCorrupt;
    for (Held h : byTopic.values()) {
      SpoolStats s = h.spool.stats();
      records += s.pendingRecords();
      pendingBytes += s.pendingBytes();
      disk += s.diskBytes();
      dropped += s.droppedRecords();
      corrupt += s.corruptRecords();
    }
    return new SpoolStats(records, pendingBytes, disk, dropped, corrupt);
  }

  /** Closes every held spool; what they hold stays for the next start. */
  synchronized void close() {
    for (Held h : byTopic.values()) {
      try {
        h.spool.close();
      } catch (IOException e) {
        LOG.warn("closing held spool {}: {}", h.dir, e.toString());
      }
    }
    byTopic.clear();
  }

  /** The directory of {@code topic}: a hash, so no topic name is ever a path. */
  static String directoryName(String topic) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(topic.getBytes(StandardCharsets.UTF_8));
      return "t-" + HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256", e);
    }
  }

  /**
   * Forgets a held topic whose spool is empty and deletes its directory, best effort: failing here
   * would stall every topic behind it. The segments go first and the rest only once they are all
   * gone, so a directory left behind (something else in it) never holds delivered records without
   * the checkpoint that marks them delivered: holding the topic again reopens it and sends nothing
   * twice.
   */
  private void remove(String topic, Held h) {
    SpoolStats s = h.spool.stats();
    retiredDropped += s.droppedRecords();
    retiredCorrupt += s.corruptRecords();
    byTopic.remove(topic);
    try {
      h.spool.close();
      List<Path> segments = new ArrayList<>();
      List<Path> others = new ArrayList<>();
      try (DirectoryStream<Path> files = Files.newDirectoryStream(h.dir)) {
        for (Path f : files) {
          String name = f.getFileName().toString();
          if (name.startsWith(SEGMENT_PREFIX)) {
            segments.add(f);
          } else if (!name.equals(TOPIC_FILE)) {
            others.add(f);
          }
        }
      }
      for (Path f : segments) {
        Files.deleteIfExists(f);
      }
      IOException left = null;
      for (Path f : others) {
        try {
          Files.deleteIfExists(f);
        } catch (IOException e) {
          left = e;
        }
      }
      if (left != null) {
        throw left;
      }
      // The name last: a directory with anything of a spool in it still says whose it is.
      Files.deleteIfExists(h.dir.resolve(TOPIC_FILE));
      Files.deleteIfExists(h.dir);
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "{} delivered all its held records but cannot be removed ({}); left as it is",
          h.dir,
          e.toString());
    }
  }

  /** Writes {@code bytes} to {@code file} (never through a symlink) and forces them to disk. */
  private static void writeForced(Path file, byte[] bytes) throws IOException {
    try (java.nio.channels.FileChannel ch =
        java.nio.channels.FileChannel.open(
            file,
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.TRUNCATE_EXISTING,
            java.nio.file.StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS)) {
      java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        ch.write(buffer);
      }
      ch.force(true);
    }
  }

  /** The topic named in {@code dir}, or null when it is not a valid one. */
  private static String readTopic(Path dir) {
    Path file = dir.resolve(TOPIC_FILE);
    try {
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) > 1024) {
        return null;
      }
      String topic = Files.readString(file, StandardCharsets.UTF_8);
      SpoolRecord.of(topic, SpoolRecord.NO_TIMESTAMP, "", new byte[0]); // validates the name
      return topic;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
