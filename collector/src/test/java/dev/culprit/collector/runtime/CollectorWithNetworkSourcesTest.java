package dev.culprit.collector.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.culprit.collector.platform.exec.ProcessCommandRunner;
import dev.culprit.collector.platform.netns.ProcNamespaceFinder;
import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.publish.JsonLinesPublisher;
import dev.culprit.collector.records.CollectorHealth;
import dev.culprit.collector.records.SourceState;
import dev.culprit.collector.source.NetworkSourceOptions;
import dev.culprit.collector.source.NetworkSources;
import dev.culprit.collector.spi.Sample;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One cycle of the run loop with the real network sources and namespace finder on this host, as
 * {@code culprit collect --once --json} runs it.
 */
class CollectorWithNetworkSourcesTest {

  @Test
  void oneCycleOnThisHostPrintsEverySampleAndAHealthRecordAsJsonLines() throws Exception {
    assumeTrue(Files.isReadable(Path.of("/proc/net/dev")), "needs a Linux /proc");
    HostPaths paths = HostPaths.defaults();
    CollectorConfig config =
        CollectorConfig.builder().hostId("it-host").interval(Duration.ofSeconds(5)).build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<Sample> records;
    try (Collector collector =
        new Collector(
            config,
            NetworkSources.create(
                paths,
                new ProcessCommandRunner(),
                NetworkSourceOptions.defaults().withEnabled(NetworkSourceOptions.ALL)),
            new ProcNamespaceFinder(paths),
            new JsonLinesPublisher(new PrintStream(out, true, StandardCharsets.UTF_8)))) {
      records = collector.runOnce();
    }

    CollectorHealth health = CollectorTest.health(records);
    assertThat(CollectorTest.status(health, Collector.DISCOVERY, "").getStatus())
        .isEqualTo(SourceState.OK);
    assertThat(CollectorTest.status(health, "interface", "").getStatus()).isEqualTo(SourceState.OK);
    assertThat(CollectorTest.status(health, "protocol", "").getStatus()).isEqualTo(SourceState.OK);
    assertThat(health.getSources())
        .as("no source hangs or breaks on a plain host; missing tools are NO_DATA")
        .allSatisfy(s -> assertThat(s.getStatus()).isIn(SourceState.OK, SourceState.NO_DATA));
    List<JsonNode> lines = new ArrayList<>();
    for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
      lines.add(new ObjectMapper().readTree(line));
    }
    assertThat(lines).hasSize(records.size());
    assertThat(lines.get(lines.size() - 1).get("topic").asText())
        .isEqualTo("culprit.samples.collector");
    assertThat(lines).allSatisfy(l -> assertThat(l.get("host").asText()).isEqualTo("it-host"));
  }
}
