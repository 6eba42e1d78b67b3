package dev.culprit.lab.oracle;

import java.time.Duration;
import java.util.Map;

/**
 * The kernel's drops in one recorded window, from {@link DropReasonOracle#between}.
 *
 * @param byReason drops per {@code skb_drop_reason} name ({@code NETFILTER_DROP})
 * @param byLocation drops per reason and dropping function ({@code NETFILTER_DROP@nf_hook_slow}),
 *     for telling a failure's reader where the kernel dropped them
 * @param lost events the ring buffer lost (the counts are then a lower bound)
 * @param span how long the window was
 */
public record ReasonCounts(
    Map<String, Long> byReason, Map<String, Long> byLocation, long lost, Duration span) {

  public ReasonCounts {
    byReason = Map.copyOf(byReason);
    byLocation = Map.copyOf(byLocation);
  }

  public long count(String reason) {
    return byReason.getOrDefault(reason, 0L);
  }
}
