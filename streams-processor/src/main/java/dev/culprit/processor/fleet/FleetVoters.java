package dev.culprit.processor.fleet;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Which hosts voted for a signature in a fleet window: 64-bit hashes of their names, sorted, in
 * {@value #BUCKETS} buckets per window (by the hash's top bits), so a vote rewrites one bucket — an
 * eighth of a kilobyte per bucket at 10,000 hosts — rather than the whole window's set.
 */
final class FleetVoters {

  static final int BUCKETS = 64;

  private final KeyValueStore<String, byte[]> store;

  FleetVoters(KeyValueStore<String, byte[]> store) {
    this.store = store;
  }

  /**
   * Adds {@code host} to the voters of the window whose key is {@code windowKey}.
   *
   * @return false when it had voted already
   */
  boolean add(String windowKey, String host) {
    long hash = hash(host);
    String key = windowKey + String.format("%02x", (int) (hash >>> 58));
    byte[] stored = store.get(key);
    long[] hashes = stored == null ? new long[0] : decode(stored);
    int at = Arrays.binarySearch(hashes, hash);
    if (at >= 0) {
      return false;
    }
    int insert = -at - 1;
    long[] grown = new long[hashes.length + 1];
    System.arraycopy(hashes, 0, grown, 0, insert);
    grown[insert] = hash;
    System.arraycopy(hashes, insert, grown, insert + 1, hashes.length - insert);
    store.put(key, encode(grown));
    return true;
  }

  /** Forgets every voter of the window. */
  void delete(String windowKey) {
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it =
        store.range(windowKey + "00", windowKey + String.format("%02x", BUCKETS - 1))) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> e = it.next();
        keys.add(e.key);
      }
    }
    keys.forEach(store::delete);
  }

  /** 64-bit FNV-1a of the host's UTF-8 bytes. */
  static long hash(String host) {
    long h = 0xcbf29ce484222325L;
    for (byte b : host.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  private static long[] decode(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    long[] hashes = new long[bytes.length / Long.BYTES];
    for (int i = 0; i < hashes.length; i++) {
      hashes[i] = b.getLong();
    }
    return hashes;
  }

  private static byte[] encode(long[] hashes) {
    ByteBuffer b = ByteBuffer.allocate(hashes.length * Long.BYTES);
    for (long h : hashes) {
      b.putLong(h);
    }
    return b.array();
  }
}
