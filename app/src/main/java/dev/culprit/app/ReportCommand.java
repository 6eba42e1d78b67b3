package dev.culprit.app;

import dev.culprit.app.report.RangeCoverage;
import dev.culprit.app.report.RangeSamples;
import dev.culprit.app.report.ReportHtml;
import dev.culprit.processor.ProcessorConfig;
import dev.culprit.schemas.DeadLetter;
import dev.culprit.schemas.FleetIncident;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.Topics;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code culprit report}: {@code culprit replay}'s causes of a range as one HTML page a postmortem
 * can attach, with the counters that prove each cause charted. The range is read once: the same
 * records feed the topology (causes, ids) and the charts.
 */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Replays the samples retained between --from and --to exactly as `culprit replay` does and"
          + " writes one self-contained HTML file: a timeline of the root causes and fleet"
          + " incidents, per host and namespace the charts of the counters that proved each cause"
          + " with its windows shaded, the events with evidence and remediation, and what the"
          + " range could not show (silent hosts, samples already deleted by retention).",
      "The file needs no network to open: no script, font or image is fetched.",
      "TIME is an ISO-8601 instant (2026-11-28T08:00:00Z), epoch milliseconds, or a duration"
          + " meaning that long ago (30m, 2h, 1d)."
    })
final class ReportCommand implements Callable<Integer> {

  @Mixin RangeOptions range;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "The HTML file to write (default: culprit-report-<from>.html here).")
  Path out;

  @Option(
      names = "--lookback",
      paramLabel = "DURATION",
      defaultValue = "15m",
      description =
          "How far before --from to look for hosts that then fell silent (default: ${DEFAULT-VALUE}).")
  Duration lookback;

  @Mixin ProcessorOptions processor;

  @Mixin KafkaClientOptions kafkaClient;

  @Override
  public Integer call() throws Exception {
    // The charts are drawn with Java2D into SVG: no display is needed, or wanted.
    System.setProperty("java.awt.headless", "true");
    Instant now = Instant.now();
    RangeOptions.Range span = range.range(now);
    Instant start = span.start();
    Instant end = span.end();
    Path file =
        out != null
            ? out
            : Path.of("culprit-report-" + start.toString().replace(':', '-') + ".html");
    Path dir = kafkaClient.dataDirOrDefault();
    KafkaAccess kafka = kafkaClient.resolve();
    Path state = Files.createTempDirectory("culprit-replay-");
    try {
      ProcessorConfig config =
          processor.config(kafka, dir).withApplicationId("culprit-replay").withStateDir(state);
      Predicate<String> only = range.hostFilter();
      System.err.println(
          "culprit report: samples from "
              + start
              + " to "
              + end
              + " at "
              + kafka.bootstrapServers());
      // A host silent for longer than three windows had a gap: no window of it could be judged.
      RangeSamples samples = new RangeSamples(3 * config.windowSize().toMillis());
      List<RootCause> causes = new ArrayList<>();
      // A fleet window that more votes reached after it went out comes again: the last one counts.
      Map<String, FleetIncident> incidentsByWindow = new LinkedHashMap<>();
      long[] deadLetters = {0};
      Replayer.Summary summary =
          new Replayer(kafka, config)
              .replay(
                  start,
                  end,
                  only,
                  result -> {
                    if (result instanceof RootCause c) {
                      causes.add(c);
                    } else if (result instanceof FleetIncident i) {
                      incidentsByWindow.put(i.getSignature() + "\u0000" + i.getWindowStartMs(), i);
                    } else if (result instanceof DeadLetter) {
                      deadLetters[0]++;
                    }
                  },
                  r -> {
                    var topic = Topics.byName(r.topic()).orElse(null);
                    if (topic == null || r.value() == null) {
                      return;
                    }
                    Object sample;
                    try {
                      sample = topic.valueSerde().decode(r.value());
                    } catch (RuntimeException undecodable) {
                      return; // the topology sends it to the dead letters; the report counts them
                    }
                    samples.accept(r.key(), r.timestamp(), sample);
                  });
      List<FleetIncident> incidents = new ArrayList<>(incidentsByWindow.values());
      Properties client = kafka.clientProperties();
      RangeCoverage.Result coverage = RangeCoverage.read(client, start, lookback, only);
      String html =
          ReportHtml.render(
              new ReportHtml.Input(
                  start,
                  end,
                  config.windowSize().toMillis(),
                  range.hosts,
                  kafka.bootstrapServers(),
                  version(),
                  now,
                  causes,
                  incidents,
                  deadLetters[0],
                  summary.samples(),
                  summary.openWindowsAfterMs() + config.windowSize().toMillis(),
                  samples,
                  coverage));
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path tmp = Files.createTempFile(parent, ".culprit-report-", ".html");
      try {
        Files.writeString(tmp, html, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
      System.err.println(
          "culprit report: "
              + summary.samples()
              + " samples of "
              + samples.hosts().size()
              + " hosts replayed, "
              + causes.size()
              + " root causes, "
              + incidents.size()
              + " fleet incidents; wrote "
              + file);
      return 0;
    } finally {
      dev.culprit.broker.KraftNodes.deleteRecursively(state);
    }
  }

  private static String version() {
    try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
