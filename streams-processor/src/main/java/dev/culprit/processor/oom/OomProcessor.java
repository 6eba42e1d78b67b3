package dev.culprit.processor.oom;

import dev.culprit.processor.decode.DeadLetters;
import dev.culprit.processor.rules.RuleResult;
import dev.culprit.processor.rules.oom.OomThresholds;
import dev.culprit.schemas.ContainerSample;
import dev.culprit.schemas.ContainerStats;
import dev.culprit.schemas.DeadLetter;
import dev.culprit.schemas.KernelOomSample;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
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
 * Joins, per (host, container), the container samples and kernel OOM records of a host (both keyed
 * by host, so co-partitioned: no repartition) and emits one cause per kill and per throttled
 * window. Deadlines run on stream time, so a replay of the same input gives the same output. A
 * record the join fails on becomes a dead letter and the stream goes on.
 */
final class OomProcessor implements Processor<String, SpecificRecord, String, RuleResult> {

  private static final Logger LOG = LoggerFactory.getLogger(OomProcessor.class);
  private static final Duration PUNCTUATION = Duration.ofSeconds(1);
  private static final long PRUNE_EVERY_MS = 60_000;

  private final OomJoin join;
  private final OomThresholds thresholds;
  private ProcessorContext<String, RuleResult> context;
  private KeyValueStore<String, OomContainerState> states;
  private KeyValueStore<String, Long> deadlines;
  private long lastPruneMs;

  OomProcessor(OomThresholds thresholds, long windowSizeMs) {
    this.thresholds = thresholds;
    this.join = new OomJoin(thresholds, windowSizeMs);
  }

  @Override
  public void init(ProcessorContext<String, RuleResult> context) {
    this.context = context;
    this.states = context.getStateStore(OomTopology.STATE_STORE);
    this.deadlines = context.getStateStore(OomTopology.DEADLINE_STORE);
    context.schedule(PUNCTUATION, PunctuationType.STREAM_TIME, this::punctuate);
  }

  @Override
  public void process(Record<String, SpecificRecord> record) {
    List<RootCause> causes = new ArrayList<>();
    List<DeadLetter> failures = new ArrayList<>();
    try {
      if (record.value() instanceof ContainerSample sample) {
        for (ContainerStats stats : sample.getContainers()) {
          String key = OomJoin.key(sample.getHost(), stats.getId());
          OomContainerState st = load(key, sample.getHost(), stats.getId());
          OomJoin.Step step = join.onSample(st, sample, stats);
          save(key, st, step);
          causes.addAll(step.causes());
        }
      } else if (record.value() instanceof KernelOomSample kill) {
        String container = OomJoin.containerOf(kill);
        String key = OomJoin.key(kill.getHost(), container);
        OomContainerState st = load(key, kill.getHost(), container);
        OomJoin.Step step = join.onKill(st, kill);
        save(key, st, step);
        causes.addAll(step.causes());
      }
    } catch (RuntimeException e) {
      LOG.error("OOM join failed on a record of {}", record.key(), e);
      failures.add(
          DeadLetters.of(
              context.recordMetadata(),
              record.timestamp(),
              record.key(),
              encode(record.value()),
              "oom-join",
              e.toString(),
              e));
    }
    forward(record.key(), causes, failures, record.timestamp());
  }

  private void punctuate(long streamTimeMs) {
    List<KeyValue<String, Long>> due = new ArrayList<>();
    try (KeyValueIterator<String, Long> it = deadlines.all()) {
      while (it.hasNext()) {
        KeyValue<String, Long> kv = it.next();
        if (kv.value <= streamTimeMs) {
          due.add(kv);
        }
      }
    }
    for (KeyValue<String, Long> kv : due) {
      OomContainerState st = states.get(kv.key);
      if (st == null) {
        deadlines.delete(kv.key);
        continue;
      }
      List<RootCause> causes = new ArrayList<>();
      List<DeadLetter> failures = new ArrayList<>();
      try {
        causes.addAll(join.onDeadline(st, streamTimeMs));
      } catch (RuntimeException e) {
        LOG.error("OOM join failed at a deadline of {}", kv.key, e);
        failures.add(
            DeadLetters.of(
                java.util.Optional.empty(),
                streamTimeMs,
                st.getHost(),
                OomStateSerde.get().encode(st),
                "oom-deadline",
                e.toString(),
                e));
        st.setPendingKills(new ArrayList<>());
        st.setEngineKill(null);
      }
      save(kv.key, st, OomJoin.Step.none());
      forward(st.getHost(), causes, failures, streamTimeMs);
    }
    if (streamTimeMs - lastPruneMs >= PRUNE_EVERY_MS) {
      lastPruneMs = streamTimeMs;
      prune(streamTimeMs);
    }
  }

  /** Drops the state of containers gone for longer than the TTL (nothing pending). */
  private void prune(long streamTimeMs) {
    List<String> stale = new ArrayList<>();
    try (KeyValueIterator<String, OomContainerState> it = states.all()) {
      while (it.hasNext()) {
        KeyValue<String, OomContainerState> kv = it.next();
        OomContainerState st = kv.value;
        if (st.getLastSeenMs() + thresholds.stateTtl().toMillis() < streamTimeMs
            && st.getPendingKills().isEmpty()
            && st.getEngineKill() == null
            && st.getLastKillMs() + thresholds.stateTtl().toMillis() < streamTimeMs) {
          stale.add(kv.key);
        }
      }
    }
    stale.forEach(states::delete);
  }

  private OomContainerState load(String key, String host, String container) {
    OomContainerState st = states.get(key);
    return st != null ? st : OomStateSerde.empty(host, container);
  }

  private void save(String key, OomContainerState st, OomJoin.Step step) {
    states.put(key, st);
    long next = join.nextDeadline(st);
    if (next >= 0) {
      deadlines.put(key, next);
    } else {
      deadlines.delete(key);
    }
  }

  private void forward(
      String host, List<RootCause> causes, List<DeadLetter> failures, long timestamp) {
    if (!causes.isEmpty() || !failures.isEmpty()) {
      long ts = causes.isEmpty() ? timestamp : causes.get(0).getWindowStartMs();
      context.forward(new Record<>(host, new RuleResult(causes, failures), Math.max(ts, 0)));
    }
  }

  private static byte[] encode(SpecificRecord value) {
    if (value instanceof ContainerSample c) {
      return Topics.CONTAINER.valueSerde().encode(c);
    }
    if (value instanceof KernelOomSample k) {
      return Topics.KERNEL.valueSerde().encode(k);
    }
    return null;
  }
}
