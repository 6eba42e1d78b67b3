package dev.culprit.collector.source.qdisc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.culprit.collector.records.QdiscStats;
import dev.culprit.collector.source.JsonArrayOutput;
import dev.culprit.collector.spi.ParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Parses {@code tc -s -j qdisc show} (iproute2 4.19+).
 *
 * <pre>
 * [{"kind":"tbf","handle":"10:","dev":"cufx-b1","root":true,"refcnt":3,
 *   "options":{"rate":1000,"burst":1600,"lat":0},
 *   "bytes":2914,"packets":23,"drops":47,"overlimits":0,"requeues":0,"backlog":0,"qlen":0},
 *  {"kind":"pfifo","handle":"110:","dev":"cufx-a0","parent":"1:10","options":{"limit":50},...}]
 * </pre>
 *
 * <p>JSON rates are bytes per second and sizes bytes, without units. {@code backlog} is bytes and
 * {@code qlen} the packets queued (text prints both as {@code backlog 0b 0p}). Options are kept as
 * strings, nested objects flattened with dots ({@code loss-random.loss}) and arrays joined by
 * spaces ({@code priomap}).
 */
public final class TcQdiscJsonParser {

  private TcQdiscJsonParser() {}

  /** Parses the command's stdout; {@code source} names it in errors. */
  public static List<QdiscStats> parse(String source, String json) throws ParseException {
    JsonNode root = JsonArrayOutput.read(source, json, "qdiscs");
    List<QdiscStats> out = new ArrayList<>(root.size());
    for (JsonNode q : root) {
      if (!q.hasNonNull("kind") || !q.hasNonNull("handle") || !q.hasNonNull("dev")) {
        throw new ParseException(source, 0, "qdisc without kind, handle or dev: " + q);
      }
      String kind = q.get("kind").asText();
      Map<String, String> options = new TreeMap<>();
      flatten("", q.path("options"), options);
      out.add(
          QdiscRecords.build(
              q.get("dev").asText(),
              kind,
              q.get("handle").asText(),
              q.hasNonNull("parent") ? q.get("parent").asText() : null,
              q.path("root").asBoolean(false),
              options,
              longOrNull(q.get("bytes")),
              longOrNull(q.get("packets")),
              longOrNull(q.get("drops")),
              longOrNull(q.get("overlimits")),
              longOrNull(q.get("requeues")),
              longOrNull(q.get("backlog")),
              longOrNull(q.get("qlen"))));
    }
    return out;
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> into) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return;
    }
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        flatten(prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey(), f.getValue(), into);
      }
    } else if (node.isArray()) {
      StringBuilder joined = new StringBuilder();
      for (JsonNode element : node) {
        if (joined.length() > 0) {
          joined.append(' ');
        }
        joined.append(element.isValueNode() ? element.asText() : element.toString());
      }
      into.put(prefix, joined.toString());
    } else {
      into.put(prefix, node.asText());
    }
  }

  private static Long longOrNull(JsonNode node) {
    return node != null && node.isIntegralNumber() ? node.asLong() : null;
  }
}
