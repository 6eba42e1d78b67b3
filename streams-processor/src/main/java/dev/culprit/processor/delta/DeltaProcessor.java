package dev.culprit.processor.delta;

import dev.culprit.processor.decode.SampleHeader;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one kind's cumulative counters into deltas against the previous sample of the same (host,
 * netns, source), kept in the {@value BaselineStore#NAME} store.
 *
 * <p>A sample gives deltas only when its baseline is the previous sample of the same collector on
 * the same boot, within the maximum gap; otherwise it only becomes the new baseline (see {@link
 * DeltaBasis}). Within an entity a decreasing counter is a restart, never a negative delta. A
 * sample older than its baseline (out of order, duplicate) gives no deltas and leaves the baseline
 * alone: its increase is already inside the later sample's delta. Every sample goes on with its
 * gauges, so a window knows e.g. every MTU even when it has no deltas yet.
 *
 * <p>Baselines of a (host, netns, source) not updated for the TTL are swept on stream time.
 */
public final class DeltaProcessor<S extends SpecificRecord>
    implements FixedKeyProcessor<String, S, SampleDelta<S>> {

  private static final Logger LOG = LoggerFactory.getLogger(DeltaProcessor.class);
  private static final int MAX_SWEEP_DELETES = 10_000;

  private final SampleKind<S> kind;
  private final long maxGapMs;
  private final long ttlMs;
  private FixedKeyProcessorContext<String, SampleDelta<S>> context;
  private KeyValueStore<String, byte[]> store;

  public DeltaProcessor(SampleKind<S> kind, Duration maxGap, Duration ttl) {
    this.kind = kind;
    this.maxGapMs = maxGap.toMillis();
    this.ttlMs = ttl.toMillis();
  }

  @Override
  public void init(FixedKeyProcessorContext<String, SampleDelta<S>> context) {
    this.context = context;
    this.store = context.getStateStore(BaselineStore.NAME);
    Duration sweepEvery = Duration.ofMillis(Math.max(60_000, ttlMs / 4));
    context.schedule(sweepEvery, PunctuationType.STREAM_TIME, this::sweep);
  }

  @Override
  public void process(FixedKeyRecord<String, S> record) {
    S current = kind.trim(record.value());
    SampleHeader now = SampleHeader.of(current);
    String key = BaselineStore.key(kind, now.host(), now.netns());
    S previous = decodeBaseline(key, store.get(key));
    SampleHeader then = previous == null ? null : SampleHeader.of(previous);
    DeltaBasis basis = judge(then, now, maxGapMs);
    if (basis != DeltaBasis.STALE) {
      // Encode before the counters are replaced: the baseline keeps the cumulative values.
      store.put(key, BaselineStore.value(now.sampleTimeMs(), kind.topic().valueSerde(), current));
    }
    if (basis != DeltaBasis.CONTINUED && basis != DeltaBasis.FIRST) {
      LOG.debug("{} {}/{}: {} at {}", kind.name(), now.host(), now.netns(), basis, now);
    }
    long sinceMs = basis.givesDeltas() ? now.sampleTimeMs() - then.sampleTimeMs() : 0;
    kind.toDeltas(basis.givesDeltas() ? previous : null, current);
    context.forward(record.withValue(new SampleDelta<>(current, sinceMs, basis)));
  }

  /** What the current sample's counters can be compared with. */
  static DeltaBasis judge(SampleHeader then, SampleHeader now, long maxGapMs) {
    if (then == null) {
      return DeltaBasis.FIRST;
    }
    boolean sameCollector = now.collectorId().equals(then.collectorId());
    if (now.sampleTimeMs() < then.sampleTimeMs() || (sameCollector && now.seq() <= then.seq())) {
      return DeltaBasis.STALE;
    }
    if (then.bootId() != null && now.bootId() != null && !then.bootId().equals(now.bootId())) {
      return DeltaBasis.NEW_BOOT;
    }
    if (!sameCollector) {
      return DeltaBasis.NEW_COLLECTOR;
    }
    if (now.sampleTimeMs() - then.sampleTimeMs() > maxGapMs) {
      return DeltaBasis.GAP;
    }
    return DeltaBasis.CONTINUED;
  }

  private S decodeBaseline(String key, byte[] stored) {
    if (stored == null) {
      return null;
    }
    try {
      return kind.topic()
          .valueSerde()
          .decode(Arrays.copyOfRange(stored, Long.BYTES, stored.length));
    } catch (RuntimeException e) {
      // Only a baseline written by an incompatible build gets here: start over from this sample.
      LOG.warn("dropping undecodable counter baseline {}: {}", key, e.getMessage());
      return null;
    }
  }

  private void sweep(long streamTimeMs) {
    long horizon = streamTimeMs - ttlMs;
    List<String> expired = new ArrayList<>();
    // Collect first, delete after: deleting under an open iterator of a cached store is unsafe.
    try (KeyValueIterator<String, byte[]> it =
        store.prefixScan(BaselineStore.prefix(kind), new StringSerializer())) {
      while (it.hasNext() && expired.size() < MAX_SWEEP_DELETES) {
        KeyValue<String, byte[]> entry = it.next();
        if (ByteBuffer.wrap(entry.value).getLong() < horizon) {
          expired.add(entry.key);
        }
      }
    }
    expired.forEach(store::delete);
    if (!expired.isEmpty()) {
      LOG.info("swept {} {} baselines not updated since {}", expired.size(), kind.name(), horizon);
    }
  }
}
