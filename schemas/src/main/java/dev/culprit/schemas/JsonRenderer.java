package dev.culprit.schemas;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * Renders any culprit record as one line of plain JSON for {@code jq}: fields in schema order,
 * unions unwrapped (no Avro {@code {"long": 1}} wrappers), map keys sorted so output is
 * deterministic, bytes as base64, non-finite doubles as strings.
 */
public final class JsonRenderer {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private JsonRenderer() {}

  /** One JSON line (no trailing newline). */
  public static String toJson(IndexedRecord record) {
    try {
      return MAPPER.writeValueAsString(toNode(record));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render " + record.getSchema().getName(), e);
    }
  }

  /** The record as a Jackson tree, for callers that add envelope fields. */
  public static ObjectNode toNode(IndexedRecord record) {
    ObjectNode node = NODES.objectNode();
    for (Schema.Field field : record.getSchema().getFields()) {
      Object v = record.get(field.pos());
      if (v == null && field.getObjectProp("culprit.logForm") != null) {
        continue; // a form only the log holds (ProtocolCounters): never set in a decoded record
      }
      node.set(field.name(), value(v));
    }
    return node;
  }

  private static JsonNode value(Object value) {
    if (value == null) {
      return NODES.nullNode();
    }
    if (value instanceof IndexedRecord r) {
      return toNode(r);
    }
    if (value instanceof CharSequence s) {
      return NODES.textNode(s.toString());
    }
    if (value instanceof Long l) {
      return NODES.numberNode(l);
    }
    if (value instanceof Integer i) {
      return NODES.numberNode(i);
    }
    if (value instanceof Double d) {
      return Double.isFinite(d) ? NODES.numberNode(d) : NODES.textNode(d.toString());
    }
    if (value instanceof Float f) {
      return Float.isFinite(f) ? NODES.numberNode(f) : NODES.textNode(f.toString());
    }
    if (value instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (value instanceof Enum<?> e) {
      return NODES.textNode(e.name());
    }
    if (value instanceof GenericEnumSymbol<?> e) {
      return NODES.textNode(e.toString());
    }
    if (value instanceof ByteBuffer b) {
      ByteBuffer copy = b.duplicate();
      byte[] bytes = new byte[copy.remaining()];
      copy.get(bytes);
      return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
    }
    if (value instanceof GenericFixed f) {
      return NODES.textNode(Base64.getEncoder().encodeToString(f.bytes()));
    }
    if (value instanceof Map<?, ?> map) {
      ObjectNode node = NODES.objectNode();
      new TreeMap<>(stringKeys(map)).forEach((k, v) -> node.set(k, value(v)));
      return node;
    }
    if (value instanceof Collection<?> items) {
      ArrayNode array = NODES.arrayNode();
      items.forEach(item -> array.add(value(item)));
      return array;
    }
    return NODES.textNode(value.toString());
  }

  private static Map<String, Object> stringKeys(Map<?, ?> map) {
    Map<String, Object> out = new TreeMap<>();
    map.forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }
}
