package dev.culprit.collector.platform.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.testing.Fixtures;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DockerJsonTest {

  @Test
  void readsTheStateOfAJvmKilledByTheKernel() throws Exception {
    DockerContainer c =
        DockerJson.inspect(Fixtures.text("docker/container_d_java_hostheap_512m_1_inspect.json"));

    assertThat(c.id())
        .isEqualTo("6449ea4654b4d929b64d15e3e3e96778026907918df96df1c6bb8809e8303826");
    assertThat(c.name()).isEqualTo("d_java_hostheap_512m_1");
    assertThat(c.image()).isEqualTo("bbjava:latest");
    assertThat(c.status()).isEqualTo("exited");
    assertThat(c.isRunning()).isFalse();
    assertThat(c.oomKilled()).isTrue();
    assertThat(c.exitCode()).isEqualTo(137);
    assertThat(c.pid()).as("Pid 0 = not running").isNull();
    assertThat(c.restartCount()).isZero();
    assertThat(c.startedAtMs())
        .isEqualTo(Instant.parse("2026-11-28T07:04:24.128722131Z").toEpochMilli());
    assertThat(c.finishedAtMs())
        .isEqualTo(Instant.parse("2026-11-28T07:04:25.316526462Z").toEpochMilli());
    assertThat(c.memoryLimitBytes()).isEqualTo(536870912L);
    assertThat(c.nanoCpus()).isEqualTo(1_000_000_000L);
  }

  @Test
  void readsAChildKillWhereTheMainProcessExitedZero() throws Exception {
    DockerContainer c =
        DockerJson.inspect(Fixtures.text("docker/container_d_child_oom_inspect.json"));

    assertThat(c.oomKilled()).isTrue();
    assertThat(c.exitCode()).isZero();
  }

  @Test
  void readsARunningContainerWithItsPidAndNoFinishTime() throws Exception {
    DockerContainer c =
        DockerJson.inspect(Fixtures.text("docker/container_d_running_inspect.json"));

    assertThat(c.isRunning()).isTrue();
    assertThat(c.pid()).isPositive();
    assertThat(c.finishedAtMs()).as("Go zero time = never").isNull();
  }

  @Test
  void readsPodmansCompatibleInspectWithItsAlwaysFalseOomKilled() throws Exception {
    DockerContainer c =
        DockerJson.inspect(Fixtures.text("docker/podman/container_oom1_inspect.json"));

    assertThat(c.name()).isEqualTo("oom1");
    assertThat(c.exitCode()).isEqualTo(137);
    assertThat(c.oomKilled()).as("podman 4.x bug").isFalse();
    assertThat(c.memoryLimitBytes()).isEqualTo(67108864L);
  }

  @Test
  void listsContainerIds() throws Exception {
    List<String> ids = DockerJson.containerIds(Fixtures.text("docker/containers_json_all.json"));
    assertThat(ids).isNotEmpty().allMatch(id -> id.matches("[0-9a-f]{64}"));
  }

  @Test
  void readsContainerEventsAndSkipsOtherTypes() throws Exception {
    List<DockerEvent> events = new ArrayList<>();
    int lines = 0;
    for (String line : Fixtures.text("docker/events_all.jsonl").split("\n")) {
      lines++;
      DockerJson.event(line).ifPresent(events::add);
    }

    assertThat(events).hasSizeLessThan(lines).as("network and image events skipped");
    assertThat(events).allMatch(e -> e.containerId().matches("[0-9a-f]{64}"));
    DockerEvent die =
        events.stream()
            .filter(e -> e.action().equals("die") && "d_oom_sh".equals(e.name()))
            .findFirst()
            .orElseThrow();
    assertThat(die.exitCode()).isEqualTo(137);
    assertThat(die.image()).isEqualTo("bb:latest");
    assertThat(die.timeNano()).isEqualTo(1795849443062743127L);
    assertThat(die.timeMs()).isEqualTo(1795849443062L);
    assertThat(events.stream().filter(e -> e.action().equals("oom")).map(DockerEvent::name))
        .containsExactly(
            "d_oom_sh",
            "d_java_hostheap_256m_1",
            "d_java_hostheap_256m_2",
            "d_java_hostheap_512m_1",
            "d_java_hostheap_512m_2",
            "d_child_oom");
  }

  @Test
  void readsPodmansDieEventWithItsExitCode() throws Exception {
    List<DockerEvent> dies = new ArrayList<>();
    for (String line : Fixtures.text("docker/podman/events_stream_apioom.jsonl").split("\n")) {
      DockerJson.event(line).filter(e -> e.action().equals("die")).ifPresent(dies::add);
    }
    assertThat(dies).singleElement().satisfies(e -> assertThat(e.exitCode()).isEqualTo(137));
  }

  @Test
  void rejectsMalformedJsonWithAClearMessage() {
    assertThatThrownBy(() -> DockerJson.inspect("{\"Id\": "))
        .hasMessageContaining("malformed JSON");
    assertThatThrownBy(() -> DockerJson.inspect("{}")).hasMessageContaining("without Id");
    assertThatThrownBy(() -> DockerJson.containerIds("{}"))
        .hasMessageContaining("not a JSON array");
  }

  @Test
  void parsesEngineTimestamps() {
    assertThat(DockerJson.time("0001-01-01T00:00:00Z")).isNull();
    assertThat(DockerJson.time("garbage")).isNull();
    assertThat(DockerJson.time("2026-11-28T07:04:24.128722131Z")).isEqualTo(1795849464128L);
  }
}
