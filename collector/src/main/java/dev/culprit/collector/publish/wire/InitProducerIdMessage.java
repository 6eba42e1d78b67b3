package dev.culprit.collector.publish.wire;

/**
 * InitProducerId (key 22), flexible versions 2 to 5, without a transactional id: the broker hands
 * out a producer id and epoch, under which it de-duplicates batches by their sequence numbers. Any
 * broker answers it for an idempotent (non-transactional) producer.
 */
final class InitProducerIdMessage {

  static final short KEY = 22;
  static final short MIN_VERSION = 2;
  static final short MAX_VERSION = 5;

  private InitProducerIdMessage() {}

  static void writeRequest(WireWriter w, short version) {
    w.compactNullableString(null); // transactional id
    w.int32(Integer.MAX_VALUE); // transaction timeout: unused without a transactional id
    if (version >= 3) {
      w.int64(-1); // producer id: none yet
      w.int16(-1); // producer epoch
    }
    w.noTaggedFields();
  }

  record Response(short errorCode, long producerId, short producerEpoch) {}

  static Response readResponse(WireReader r) throws WireProtocolException {
    r.int32(); // throttle time
    short error = r.int16();
    long id = r.int64();
    short epoch = r.int16();
    r.skipTaggedFields();
    return new Response(error, id, epoch);
  }
}
