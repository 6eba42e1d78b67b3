package dev.culprit.processor.probe;

import dev.culprit.schemas.ProbeSample;
import dev.culprit.schemas.Topics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.metrics.Sensor;
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
 * The address index and the probe join, on records partitioned by address: claims and releases
 * keep, per address, every (host, netns) that has it; a probe round to an address owned by exactly
 * one live namespace goes on keyed by that namespace's host, as a {@link ProbeObservation}.
 *
 * <p>An owner is live for a probe when it claimed the address within {@link AddressIndex#TTL_MS}
 * before the probe's sample time. A probe to an address nobody owns (outside the fleet, or not yet
 * seen) or to one several live namespaces own (private addresses reused by containers of different
 * hosts) is not joined: guessing would put one host's symptoms on another's cause. Both are counted
 * ({@value AddressIndex#METRIC_UNOWNED}, {@value AddressIndex#METRIC_AMBIGUOUS} in the {@code
 * stream-culprit-probe-metrics} group) and logged at debug. Owners unseen for the TTL are dropped
 * on every change of their address and by a sweep on stream time.
 *
 * <p>At most {@link AddressIndex#MAX_OWNERS} owners are listed: an address every host has
 * (docker0's 172.17.0.1, the first container's 172.17.0.2) would otherwise grow one record to the
 * fleet's size and rewrite it on every claim. Claims beyond the list only keep the address marked
 * ambiguous.
 */
final class AddressIndexProcessor
    implements Processor<String, AddressEvent, String, ProbeObservation> {

  private static final Logger LOG = LoggerFactory.getLogger(AddressIndexProcessor.class);
  private static final int MAX_SWEEP_DELETES = 10_000;
  private static final Comparator<AddressOwner> ORDER =
      Comparator.comparing(AddressOwner::getHost).thenComparing(AddressOwner::getNetns);

  private ProcessorContext<String, ProbeObservation> context;
  private KeyValueStore<String, AddressOwners> store;
  private Sensor joined;
  private Sensor unowned;
  private Sensor ambiguous;

  @Override
  public void init(ProcessorContext<String, ProbeObservation> context) {
    this.context = context;
    this.store = context.getStateStore(AddressIndex.INDEX_STORE);
    String entity = "address-index-" + context.taskId();
    joined = sensor(entity, AddressIndex.METRIC_JOINED);
    unowned = sensor(entity, AddressIndex.METRIC_UNOWNED);
    ambiguous = sensor(entity, AddressIndex.METRIC_AMBIGUOUS);
    context.schedule(
        java.time.Duration.ofMillis(AddressIndex.TTL_MS), PunctuationType.STREAM_TIME, this::sweep);
  }

  private Sensor sensor(String entity, String operation) {
    return context
        .metrics()
        .addRateTotalSensor(
            AddressIndex.METRIC_SCOPE, entity, operation, Sensor.RecordingLevel.INFO);
  }

  @Override
  public void process(Record<String, AddressEvent> record) {
    AddressEvent event = record.value();
    switch (event.getKind()) {
      case CLAIM, RELEASE -> update(record.key(), event);
      case PROBE -> join(record);
      default -> LOG.debug("ignoring address event of unknown kind for {}", record.key());
    }
  }

  private void update(String address, AddressEvent event) {
    AddressOwners stored = store.get(address);
    List<AddressOwner> owners = new ArrayList<>();
    long horizon = event.getTimeMs() - AddressIndex.EXPIRE_MS;
    long unlisted = stored == null ? 0 : stored.getUnlistedSeenMs();
    boolean claimed = event.getKind() == AddressEventKind.CLAIM;
    if (stored != null) {
      for (AddressOwner o : stored.getOwners()) {
        boolean same = o.getHost().equals(event.getHost()) && o.getNetns().equals(event.getNetns());
        if (same && claimed) {
          o.setLastSeenMs(Math.max(o.getLastSeenMs(), event.getTimeMs()));
          claimed = false;
        } else if (same && o.getLastSeenMs() <= event.getTimeMs()) {
          continue; // Released: the namespace no longer has the address.
        }
        if (o.getLastSeenMs() >= horizon) {
          owners.add(o);
        }
      }
    }
    if (claimed && owners.size() < AddressIndex.MAX_OWNERS) {
      owners.add(new AddressOwner(event.getHost(), event.getNetns(), event.getTimeMs()));
    } else if (claimed) {
      // One more owner than the list holds: enough to know the address is ambiguous.
      unlisted = Math.max(unlisted, event.getTimeMs());
    }
    if (unlisted < horizon) {
      unlisted = 0;
    }
    owners.sort(ORDER);
    if (owners.isEmpty() && unlisted == 0) {
      store.delete(address);
    } else {
      store.put(address, new AddressOwners(owners, unlisted));
    }
  }

  private void join(Record<String, AddressEvent> record) {
    AddressEvent event = record.value();
    ProbeSample probe;
    try {
      probe = Topics.PROBE.valueSerde().decode(event.getProbe().array());
    } catch (RuntimeException e) {
      // An internal record this version cannot read (a newer writer mid-upgrade) is one lost
      // probe round, never a dead stream thread.
      LOG.warn(
          "dropping a probe round for {} that does not decode: {}", record.key(), e.toString());
      return;
    }
    AddressOwners stored = store.get(record.key());
    long horizon = probe.getSampleTimeMs() - AddressIndex.TTL_MS;
    List<AddressOwner> live = new ArrayList<>();
    boolean crowded = false;
    if (stored != null) {
      for (AddressOwner o : stored.getOwners()) {
        if (o.getLastSeenMs() >= horizon) {
          live.add(o);
        }
      }
      crowded = stored.getUnlistedSeenMs() > 0 && stored.getUnlistedSeenMs() >= horizon;
    }
    if (live.size() != 1 || crowded) {
      (live.isEmpty() && !crowded ? unowned : ambiguous).record();
      if (LOG.isDebugEnabled()) {
        LOG.debug(
            "probe from {}/{} to {}:{} at {} not joined: {}",
            probe.getHost(),
            probe.getNetns(),
            probe.getTargetAddress(),
            probe.getTargetPort(),
            probe.getSampleTimeMs(),
            live.isEmpty() && !crowded
                ? "no namespace has the address"
                : "several namespaces have the address: "
                    + live.stream().map(o -> o.getHost() + "/" + o.getNetns()).toList());
      }
      return;
    }
    joined.record();
    AddressOwner owner = live.get(0);
    context.forward(
        record.withKey(owner.getHost()).withValue(ProbeObservations.of(owner.getNetns(), probe)));
  }

  private void sweep(long streamTimeMs) {
    long horizon = streamTimeMs - AddressIndex.EXPIRE_MS;
    List<KeyValue<String, AddressOwners>> changed = new ArrayList<>();
    // Collect first, write after: writing under an open iterator of a cached store is unsafe.
    try (KeyValueIterator<String, AddressOwners> it = store.all()) {
      while (it.hasNext() && changed.size() < MAX_SWEEP_DELETES) {
        KeyValue<String, AddressOwners> entry = it.next();
        List<AddressOwner> owners = entry.value.getOwners();
        List<AddressOwner> live =
            owners.stream().filter(o -> o.getLastSeenMs() >= horizon).toList();
        long unlisted = entry.value.getUnlistedSeenMs();
        boolean unlistedExpired = unlisted > 0 && unlisted < horizon;
        if (live.size() != owners.size() || unlistedExpired) {
          long keep = unlistedExpired ? 0 : unlisted;
          changed.add(
              KeyValue.pair(
                  entry.key,
                  live.isEmpty() && keep == 0
                      ? null
                      : new AddressOwners(new ArrayList<>(live), keep)));
        }
      }
    }
    for (KeyValue<String, AddressOwners> c : changed) {
      if (c.value == null) {
        store.delete(c.key);
      } else {
        store.put(c.key, c.value);
      }
    }
    if (!changed.isEmpty()) {
      LOG.debug("expired owners of {} addresses unseen since {}", changed.size(), horizon);
    }
  }

  @Override
  public void close() {
    for (Sensor s : new Sensor[] {joined, unowned, ambiguous}) {
      if (s != null) {
        context.metrics().removeSensor(s);
      }
    }
  }
}
