package dev.culprit.app;

import dev.culprit.collector.runtime.CollectorConfig;
import dev.culprit.collector.source.FixtureCapture;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code culprit capture-fixture DIR}: snapshot what the sources read, for parser fixtures. */
@Command(
    name = "capture-fixture",
    mixinStandardHelpOptions = true,
    description = {
      "Copies every kernel file and command output the network sources read — for the host and"
          + " every network namespace — into DIR, with a README noting the kernel, distribution"
          + " and time, so a real machine's state becomes a test fixture or a bug report."
    })
final class CaptureFixtureCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "DIR", description = "Where to write the snapshot.")
  Path dir;

  @Mixin CollectorOptions collector;

  @Override
  public Integer call() throws Exception {
    CollectorConfig config =
        collector.config(
            new KafkaAccess(KafkaAccess.DEFAULT_SERVERS, java.util.Map.of()), DataDir.defaultDir());
    List<Path> written =
        new FixtureCapture(
                config.hostPaths(), collector.runner(), collector.finder(config), Clock.systemUTC())
            .capture(dir);
    System.err.println(
        "culprit capture-fixture: wrote " + written.size() + " namespaces to " + dir);
    return 0;
  }
}
