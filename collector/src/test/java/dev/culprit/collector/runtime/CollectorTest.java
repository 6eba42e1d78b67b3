package dev.culprit.collector.runtime;

import static dev.culprit.collector.runtime.TestSources.HOST;
import static dev.culprit.collector.runtime.TestSources.finder;
import static dev.culprit.collector.runtime.TestSources.netns;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.publish.PublisherStats;
import dev.culprit.collector.records.CollectorHealth;
import dev.culprit.collector.records.ProbeSample;
import dev.culprit.collector.records.SourceState;
import dev.culprit.collector.records.SourceStatus;
import dev.culprit.collector.records.WireTopics;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.NamedSource;
import dev.culprit.collector.spi.NamespaceFinder;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.Sample;
import dev.culprit.collector.spi.Source;
import dev.culprit.collector.spi.Source.Scope;
import dev.culprit.collector.testing.TestSamples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollectorTest {

  private static final long NOW = 1_700_000_000_000L;
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);
  private static final Duration TIMEOUT = Duration.ofMillis(300);

  @TempDir Path proc;
  private final RecordingPublisher publisher = new RecordingPublisher();
  private Collector collector;
  private TestSources.Hanging hanging;

  @BeforeEach
  void bootId() throws IOException {
    Files.createDirectories(proc.resolve("sys/kernel/random"));
    Files.writeString(proc.resolve("sys/kernel/random/boot_id"), "0e5a6b1c-boot\n");
  }

  @AfterEach
  void release() {
    if (hanging != null) {
      hanging.release.countDown();
    }
    if (collector != null) {
      collector.close();
    }
  }

  @Test
  void runsPerNamespaceSourcesInEveryNamespaceAndHostSourcesOnce() throws Exception {
    var perNetns = new TestSources.Counting("probe", Scope.PER_NETNS);
    var perHost = new TestSources.Counting("hostwide", Scope.HOST);
    collector =
        collector(
            List.of(perHost, perNetns), finder(HOST, netns("culprit-a", 2), netns("culprit-b", 3)));

    List<Sample> records = collector.runOnce();

    assertThat(perNetns.calls).hasValue(3);
    assertThat(perHost.calls).hasValue(1);
    assertThat(records).hasSize(5);
    assertThat(records.subList(0, 4))
        .extracting(s -> ((ProbeSample) s.value()).getNetns())
        .containsExactly("", "", "culprit-a", "culprit-b");
    assertThat(records)
        .allSatisfy(s -> assertThat(s.key()).isEqualTo("host-1"))
        .extracting(s -> s.value().getSampleTimeMs())
        .containsOnly(NOW);
    CollectorHealth health = health(records);
    assertThat(health.getBootId()).isEqualTo("0e5a6b1c-boot");
    assertThat(health.getSources())
        .extracting(SourceStatus::getSource, SourceStatus::getNetns, SourceStatus::getStatus)
        .containsExactly(
            tuple(Collector.DISCOVERY, "", SourceState.OK),
            tuple("hostwide", "", SourceState.OK),
            tuple("probe", "", SourceState.OK),
            tuple("probe", "culprit-a", SourceState.OK),
            tuple("probe", "culprit-b", SourceState.OK));
    assertThat(publisher.cycles()).containsExactly(records);
  }

  @Test
  void handsEachNamespacesSamplesOnWhileLaterOnesRunAndPublishesThemOnceInOrder() throws Exception {
    // culprit-c's call waits until culprit-a's sample has reached the publisher: a cycle does not
    // hold its samples until its last call ends. culprit-b's call fails.
    CountDownLatch aHandedOver = new CountDownLatch(1);
    publisher.onAdd(
        samples -> {
          if (samples.stream().anyMatch(s -> netnsOf(s).equals("culprit-a"))) {
            aHandedOver.countDown();
          }
        });
    Source source =
        new NamedSource("probe", Scope.PER_NETNS) {
          @Override
          public List<Sample> collect(Netns netns, Header header) throws Exception {
            if (netns.label().equals("culprit-b")) {
              throw new IOException("boom");
            }
            if (netns.label().equals("culprit-c") && !aHandedOver.await(5, TimeUnit.SECONDS)) {
              throw new IllegalStateException("culprit-a's sample is still held");
            }
            return List.of(TestSamples.probe(header, netns.inode()));
          }
        };
    CollectorConfig config =
        config()
            .interval(Duration.ofSeconds(10))
            .maxConcurrentSources(4)
            .sourceTimeout(Duration.ofSeconds(10))
            .build();
    collector =
        new Collector(
            config,
            List.of(source),
            finder(HOST, netns("culprit-a", 2), netns("culprit-b", 3), netns("culprit-c", 4)),
            publisher,
            CLOCK);

    List<Sample> records = collector.runOnce();

    assertThat(publisher.handedOver())
        .as("each call's samples handed over once, in the calls' order")
        .extracting(part -> part.stream().map(CollectorTest::netnsOf).toList())
        .containsExactly(List.of(""), List.of("culprit-a"), List.of("culprit-c"));
    assertThat(records.subList(0, 3))
        .extracting(CollectorTest::netnsOf)
        .containsExactly("", "culprit-a", "culprit-c");
    assertThat(records.get(3).topic()).isEqualTo(WireTopics.COLLECTOR);
    assertThat(status(health(records), "probe", "culprit-b").getStatus())
        .isEqualTo(SourceState.ERROR);
    assertThat(status(health(records), "probe", "culprit-c").getStatus()).isEqualTo(SourceState.OK);
    assertThat(publisher.cycles()).as("published once, as one cycle").containsExactly(records);
  }

  @Test
  void aSlowHostWideSourceDoesNotHoldBackTheNamespacesSamples() throws Exception {
    // The host-wide call, first in the cycle, waits until culprit-a's probe sample has reached the
    // publisher: each source's samples go on in namespace order without waiting for the others.
    CountDownLatch aHandedOver = new CountDownLatch(1);
    publisher.onAdd(
        samples -> {
          if (samples.stream().anyMatch(s -> netnsOf(s).equals("culprit-a"))) {
            aHandedOver.countDown();
          }
        });
    Source slowHostWide =
        new NamedSource("hostwide", Scope.HOST) {
          @Override
          public List<Sample> collect(Netns netns, Header header) throws Exception {
            if (!aHandedOver.await(5, TimeUnit.SECONDS)) {
              throw new IllegalStateException("the namespaces' samples wait for this call");
            }
            return List.of(TestSamples.probe(header, -1));
          }
        };
    var probe = new TestSources.Counting("probe", Scope.PER_NETNS);
    CollectorConfig config =
        config()
            .interval(Duration.ofSeconds(10))
            .maxConcurrentSources(2)
            .sourceTimeout(Duration.ofSeconds(10))
            .build();
    collector =
        new Collector(
            config,
            List.of(slowHostWide, probe),
            finder(HOST, netns("culprit-a", 2), netns("culprit-b", 3)),
            publisher,
            CLOCK);

    List<Sample> records = collector.runOnce();

    assertThat(status(health(records), "hostwide", "").getStatus()).isEqualTo(SourceState.OK);
    assertThat(records.subList(0, 4))
        .extracting(s -> ((ProbeSample) s.value()).getSent() < 0 ? "hostwide" : netnsOf(s))
        .as("each source's samples in namespace order, the slow one's after culprit-a's")
        .containsSubsequence("", "culprit-a", "culprit-b")
        .containsSubsequence("culprit-a", "hostwide");
    assertThat(publisher.cycles()).containsExactly(records);
  }

  private static String netnsOf(Sample s) {
    return ((ProbeSample) s.value()).getNetns();
  }

  @Test
  void reportsAThrowingSourceAsErrorWhileTheOthersStillPublish() throws Exception {
    var ok = new TestSources.Counting("probe", Scope.PER_NETNS);
    collector = collector(List.of(TestSources.throwing("broken"), ok), finder(HOST));

    List<Sample> records = collector.runOnce();

    assertThat(records)
        .extracting(Sample::topic)
        .containsExactly(WireTopics.PROBE, WireTopics.COLLECTOR);
    SourceStatus broken = status(health(records), "broken", "");
    assertThat(broken.getStatus()).isEqualTo(SourceState.ERROR);
    assertThat(broken.getReason()).isEqualTo("IOException: cannot read /proc/net/nothing: boom");
  }

  @Test
  void reportsASourceWithNothingToReadAsNoDataWithTheReason() throws Exception {
    collector =
        collector(
            List.of(TestSources.noData("conntrack", "nf_conntrack is not loaded")), finder(HOST));

    SourceStatus status = status(health(collector.runOnce()), "conntrack", "");

    assertThat(status.getStatus()).isEqualTo(SourceState.NO_DATA);
    assertThat(status.getReason()).isEqualTo("nf_conntrack is not loaded");
  }

  @Test
  void abandonsAHangingSourceAndDoesNotStartItAgainUntilItReturns() throws Exception {
    hanging = new TestSources.Hanging("stuck", "culprit-a");
    var ok = new TestSources.Counting("probe", Scope.PER_NETNS);
    collector = collector(List.of(hanging, ok), finder(HOST, netns("culprit-a", 2)));

    List<Sample> first = assertTimeoutPreemptively(Duration.ofSeconds(10), collector::runOnce);

    SourceStatus stuck = status(health(first), "stuck", "culprit-a");
    assertThat(stuck.getStatus()).isEqualTo(SourceState.TIMEOUT);
    assertThat(stuck.getReason()).isEqualTo("no answer within 300 ms");
    assertThat(status(health(first), "stuck", "").getStatus()).isEqualTo(SourceState.OK);
    assertThat(status(health(first), "probe", "culprit-a").getStatus()).isEqualTo(SourceState.OK);

    List<Sample> second = assertTimeoutPreemptively(Duration.ofSeconds(10), collector::runOnce);

    assertThat(hanging.calls).as("host netns call + the one stuck call + host again").hasValue(3);
    SourceStatus stillStuck = status(health(second), "stuck", "culprit-a");
    assertThat(stillStuck.getStatus()).isEqualTo(SourceState.TIMEOUT);
    assertThat(stillStuck.getReason()).startsWith("previous call still running since ");
    assertThat(status(health(second), "probe", "culprit-a").getStatus()).isEqualTo(SourceState.OK);

    hanging.release.countDown();
    awaitNoStuckCalls();
    List<Sample> third = collector.runOnce();

    assertThat(status(health(third), "stuck", "culprit-a").getStatus()).isEqualTo(SourceState.OK);
  }

  @Test
  void hangingCallsDoNotUseUpTheWorkers() throws Exception {
    hanging = new TestSources.Hanging("stuck", "");
    var ok = new TestSources.Counting("probe", Scope.PER_NETNS);
    CollectorConfig config = config().maxConcurrentSources(1).build();
    collector =
        new Collector(
            config, List.of(hanging, ok), finder(HOST, netns("culprit-a", 2)), publisher, CLOCK);

    List<Sample> records = assertTimeoutPreemptively(Duration.ofSeconds(10), collector::runOnce);

    CollectorHealth health = health(records);
    assertThat(status(health, "stuck", "").getStatus()).isEqualTo(SourceState.TIMEOUT);
    assertThat(status(health, "stuck", "culprit-a").getStatus()).isEqualTo(SourceState.TIMEOUT);
    assertThat(status(health, "probe", "").getStatus()).isEqualTo(SourceState.OK);
    assertThat(status(health, "probe", "culprit-a").getStatus()).isEqualTo(SourceState.OK);
  }

  @Test
  void skipsCallsThatCannotStartBeforeTheCycleEnds() throws Exception {
    hanging = new TestSources.Hanging("stuck", "");
    CollectorConfig config =
        config()
            .interval(Duration.ofMillis(200))
            .sourceTimeout(Duration.ofMillis(200))
            .maxConcurrentSources(1)
            .build();
    collector =
        new Collector(
            config,
            List.of(hanging),
            finder(HOST, netns("culprit-a", 2), netns("culprit-b", 3)),
            publisher,
            CLOCK);

    CollectorHealth health =
        health(assertTimeoutPreemptively(Duration.ofSeconds(10), collector::runOnce));

    assertThat(status(health, "stuck", "").getStatus()).isEqualTo(SourceState.TIMEOUT);
    assertThat(status(health, "stuck", "").getReason())
        .startsWith("cut off at the end of the cycle");
    assertThat(status(health, "stuck", "culprit-a").getStatus()).isEqualTo(SourceState.SKIPPED);
    assertThat(status(health, "stuck", "culprit-b").getStatus()).isEqualTo(SourceState.SKIPPED);
  }

  @Test
  void samplesOnlyTheNamespacesTheFilterAcceptsAndAlwaysTheHost() throws Exception {
    var probe = new TestSources.Counting("probe", Scope.PER_NETNS);
    CollectorConfig config = config().netns(List.of("culprit-*"), List.of("*-b")).build();
    collector =
        new Collector(
            config,
            List.of(probe),
            finder(HOST, netns("culprit-a", 2), netns("culprit-b", 3), netns("other", 4)),
            publisher,
            CLOCK);

    CollectorHealth health = health(collector.runOnce());

    assertThat(health.getSources())
        .filteredOn(s -> s.getSource().equals("probe"))
        .extracting(SourceStatus::getNetns)
        .containsExactly("", "culprit-a");
  }

  @Test
  void keepsSamplingTheLastKnownNamespacesWhenDiscoveryFails() throws Exception {
    AtomicInteger finds = new AtomicInteger();
    NamespaceFinder flaky =
        () -> {
          if (finds.incrementAndGet() > 1) {
            throw new IOException("cannot list /proc: too many open files");
          }
          return List.of(HOST, netns("culprit-a", 2));
        };
    var probe = new TestSources.Counting("probe", Scope.PER_NETNS);
    collector = collector(List.of(probe), flaky);
    collector.runOnce();

    CollectorHealth health = health(collector.runOnce());

    SourceStatus discovery = status(health, Collector.DISCOVERY, "");
    assertThat(discovery.getStatus()).isEqualTo(SourceState.ERROR);
    assertThat(discovery.getReason()).contains("too many open files");
    assertThat(status(health, "probe", "culprit-a").getStatus()).isEqualTo(SourceState.OK);
  }

  @Test
  void samplesTheHostAloneWhenDiscoveryNeverWorked() throws Exception {
    NamespaceFinder broken =
        () -> {
          throw new IOException("no /proc");
        };
    var probe = new TestSources.Counting("probe", Scope.PER_NETNS);
    collector = collector(List.of(probe), broken);

    CollectorHealth health = health(collector.runOnce());

    assertThat(health.getSources())
        .filteredOn(s -> s.getSource().equals("probe"))
        .extracting(SourceStatus::getNetns, SourceStatus::getStatus)
        .containsExactly(tuple("", SourceState.OK));
  }

  @Test
  void reportsThePublishersSpoolCountersInTheHealthRecord() throws Exception {
    publisher.setStats(new PublisherStats(12, 3400, 5, 1, 7, 2));
    collector = collector(List.of(), finder(HOST));

    CollectorHealth health = health(collector.runOnce());

    assertThat(health.getSpooledRecords()).isEqualTo(12);
    assertThat(health.getSpooledBytes()).isEqualTo(3400);
    assertThat(health.getSpoolDroppedRecords()).isEqualTo(5);
    assertThat(health.getSpoolCorruptRecords()).isEqualTo(1);
    assertThat(health.getSendErrors()).isEqualTo(7);
    assertThat(health.getRejectedRecords()).isEqualTo(2);
    assertThat(health.getCycleDurationUs()).isPositive();
  }

  @Test
  void namesATopicTheBrokerRefusesWithItsErrorInTheHealthRecord() throws Exception {
    String error = "topic culprit.samples.probe: TOPIC_AUTHORIZATION_FAILED";
    publisher.setStats(
        new PublisherStats(3, 300, 0, 0, 3, 0, 0, 2, Map.of("culprit.samples.probe", error)));
    collector = collector(List.of(), finder(HOST));

    CollectorHealth health = health(collector.runOnce());

    assertThat(health.getSources())
        .filteredOn(s -> s.getSource().startsWith("publish:"))
        .extracting(SourceStatus::getSource, SourceStatus::getStatus, SourceStatus::getReason)
        .containsExactly(tuple("publish:culprit.samples.probe", SourceState.ERROR, error));
  }

  @Test
  void runsOnlyTheEnabledSourcesAndRejectsUnknownNames() {
    var a = new TestSources.Counting("a", Scope.PER_NETNS);
    var b = new TestSources.Counting("b", Scope.PER_NETNS);
    CollectorConfig onlyA = config().enabledSources(List.of("a")).build();
    collector = new Collector(onlyA, List.of(a, b), finder(HOST), publisher, CLOCK);

    assertThat(collector.sources()).containsExactly(a);
    CollectorConfig typo = config().enabledSources(List.of("a", "interfaec")).build();
    assertThatThrownBy(() -> new Collector(typo, List.of(a, b), finder(HOST), publisher, CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[interfaec]")
        .hasMessageContaining("known: [a, b]");
    assertThatThrownBy(
            () -> new Collector(config().build(), List.of(a, a), finder(HOST), publisher, CLOCK))
        .hasMessageContaining("two sources are named a");
  }

  @Test
  void refusesToRunAfterCloseAndClosesThePublisher() {
    collector = collector(List.of(), finder(HOST));
    collector.close();

    assertThat(publisher.closed()).isTrue();
    assertThatThrownBy(collector::runOnce).isInstanceOf(IllegalStateException.class);
  }

  private Collector collector(List<Source> sources, NamespaceFinder finder) {
    return new Collector(config().build(), sources, finder, publisher, CLOCK);
  }

  private CollectorConfig.Builder config() {
    return CollectorConfig.builder()
        .hostId("host-1")
        .collectorId("c-1")
        .interval(Duration.ofSeconds(2))
        .sourceTimeout(TIMEOUT)
        .hostPaths(new HostPaths(proc, proc.resolve("sys"), proc, proc, proc.resolve("kmsg")));
  }

  private void awaitNoStuckCalls() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (collectorStuckCalls() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(collectorStuckCalls()).isZero();
  }

  private int collectorStuckCalls() {
    return collector.stuckCalls();
  }

  static CollectorHealth health(List<Sample> records) {
    Sample last = records.get(records.size() - 1);
    assertThat(last.topic()).isEqualTo(WireTopics.COLLECTOR);
    return (CollectorHealth) last.value();
  }

  static SourceStatus status(CollectorHealth health, String source, String netns) {
    return health.getSources().stream()
        .filter(s -> s.getSource().equals(source) && s.getNetns().equals(netns))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no status for " + source + " in '" + netns + "'"));
  }
}
