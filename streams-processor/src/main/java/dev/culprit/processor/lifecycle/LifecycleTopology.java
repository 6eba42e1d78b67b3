package dev.culprit.processor.lifecycle;

import dev.culprit.processor.ProcessorConfig;
import dev.culprit.processor.rules.RuleResult;
import dev.culprit.schemas.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * Cause lifecycles: the rules' per-window causes become STARTED / ONGOING / ENDED transitions per
 * (host, namespace, signature) on {@code culprit.rootcause.transitions}. The per-window topics stay
 * as they are.
 *
 * <p>Every closed host window of the packet-loss rules is the host's clock (a window without a
 * cause counts as a window without it); OOM and throttling causes join the same episodes by the
 * window they name. Fleet incidents are left per window: an alerting consumer gives them a life by
 * their signature (see the alert bridge).
 */
public final class LifecycleTopology {

  /** Open episodes per (host, namespace, signature), and its changelog. */
  public static final String STORE = "cause-lifecycles";

  private LifecycleTopology() {}

  public static void addTo(
      StreamsBuilder builder,
      KStream<String, RuleResult> hostWindows,
      KStream<String, RuleResult> otherCauses,
      ProcessorConfig config) {
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            // In memory like the other stores: the changelog restores it.
            Stores.inMemoryKeyValueStore(STORE),
            Serdes.String(),
            Topics.ROOTCAUSE_TRANSITIONS.valueSerde()));
    Lifecycles lifecycles = new Lifecycles(config.lifecycle(), config.windowSize().toMillis());
    KStream<String, LifecycleInput> ticks =
        hostWindows.mapValues(
            r -> new LifecycleInput(true, r.causes()), Named.as("lifecycle-host-windows"));
    KStream<String, LifecycleInput> others =
        otherCauses
            .filter((host, r) -> !r.causes().isEmpty(), Named.as("lifecycle-oom-with-causes"))
            .mapValues(r -> new LifecycleInput(false, r.causes()), Named.as("lifecycle-oom"));
    ticks
        .merge(others, Named.as("lifecycle-inputs"))
        .process(
            () -> new LifecycleProcessor(lifecycles, STORE), Named.as("cause-lifecycle"), STORE)
        .to(
            config.resultTopic(Topics.ROOTCAUSE_TRANSITIONS),
            Produced.with(
                    Topics.ROOTCAUSE_TRANSITIONS.keySerde(),
                    Topics.ROOTCAUSE_TRANSITIONS.valueSerde())
                .withName("transitions-sink"));
  }
}
