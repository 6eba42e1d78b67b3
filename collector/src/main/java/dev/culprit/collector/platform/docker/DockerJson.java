package dev.culprit.collector.platform.docker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parses the Docker Engine API's JSON (API 1.41, and podman's compatible API): container inspect,
 * container list, and events. Fields are optional everywhere: a missing one is null, never a
 * default.
 */
public final class DockerJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The engine's "never" (Go's zero time). */
  private static final String ZERO_TIME_PREFIX = "0001-01-01";

  private DockerJson() {}

  /** {@code GET /containers/{id}/json}. */
  public static DockerContainer inspect(String json) throws IOException {
    JsonNode root = read(json);
    String id = text(root, "Id");
    if (id == null) {
      throw new IOException("container inspect without Id");
    }
    JsonNode state = root.path("State");
    JsonNode host = root.path("HostConfig");
    String name = text(root, "Name");
    Integer pid = integer(state, "Pid");
    return new DockerContainer(
        id,
        name != null && name.startsWith("/") ? name.substring(1) : name,
        text(root.path("Config"), "Image"),
        text(state, "Status"),
        bool(state, "OOMKilled"),
        integer(state, "ExitCode"),
        pid != null && pid > 0 ? pid : null,
        integer(root, "RestartCount"),
        time(text(state, "StartedAt")),
        time(text(state, "FinishedAt")),
        longValue(host, "Memory"),
        longValue(host, "NanoCpus"),
        longValue(host, "CpuQuota"),
        longValue(host, "CpuPeriod"));
  }

  /** The ids of {@code GET /containers/json}. */
  public static List<String> containerIds(String json) throws IOException {
    JsonNode root = read(json);
    if (!root.isArray()) {
      throw new IOException("container list is not a JSON array");
    }
    List<String> ids = new ArrayList<>();
    for (JsonNode c : root) {
      String id = text(c, "Id");
      if (id != null) {
        ids.add(id);
      }
    }
    return ids;
  }

  /**
   * One line of {@code GET /events}: a container event, or empty for other types (network, image,
   * volume) and for events without an actor.
   */
  public static Optional<DockerEvent> event(String json) throws IOException {
    JsonNode root = read(json);
    String type = text(root, "Type");
    if (type != null && !type.equals("container")) {
      return Optional.empty();
    }
    String action = text(root, "Action");
    if (action == null) {
      action = text(root, "status");
    }
    JsonNode actor = root.path("Actor");
    String id = text(actor, "ID");
    if (id == null) {
      id = text(root, "id");
    }
    if (action == null || id == null) {
      return Optional.empty();
    }
    JsonNode attributes = actor.path("Attributes");
    String exit = text(attributes, "exitCode");
    Long timeNano = longValue(root, "timeNano");
    if (timeNano == null) {
      Long seconds = longValue(root, "time");
      timeNano = seconds == null ? 0L : seconds * 1_000_000_000L;
    }
    Integer exitCode = null;
    if (exit != null) {
      try {
        exitCode = Integer.parseInt(exit);
      } catch (NumberFormatException e) {
        exitCode = null;
      }
    }
    return Optional.of(
        new DockerEvent(
            action, id, text(attributes, "name"), text(attributes, "image"), exitCode, timeNano));
  }

  private static JsonNode read(String json) throws IOException {
    try {
      return MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IOException("malformed JSON from the engine: " + e.getOriginalMessage(), e);
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static Integer integer(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || !v.isNumber() ? null : v.intValue();
  }

  private static Long longValue(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || !v.isNumber() ? null : v.longValue();
  }

  private static Boolean bool(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || !v.isBoolean() ? null : v.booleanValue();
  }

  /** RFC 3339 with nanoseconds; the zero time means "never". */
  static Long time(String text) {
    if (text == null || text.isEmpty() || text.startsWith(ZERO_TIME_PREFIX)) {
      return null;
    }
    try {
      return Instant.parse(text).toEpochMilli();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
