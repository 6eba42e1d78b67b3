package dev.culprit.lab.oracle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.culprit.lab.LabException;
import java.io.IOException;
import java.util.Optional;

/**
 * {@code tc -s -j qdisc show dev DEV}: the root qdisc's kind and counters.
 *
 * <pre>
 * [{"kind":"tbf","handle":"8001:","root":true,"refcnt":3,"options":{"rate":32000,"burst":4096,
 *   "lat":128000},"bytes":153163,"packets":151,"drops":140,"overlimits":320,"requeues":0,
 *   "backlog":1236,"qlen":2}]
 * </pre>
 */
public final class TcQdiscJson {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The root qdisc: its kind, handle and cumulative counters. */
  public record Qdisc(String kind, String handle, long packets, long drops, long overlimits) {}

  private TcQdiscJson() {}

  public static Optional<Qdisc> root(String json) {
    JsonNode all;
    try {
      all = JSON.readTree(json);
    } catch (IOException e) {
      throw new LabException("tc printed something that is not JSON: " + e.getMessage(), e);
    }
    if (all == null || !all.isArray()) {
      return Optional.empty();
    }
    for (JsonNode qdisc : all) {
      if (qdisc.path("root").asBoolean(false)) {
        return Optional.of(
            new Qdisc(
                qdisc.path("kind").asText(),
                qdisc.path("handle").asText(),
                qdisc.path("packets").asLong(),
                qdisc.path("drops").asLong(),
                qdisc.path("overlimits").asLong()));
      }
    }
    return Optional.empty();
  }
}
