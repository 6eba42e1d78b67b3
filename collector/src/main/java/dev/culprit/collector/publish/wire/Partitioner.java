package dev.culprit.collector.publish.wire;

/**
 * Picks a record's partition as the Java client's default partitioner does for a keyed record
 * (murmur2 of the key, modulo the partition count), so a host's records land where they would with
 * the Java client and stay in order there.
 */
final class Partitioner {

  private Partitioner() {}

  static int partition(byte[] key, int numPartitions) {
    return Murmur2.partition(key, numPartitions);
  }
}
