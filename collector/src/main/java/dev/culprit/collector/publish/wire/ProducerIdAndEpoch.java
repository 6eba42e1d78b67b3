package dev.culprit.collector.publish.wire;

/** The identity the broker de-duplicates an idempotent producer's batches under. */
record ProducerIdAndEpoch(long producerId, short epoch) {

  static final ProducerIdAndEpoch NONE = new ProducerIdAndEpoch(-1, (short) -1);

  boolean isValid() {
    return producerId >= 0;
  }
}
