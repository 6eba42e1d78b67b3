package dev.culprit.collector.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.culprit.collector.spi.ParseException;

/**
 * The top level of a command's {@code -j} output that is one JSON array ({@code ip -j}, {@code tc
 * -j}): anything else is a typed parse error naming the command and, for bad JSON, the line.
 */
public final class JsonArrayOutput {

  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonArrayOutput() {}

  /**
   * Reads {@code json} as an array.
   *
   * @param source the command, for error messages
   * @param items what the array holds, for error messages ("interfaces", "qdiscs")
   */
  public static JsonNode read(String source, String json, String items) throws ParseException {
    JsonNode root = readTree(source, json);
    if (root == null || !root.isArray()) {
      throw new ParseException(source, 0, "expected a JSON array of " + items);
    }
    return root;
  }

  /**
   * The JSON document {@code json} (null when it is empty), or a parse error naming {@code source}
   * and, where Jackson knows it, the line.
   */
  public static JsonNode readTree(String source, String json) throws ParseException {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new ParseException(
          source, e.getLocation() == null ? 0 : e.getLocation().getLineNr(), "bad JSON", e);
    }
  }
}
