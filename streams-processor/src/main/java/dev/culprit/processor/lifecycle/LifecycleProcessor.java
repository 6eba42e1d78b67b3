package dev.culprit.processor.lifecycle;

import dev.culprit.schemas.CauseTransition;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Holds the open episodes of every host of its partitions (store key: host, namespace, signature)
 * and forwards the transitions {@link Lifecycles} decides, keyed by host and stamped with the
 * input's time. Inputs are keyed by host like every sample topic, so no repartition is needed.
 */
final class LifecycleProcessor
    implements Processor<String, LifecycleInput, String, CauseTransition> {

  private static final String SEP = "\u0000";

  private final Lifecycles lifecycles;
  private final String storeName;
  private ProcessorContext<String, CauseTransition> context;
  private KeyValueStore<String, CauseTransition> store;

  LifecycleProcessor(Lifecycles lifecycles, String storeName) {
    this.lifecycles = lifecycles;
    this.storeName = storeName;
  }

  @Override
  public void init(ProcessorContext<String, CauseTransition> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
  }

  @Override
  public void process(Record<String, LifecycleInput> record) {
    String host = record.key();
    if (host == null) {
      return;
    }
    String prefix = host + SEP;
    SortedMap<String, CauseTransition> open = new TreeMap<>();
    try (KeyValueIterator<String, CauseTransition> it =
        store.prefixScan(prefix, new StringSerializer())) {
      while (it.hasNext()) {
        KeyValue<String, CauseTransition> kv = it.next();
        open.put(kv.key.substring(prefix.length()), kv.value);
      }
    }
    SortedMap<String, CauseTransition> before = new TreeMap<>(open);
    List<CauseTransition> transitions =
        lifecycles.apply(host, open, record.value(), record.timestamp());
    before.keySet().stream()
        .filter(k -> !open.containsKey(k))
        .forEach(k -> store.delete(prefix + k));
    open.forEach(
        (k, v) -> {
          if (!v.equals(before.get(k))) {
            store.put(prefix + k, v);
          }
        });
    for (CauseTransition t : transitions) {
      context.forward(new Record<>(host, t, record.timestamp()));
    }
  }
}
