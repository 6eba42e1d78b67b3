package dev.culprit.processor.view;

import dev.culprit.schemas.FleetIncident;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the latest window of each fleet incident signature; signatures not seen for the baseline
 * TTL behind stream time are forgotten, so the store holds what is recent, not history.
 */
final class IncidentViewProcessor implements Processor<String, FleetIncident, Void, Void> {

  private final String storeName;
  private final long ttlMs;
  private KeyValueStore<String, FleetIncident> store;
  private ProcessorContext<Void, Void> context;

  IncidentViewProcessor(String storeName, Duration ttl) {
    this.storeName = storeName;
    this.ttlMs = ttl.toMillis();
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
    context.schedule(Duration.ofMinutes(1), PunctuationType.WALL_CLOCK_TIME, now -> forget());
  }

  @Override
  public void process(Record<String, FleetIncident> record) {
    if (record.key() == null || record.value() == null) {
      return;
    }
    FleetIncident kept = store.get(record.key());
    FleetIncident newer = ViewTopology.newer(kept, record.value());
    if (newer != kept) {
      store.put(record.key(), newer);
    }
  }

  private void forget() {
    long cutoff = context.currentStreamTimeMs() - ttlMs;
    List<String> old = new ArrayList<>();
    try (KeyValueIterator<String, FleetIncident> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<String, FleetIncident> e = all.next();
        if (e.value.getWindowEndMs() < cutoff) {
          old.add(e.key);
        }
      }
    }
    old.forEach(store::delete);
  }
}
