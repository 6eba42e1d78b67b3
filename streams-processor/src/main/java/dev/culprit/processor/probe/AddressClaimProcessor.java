package dev.culprit.processor.probe;

import dev.culprit.schemas.InterfaceSample;
import dev.culprit.schemas.InterfaceStats;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each namespace's interface samples into claims on its addresses, keyed by address, for the
 * address index.
 *
 * <p>An address new to the namespace is claimed at once; one that is gone from its sample is
 * released at once, so it stops mapping to the namespace. Addresses still there are claimed again
 * only every {@link AddressIndex#REFRESH_MS}, which keeps their owner alive in the index (it
 * forgets owners unseen for {@link AddressIndex#TTL_MS}, e.g. a deleted container's namespace)
 * without one repartitioned record per address and sample. A sample older than the namespace's last
 * one (out of order) changes nothing. Everything runs on sample time, so a replay claims the same
 * addresses at the same times.
 */
final class AddressClaimProcessor
    implements Processor<String, InterfaceSample, String, AddressEvent> {

  private static final Logger LOG = LoggerFactory.getLogger(AddressClaimProcessor.class);
  private static final int MAX_SWEEP_DELETES = 10_000;

  private ProcessorContext<String, AddressEvent> context;
  private KeyValueStore<String, NamespaceAddresses> store;

  /**
   * The newest sample time and collector of each namespace this task has seen, also between store
   * writes (the store is written only on change, so its time can be a refresh old). In memory: a
   * restarted task falls back to the store's time.
   */
  private final java.util.Map<String, Newest> newest = new java.util.HashMap<>();

  private record Newest(long timeMs, String collectorId) {}

  @Override
  public void init(ProcessorContext<String, AddressEvent> context) {
    this.context = context;
    this.store = context.getStateStore(AddressIndex.CLAIMS_STORE);
    context.schedule(
        java.time.Duration.ofMillis(AddressIndex.TTL_MS), PunctuationType.STREAM_TIME, this::sweep);
  }

  @Override
  public void process(Record<String, InterfaceSample> record) {
    InterfaceSample sample = record.value();
    String host = sample.getHost();
    String netns = sample.getNetns();
    long timeMs = sample.getSampleTimeMs();
    String key = host + '\u0000' + netns;
    NamespaceAddresses previous = store.get(key);
    Newest seen = newest.get(key);
    long newestMs =
        Math.max(
            previous == null ? Long.MIN_VALUE : previous.getLastSeenMs(),
            seen == null ? Long.MIN_VALUE : seen.timeMs());
    boolean restarted = seen != null && !seen.collectorId().equals(sample.getCollectorId());
    // Older than what this namespace already reported: a sample out of order changes nothing.
    // Far older (more than the TTL), or from a restarted collector: the host's clock went back,
    // and waiting for it to catch up would unmap the namespace meanwhile; start again from here.
    if (timeMs < newestMs && !restarted && newestMs - timeMs <= AddressIndex.TTL_MS) {
      return;
    }
    newest.put(key, new Newest(timeMs, sample.getCollectorId()));
    if (previous != null && timeMs < previous.getLastSeenMs()) {
      previous = null; // a clock step back: the stored times are in its future
    }
    TreeSet<String> now = new TreeSet<>();
    for (InterfaceStats i : sample.getInterfaces()) {
      for (String cidr : i.getAddresses()) {
        Addresses.canonical(cidr).ifPresent(now::add);
      }
    }
    List<String> before = previous == null ? List.of() : previous.getAddresses();
    boolean refresh =
        previous == null || timeMs - previous.getLastClaimedMs() >= AddressIndex.REFRESH_MS;
    for (String gone : before) {
      if (!now.contains(gone)) {
        forward(gone, AddressEventKind.RELEASE, host, netns, timeMs, record);
      }
    }
    for (String address : now) {
      if (refresh || !before.contains(address)) {
        forward(address, AddressEventKind.CLAIM, host, netns, timeMs, record);
      }
    }
    // Written only when something is claimed or released: the same addresses sampled again
    // change nothing until the next refresh, and each write is a changelog record.
    if (refresh || !now.equals(new TreeSet<>(before))) {
      store.put(
          key,
          NamespaceAddresses.newBuilder()
              .setLastSeenMs(timeMs)
              .setLastClaimedMs(refresh ? timeMs : previous.getLastClaimedMs())
              .setAddresses(new ArrayList<>(now))
              .build());
    }
  }

  private void forward(
      String address,
      AddressEventKind kind,
      String host,
      String netns,
      long timeMs,
      Record<String, InterfaceSample> record) {
    AddressEvent event =
        AddressEvent.newBuilder()
            .setKind(kind)
            .setHost(host)
            .setNetns(netns)
            .setTimeMs(timeMs)
            .setProbe(null)
            .build();
    context.forward(new Record<>(address, event, record.timestamp(), record.headers()));
  }

  /** Forgets namespaces unseen for the TTL; the index forgets their addresses by itself. */
  private void sweep(long streamTimeMs) {
    long horizon = streamTimeMs - AddressIndex.TTL_MS;
    List<String> expired = new ArrayList<>();
    // Collect first, delete after: deleting under an open iterator of a cached store is unsafe.
    try (KeyValueIterator<String, NamespaceAddresses> it = store.all()) {
      while (it.hasNext() && expired.size() < MAX_SWEEP_DELETES) {
        KeyValue<String, NamespaceAddresses> entry = it.next();
        if (entry.value.getLastSeenMs() < horizon) {
          expired.add(entry.key);
        }
      }
    }
    expired.forEach(store::delete);
    newest.values().removeIf(n -> n.timeMs() < horizon);
    if (!expired.isEmpty()) {
      LOG.debug("forgot the addresses of {} namespaces unseen since {}", expired.size(), horizon);
    }
  }
}
