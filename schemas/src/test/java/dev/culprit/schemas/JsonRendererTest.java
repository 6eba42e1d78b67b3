package dev.culprit.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonRendererTest {

  @Test
  void rendersPlainJqFriendlyJsonWithUnionsUnwrappedAndSortedMapKeys() throws Exception {
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("mtu", 100L);
    evidence.put("device", "eth0");
    evidence.put("lossPercent", 30.0);
    evidence.put("absent", null);
    RootCause cause =
        RootCause.newBuilder()
            .setEventId("id-1")
            .setHost("web-1")
            .setNetns("nginx")
            .setWindowStartMs(1_000)
            .setWindowEndMs(11_000)
            .setCause(Cause.MTU_MISMATCH)
            .setLayer(Layer.LINK)
            .setLocation("eth0")
            .setConfidence(0.8)
            .setEvidence(evidence)
            .setSymptoms(Map.of("Tcp.RetransSegs", 4L))
            .setSummary("eth0 MTU 100 drops every full-size frame")
            .setRemediation("ip netns exec nginx ip link set dev eth0 mtu 1500")
            .setFix(
                new Fix(
                    new FixScope(FixScopeKind.NETNS, "nginx"),
                    List.of("ip", "link", "set", "dev", "eth0", "mtu", "1500"),
                    null))
            .build();

    String line = JsonRenderer.toJson(cause);

    assertThat(line).doesNotContain("\n").startsWith("{\"eventId\":\"id-1\",\"host\":\"web-1\"");
    JsonNode node = new ObjectMapper().readTree(line);
    assertThat(node.get("cause").asText()).isEqualTo("MTU_MISMATCH");
    assertThat(node.get("container").isNull()).isTrue();
    assertThat(node.get("evidence").get("mtu").asLong()).isEqualTo(100L);
    assertThat(node.get("evidence").get("lossPercent").asDouble()).isEqualTo(30.0);
    assertThat(node.get("evidence").get("absent").isNull()).isTrue();
    List<String> keys = List.copyOf(iterable(node.get("evidence").fieldNames()));
    assertThat(keys).containsExactly("absent", "device", "lossPercent", "mtu");
    // Automation reads where and what to run without parsing the shell text.
    assertThat(node.get("fix").get("scope").get("kind").asText()).isEqualTo("NETNS");
    assertThat(node.get("fix").get("scope").get("name").asText()).isEqualTo("nginx");
    assertThat(node.get("fix").get("argv").get(4).asText()).isEqualTo("eth0");
    assertThat(node.get("fix").get("note").isNull()).isTrue();
  }

  @Test
  void rendersBytesAsBase64() {
    DeadLetter letter =
        DeadLetter.newBuilder()
            .setSourceTopic("culprit.samples.interface")
            .setPartition(0)
            .setOffset(3)
            .setRecordTimestampMs(5)
            .setKey(null)
            .setValue(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}))
            .setStage("decode")
            .setReason("garbage")
            .build();
    assertThat(JsonRenderer.toJson(letter)).contains("\"value\":\"AQID\"").contains("\"key\":null");
  }

  private static List<String> iterable(java.util.Iterator<String> it) {
    List<String> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }
}
