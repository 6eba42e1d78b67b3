package dev.culprit.collector.source.qdisc;

import dev.culprit.collector.records.QdiscStats;
import java.util.Map;

/**
 * Turns a qdisc's option strings (as tc prints them, text or JSON) into the typed fields the
 * processor's rules read: netem loss/delay/limit, tbf rate/burst/limit, fifo limits.
 */
final class QdiscOptions {

  private QdiscOptions() {}

  /** Sets the typed option fields of {@code b} from {@code options} of a {@code kind} qdisc. */
  static void apply(String kind, Map<String, String> options, QdiscStats.Builder b) {
    switch (kind) {
      case "netem" -> {
        b.setLimitPackets(packets(options.get("limit")));
        // text: "loss 30%"; JSON: {"loss-random":{"loss":0.3}} flattened, a fraction.
        Double loss = options.containsKey("loss") ? TcUnits.percent(options.get("loss")) : null;
        if (loss == null && options.containsKey("loss-random.loss")) {
          Double fraction = number(options.get("loss-random.loss"));
          loss = fraction == null ? null : fraction * 100;
        }
        b.setLossPercent(loss);
        Long delay = options.containsKey("delay") ? micros(options.get("delay")) : null;
        if (delay == null && options.containsKey("delay.delay")) {
          Double seconds = number(options.get("delay.delay"));
          delay = seconds == null ? null : Math.round(seconds * 1e6);
        }
        b.setDelayUs(delay);
      }
      case "tbf" -> {
        b.setRateBitsPerSecond(rate(options.get("rate")));
        b.setBurstBytes(bytes(options.get("burst")));
        b.setLimitBytes(bytes(options.get("limit")));
      }
      case "pfifo", "pfifo_head_drop" -> b.setLimitPackets(packets(options.get("limit")));
      case "bfifo" -> b.setLimitBytes(bytes(options.get("limit")));
      default -> {
        // Other kinds keep their options as strings only.
      }
    }
  }

  /** JSON prints rates as bytes per second without a unit; text prints {@code 8Kbit}. */
  private static Long rate(String value) {
    if (value == null) {
      return null;
    }
    Double plain = number(value);
    return plain != null ? Math.round(plain * 8) : TcUnits.rateBitsPerSecond(value.split(" ")[0]);
  }

  private static Long bytes(String value) {
    if (value == null) {
      return null;
    }
    Double plain = number(value);
    return plain != null ? Math.round(plain) : TcUnits.sizeBytes(value.split(" ")[0]);
  }

  private static Long packets(String value) {
    return value == null ? null : TcUnits.packets(value.split(" ")[0]);
  }

  private static Long micros(String value) {
    return TcUnits.timeMicros(value.split(" ")[0]);
  }

  private static Double number(String value) {
    try {
      return Double.valueOf(value);
    } catch (NumberFormatException | NullPointerException e) {
      return null;
    }
  }
}
