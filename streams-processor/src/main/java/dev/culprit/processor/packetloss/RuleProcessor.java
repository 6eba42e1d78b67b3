package dev.culprit.processor.packetloss;

import dev.culprit.processor.ProcessorMetrics;
import dev.culprit.processor.decode.DeadLetters;
import dev.culprit.processor.rules.RuleResult;
import dev.culprit.processor.rules.packetloss.KernelDropReasons;
import dev.culprit.processor.rules.packetloss.PacketLossRule;
import dev.culprit.processor.window.DropStreaks;
import dev.culprit.processor.window.HostWindow;
import dev.culprit.processor.window.HostWindowState;
import dev.culprit.processor.window.NetnsWindow;
import dev.culprit.schemas.DeadLetter;
import dev.culprit.schemas.RootCause;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every packet-loss rule over every namespace of a closed host window. The result is keyed by
 * host and stamped with the window start, so downstream windows of the same size (fleet
 * correlation) put it in the same window. Every closed window gets a result, with or without
 * causes, because cause lifecycles count the windows a cause was absent from. A rule that throws
 * becomes a dead letter holding the aggregate it failed on; the other rules' causes still go out.
 * The runs of drops window after window ({@link DropStreaks}) are kept per host in {@link
 * PacketLossTopology#STREAKS_STORE}, which also says which window of the host was judged last: a
 * window is judged once, even when the suppression emits it again.
 */
final class RuleProcessor
    implements Processor<Windowed<String>, HostWindowState, String, RuleResult> {

  private static final Logger LOG = LoggerFactory.getLogger(RuleProcessor.class);

  private final List<PacketLossRule> rules;
  private final ProcessorMetrics metrics;
  private ProcessorContext<String, RuleResult> context;
  private KeyValueStore<String, byte[]> streakStore;

  RuleProcessor(List<PacketLossRule> rules, ProcessorMetrics metrics) {
    this.rules = rules;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, RuleResult> context) {
    this.context = context;
    this.streakStore = context.getStateStore(PacketLossTopology.STREAKS_STORE);
  }

  @Override
  public void process(Record<Windowed<String>, HostWindowState> record) {
    Windowed<String> key = record.key();
    // Wall clock against the window's end: the grace, plus however far the processor is behind.
    metrics.windowClosed(System.currentTimeMillis() - key.window().end());
    String host = key.key();
    long start = key.window().start();
    long size = key.window().end() - start;
    byte[] stored = streakStore.get(host);
    if (DropStreaks.judgedUpTo(stored) >= start) {
      // The window was judged and its causes sent already. The suppression emits a closed window
      // again when an update reaches it after it closed: each cogrouped input of the windowed
      // aggregate keeps its own stream time (and starts it afresh when its task moves to another
      // instance), so a probe round coming through its repartition topics a commit or two late,
      // or a sample kind fetched behind the others, still updates a window the rest closed.
      LOG.debug("window {} of {} judged already; not judged again", start, host);
      return;
    }
    DropStreaks streaks = DropStreaks.continuing(start, size, stored);
    HostWindow window = HostWindow.decode(host, start, key.window().end(), record.value(), streaks);
    List<RootCause> causes = new ArrayList<>();
    List<DeadLetter> failures = new ArrayList<>();
    for (NetnsWindow netns : window.namespaces()) {
      for (PacketLossRule rule : rules) {
        try {
          causes.addAll(rule.evaluate(netns));
        } catch (RuntimeException e) {
          LOG.error(
              "rule {} failed on {}/{} window {}",
              rule.getClass().getSimpleName(),
              host,
              netns.netns(),
              key.window().start(),
              e);
          failures.add(
              DeadLetters.of(
                  context.recordMetadata(),
                  key.window().start(),
                  host,
                  record.value().toBytes(),
                  "rules:" + rule.getClass().getSimpleName() + " netns=" + netns.netns(),
                  e.toString(),
                  e));
        }
      }
    }
    // The kernel's own drop reasons (--drop-reasons), where the host publishes them.
    KernelDropReasons.quote(window, causes);
    streakStore.put(host, streaks.toBytes());
    // Forwarded even when empty: a closed window without causes is what ends a cause's episode.
    context.forward(new Record<>(host, new RuleResult(causes, failures), key.window().start()));
  }
}
