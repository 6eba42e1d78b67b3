package dev.culprit.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.culprit.app.report.ReportHtml;
import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.broker.OrderedProducer;
import dev.culprit.processor.SampleFactory;
import dev.culprit.processor.oom.OomFixtures;
import dev.culprit.processor.scenarios.SeedHost;
import dev.culprit.schemas.ContainerSample;
import dev.culprit.schemas.ContainerStats;
import dev.culprit.schemas.FilterSample;
import dev.culprit.schemas.FirewallRule;
import dev.culprit.schemas.KernelOomSample;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code culprit report} over a recorded range on a real broker: the seed's three network faults
 * (netem loss, random DROP rules, MTU 100) on two hosts at once (so fleet incidents too), the
 * seed's Tomcat OOM-killed with its JVM heap ceiling above the container's limit, a CPU-throttled
 * container, and a host that sent samples before the range and nothing inside it. The firewall rule
 * carries a hostile comment. The page is checked as markup and, when Debian's chromium is
 * installed, as a browser renders and prints it with the network cut off.
 */
class ReportCommandTest {

  static final String HOSTILE = "<script>alert(1)</script>\"'&";
  static final String SEED2 = "seed-vm-2";
  static final String APP = "app-1";
  static final String SILENT = "web-9";
  static final String GAPPY = "web-8";
  static final String BURNER_ID =
      "b0a1c2d3e4f5061728394a5b6c7d8e9f00112233445566778899aabbccddeeff";

  static EmbeddedBroker broker;
  static long t0;
  static long end;
  static long killMs;
  static Path report;
  static String html;
  static Cli.Run replay;

  @TempDir static Path dir;

  @BeforeAll
  static void recordARangeAndReportIt() throws Exception {
    broker = EmbeddedBroker.startTemporary();
    // Twenty 10 s cycles ending a minute ago, on a window edge.
    t0 = (Instant.now().toEpochMilli() / 10_000 - 26) * 10_000;
    end = t0 + 200_000;
    killMs = t0 + 95_500;
    try (KafkaProducer<String, byte[]> producer =
        OrderedProducer.create(broker.bootstrapServers())) {
      // The silent host: samples in the five minutes before the range, none inside it.
      SampleFactory web9 = new SampleFactory(SILENT, t0 - 300_000);
      for (long t = t0 - 300_000; t < t0 - 60_000; t += 10_000) {
        web9.at(t);
        send(producer, web9.protocol("", SeedHost.tcp(0, 0, 0, 0, 0)));
      }
      // A host with a gap that then stops: cycles 0 to 5 and 13 to 16 only.
      SampleFactory web8 = new SampleFactory(GAPPY, t0);
      for (int c = 0; c < 20; c++) {
        if (c <= 5 || (c >= 13 && c <= 16)) {
          web8.at(t0 + 2_000 + c * 10_000L);
          send(producer, web8.protocol("", SeedHost.tcp(0, 0, 0, 0, 0)));
        }
      }
      // Softnet samples of the seed's host, of which retention deletes the first five cycles.
      SampleFactory softnet = new SampleFactory(SeedHost.HOST, t0);
      for (int c = 0; c < 20; c++) {
        softnet.at(t0 + 1_000 + c * 10_000L);
        var sample = softnet.softnet(1000L, SampleFactory.cpu(0, 1000L * c, 0, 0));
        producer.send(
            new ProducerRecord<>(
                Topics.SOFTNET.name(),
                0,
                sample.getSampleTimeMs(),
                sample.getHost(),
                Topics.SOFTNET.valueSerde().encode(sample)));
      }
      SeedHost seed = new SeedHost(t0);
      SeedHost.State s = SeedHost.quiet();
      for (int c = 0; c < 20; c++) {
        long t = t0 + 1_000 + c * 10_000L;
        // Faults drop from cycle 5 to cycle 11, then stop (counters stay put).
        if (c >= 5 && c <= 11) {
          s = grow(s, SeedHost.seed());
        }
        for (SpecificRecord r : seed.cycle(t, s)) {
          send(producer, hostile(r));
          send(producer, hostile(withHost(r, SEED2)));
        }
        SampleFactory probes = new SampleFactory(SeedHost.HOST, t);
        boolean faulty = c >= 5 && c <= 11;
        send(
            producer,
            probes.probe(
                SeedHost.NGINX,
                "10.0.0.7",
                80,
                10,
                faulty ? 6 : 10,
                0.2,
                faulty ? 80.0 : 0.4,
                900.0));
        long ct = t + 500;
        send(producer, containers(ct, c, null));
      }
      // The seed's OOM kill at killMs: the engine's oom and die events, then the kernel's record.
      send(producer, containers(killMs + 80, 9, "oom"));
      send(producer, containers(killMs + 120, 10, "die"));
      KernelOomSample kill =
          OomFixtures.seedKill()
              .setHost(APP)
              .setKillTimeMs(killMs)
              .setSampleTimeMs(killMs + 900)
              .build();
      send(producer, kill);
      producer.flush();
    }
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      // What retention does to a log: its start moves past the oldest records.
      admin
          .deleteRecords(
              Map.of(new TopicPartition(Topics.SOFTNET.name(), 0), RecordsToDelete.beforeOffset(5)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    report = dir.resolve("postmortem.html");
    Cli.Run run =
        Cli.run(
            "report",
            "--bootstrap-servers",
            broker.bootstrapServers(),
            "--from",
            Long.toString(t0),
            "--to",
            Long.toString(end),
            "--out",
            report.toString());
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    html = Files.readString(report);
    // Kept with the screenshot as build artefacts, to look at.
    Files.writeString(Path.of("target", "report.html"), html);
    replay =
        Cli.run(
            "replay",
            "--bootstrap-servers",
            broker.bootstrapServers(),
            "--from",
            Long.toString(t0),
            "--to",
            Long.toString(end),
            "--json");
    assertThat(replay.exitCode()).as(replay.stderr()).isZero();
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void holdsEveryEventOfTheReplayWithItsRemediationEscaped() throws Exception {
    List<JsonNode> events = replayed("eventId");
    assertThat(events).as(replay.stderr()).hasSizeGreaterThan(8);
    assertThat(events)
        .extracting(e -> e.get("cause").asText())
        .contains(
            "FIREWALL_DROP",
            "QDISC_LOSS",
            "MTU_MISMATCH",
            "JVM_HEAP_EXCEEDS_LIMIT",
            "CPU_THROTTLED");
    for (JsonNode e : events) {
      String row = element(html, "tr", "id=\"event-" + e.get("eventId").asText() + "\"");
      assertThat(row).as("event %s", e).isNotNull();
      assertThat(row).contains(ReportHtml.esc(e.get("remediation").asText()));
    }
    assertThat(count(html, "<tr class=\"event\"")).isEqualTo(events.size());
    // The hostile comment is text everywhere it appears, never markup.
    assertThat(html).doesNotContainIgnoringCase("<script");
    assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt;");
    assertThat(html).contains("Content-Security-Policy").contains("default-src 'none'");
    List<JsonNode> incidents = replayed("signature");
    assertThat(incidents).isNotEmpty();
    // One row per signature, with all of its windows.
    Map<String, Integer> windows = new java.util.TreeMap<>();
    incidents.forEach(i -> windows.merge(i.get("signature").asText(), 1, Integer::sum));
    assertThat(count(html, "<tr class=\"incident\"")).isEqualTo(windows.size());
    windows.forEach(
        (sig, n) ->
            assertThat(html)
                .contains(
                    "<tr class=\"incident\" data-signature=\""
                        + ReportHtml.esc(sig)
                        + "\" data-windows=\""
                        + n
                        + "\">"));
  }

  @Test
  void timelineHasEveryCauseAndIncidentInOrder() {
    String timeline = element(html, "section", "id=\"timeline\"");
    Matcher bar =
        Pattern.compile(
                "<g class='culprit-bar culprit-([a-z-]+)' data-row='(\\d+)' data-label='([^']*)'"
                    + " data-start='(\\d+)' data-end='(\\d+)'>")
            .matcher(timeline);
    Map<Integer, Long> firstStart = new LinkedHashMap<>();
    TreeSet<String> kinds = new TreeSet<>();
    while (bar.find()) {
      kinds.add(bar.group(1));
      firstStart.merge(Integer.parseInt(bar.group(2)), Long.parseLong(bar.group(4)), Math::min);
    }
    assertThat(kinds).containsExactly("fleet", "oom", "packet-loss");
    List<Long> byRow = new ArrayList<>(new java.util.TreeMap<>(firstStart).values());
    assertThat(byRow).as("rows ordered by their first window").isSorted();
    long groups =
        replayed("eventId").stream()
            .map(
                e ->
                    e.get("host").asText()
                        + e.get("netns").asText()
                        + e.get("cause")
                        + e.get("location"))
            .distinct()
            .count();
    long signatures =
        replayed("signature").stream().map(e -> e.get("signature")).distinct().count();
    assertThat(firstStart).hasSize((int) (groups + signatures));
  }

  @Test
  void chartsEachCauseWithItsWindowsShadedAtTheirTimes() {
    String firewall = figure("Firewall rule drops: filter INPUT rule 1");
    assertThat(firewall).contains("data-name='filter INPUT rule 1 drops'");
    assertThat(firewall).contains("&lt;script&gt;"); // the rule's comment, in the subtitle
    List<long[]> expected =
        mergedWindows(SeedHost.HOST, "nginx", "FIREWALL_DROP", "filter INPUT rule 1");
    assertThat(expected).isNotEmpty();
    assertShadedAt(firewall, expected);

    String qdisc = figure("Qdisc drops: eth0 netem 800d: root");
    assertThat(qdisc)
        .contains("settings: netem limit 1000 loss 30%")
        .contains("data-name='dropped'");
    assertShadedAt(
        qdisc, mergedWindows(SeedHost.HOST, "nginx", "QDISC_LOSS", "eth0 netem 800d: root"));

    String mtu = figure("RX drops and MTUs: eth0 and veth9a1b2c3 (host)");
    assertThat(mtu)
        .contains("data-name='eth0 RX dropped'")
        .contains("data-name='eth0 MTU'")
        .contains("data-name='veth9a1b2c3 (host) MTU'");

    String tcp = figure("What TCP saw: retransmits, SYN retries, timeouts");
    assertThat(tcp)
        .contains("data-name='Tcp.RetransSegs'")
        .contains("data-name='TcpExt.TCPSynRetrans'");
    assertThat(figure("Probes as the clients saw them: loss and RTT"))
        .contains("data-name='10.0.0.7:80 loss'");

    String memory = figure("Container memory: tomcat");
    assertThat(memory)
        .contains("data-name='memory usage'")
        .contains("<g class='culprit-series culprit-limit' data-name='memory limit'")
        .contains(
            "<g class='culprit-series culprit-limit' data-name='JVM heap ceiling (MaxHeapSize)'")
        .contains("<g class='culprit-marker culprit-marker-oom-kill' data-at='" + killMs + "'");

    String cpu = figure("CPU throttling: burner");
    assertThat(cpu).contains("data-name='throttled periods'").contains("data-name='quota'");
    assertShadedAt(cpu, mergedWindows(APP, "burner", "CPU_THROTTLED", "burner"));
  }

  @Test
  void saysWhatTheRangeCouldNotShow() {
    String section = element(html, "section", "id=\"not-shown\"");
    assertThat(section).contains("<li class=\"silent-host\" data-host=\"" + SILENT + "\">");
    assertThat(section).doesNotContain("data-host=\"" + SeedHost.HOST + "\"");
    String gap = element(section, "li", "class=\"host-gap\" data-host=\"" + GAPPY + "\"");
    assertThat(gap).as(section).isNotNull();
    // Its last sample before the gap (cycle 5) and its first after it (cycle 13).
    assertThat(gap)
        .contains("from " + clock(t0 + 52_000) + " to " + clock(t0 + 132_000) + " (80 s)")
        .contains("from " + clock(t0 + 162_000) + " to the end of the range (38 s)");
    String truncated =
        element(
            section,
            "li",
            "class=\"truncated-topic\" data-topic=\"" + Topics.SOFTNET.name() + "\"");
    assertThat(truncated)
        .as(section)
        .isNotNull()
        .contains(TIME.format(Instant.ofEpochMilli(t0 + 51_000)));
    assertThat(section).doesNotContain("data-topic=\"" + Topics.FILTER.name() + "\"");
  }

  /**
   * What a person sees: Debian's chromium opens the file with every network path cut (no DNS, a CSP
   * of {@code default-src 'none'}, a net log of any request it made), renders it, screenshots it
   * (kept in target/ as a build artefact) and prints it to PDF.
   */
  @Test
  void rendersPrintsAndFetchesNothingInHeadlessChromium(@TempDir Path tmp) throws Exception {
    Path chromium = Path.of("/usr/bin/chromium");
    Assumptions.assumeTrue(Files.isExecutable(chromium), "Debian's chromium is not installed");
    Path netLog = tmp.resolve("net-log.json");
    Chrome dom =
        chrome(chromium, tmp, "--log-net-log=" + netLog, "--dump-dom", report.toUri().toString());
    assertThat(dom.exit()).as(dom.stderr()).isZero();
    assertThat(dom.stdout())
        .contains("<figure class=\"chart\"")
        .contains("culprit-marker-oom-kill");
    assertThat(dom.stdout()).doesNotContainIgnoringCase("<script");
    assertThat(dom.stderr()).doesNotContain("Refused to").doesNotContain("Uncaught");
    assertThat(pageRequests(netLog)).as("requests the page made").isEmpty();
    // The check can fail: a page with an image on the network is caught by it.
    Path control = tmp.resolve("control.html");
    Files.writeString(control, "<p>control</p><img src=\"http://culprit-control.invalid/x.png\">");
    Path controlLog = tmp.resolve("control-net-log.json");
    chrome(chromium, tmp, "--log-net-log=" + controlLog, "--dump-dom", control.toUri().toString());
    assertThat(pageRequests(controlLog)).containsExactly("http://culprit-control.invalid/x.png");

    Path png = Path.of("target", "report-screenshot.png").toAbsolutePath();
    Files.deleteIfExists(png);
    Chrome shot =
        chrome(
            chromium,
            tmp,
            "--window-size=1280,1800",
            "--hide-scrollbars",
            "--screenshot=" + png,
            report.toUri().toString());
    assertThat(shot.exit()).as(shot.stderr()).isZero();
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(1280);
    // Charts have size: the timeline's red bars and the charts' shaded windows are on screen.
    assertThat(pixels(image, 0xC6, 0x28, 0x28, 12)).as("timeline bar pixels").isGreaterThan(200);
    assertThat(pixels(image, 0xFA, 0xDE, 0xE0, 10)).as("shaded window pixels").isGreaterThan(2_000);

    Path pdf = tmp.resolve("report.pdf");
    Chrome print =
        chrome(
            chromium,
            tmp,
            "--no-pdf-header-footer",
            "--print-to-pdf=" + pdf,
            report.toUri().toString());
    assertThat(print.exit()).as(print.stderr()).isZero();
    byte[] bytes = Files.readAllBytes(pdf);
    assertThat(new String(bytes, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
    assertThat(bytes.length).isGreaterThan(50_000);
  }

  private static final java.time.format.DateTimeFormatter TIME =
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
          .withZone(java.time.ZoneOffset.UTC);

  private static String clock(long ms) {
    return TIME.format(Instant.ofEpochMilli(ms)).substring(11);
  }

  record Chrome(int exit, String stdout, String stderr) {}

  /**
   * The URLs of the requests a page started, from chromium's net log: those with the page as
   * initiator (a file: page's origin is "null"), not the browser's own background requests ("not an
   * origin"), which the resolver rules send nowhere anyway.
   */
  private static List<String> pageRequests(Path netLog) throws IOException {
    JsonNode log = new ObjectMapper().readTree(netLog.toFile());
    int startJob = log.get("constants").get("logEventTypes").get("URL_REQUEST_START_JOB").asInt();
    List<String> urls = new ArrayList<>();
    for (JsonNode e : log.get("events")) {
      JsonNode params = e.get("params");
      if (e.get("type").asInt() == startJob
          && params != null
          && params.has("url")
          && !"not an origin".equals(params.path("initiator").asText())
          && !params.path("url").asText().startsWith("file:")) {
        urls.add(params.path("url").asText());
      }
    }
    return urls;
  }

  private static Chrome chrome(Path chromium, Path tmp, String... args) throws Exception {
    Path profile = Files.createTempDirectory(tmp, "culprit-chromium-");
    List<String> command =
        new ArrayList<>(
            List.of(
                chromium.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--host-resolver-rules=MAP * ~NOTFOUND",
                "--enable-logging=stderr",
                "--v=0",
                "--user-data-dir=" + profile));
    command.addAll(List.of(args));
    Path out = tmp.resolve("chromium.out");
    Path err = tmp.resolve("chromium.err");
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    try {
      if (!p.waitFor(90, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("chromium did not finish in 90 s: " + Files.readString(err));
      }
      return new Chrome(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      p.destroyForcibly();
    }
  }

  private static long pixels(BufferedImage image, int r, int g, int b, int tolerance) {
    long n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y);
        if (Math.abs(((rgb >> 16) & 0xFF) - r) <= tolerance
            && Math.abs(((rgb >> 8) & 0xFF) - g) <= tolerance
            && Math.abs((rgb & 0xFF) - b) <= tolerance) {
          n++;
        }
      }
    }
    return n;
  }

  /**
   * The chart's shaded windows are the cause's windows, and each is drawn where the time axis puts
   * that time: x = plot left + (start - from) / (to - from) × plot width.
   */
  private static void assertShadedAt(String figure, List<long[]> windows) {
    Matcher area = Pattern.compile("data-plot-areas=\"([^\"]+)\"").matcher(figure);
    assertThat(area.find()).isTrue();
    String[] plot = area.group(1).split(";")[0].split(",");
    double px = Double.parseDouble(plot[0]);
    double pw = Double.parseDouble(plot[2]);
    Matcher shade =
        Pattern.compile(
                "<g class='culprit-window' data-start='(\\d+)' data-end='(\\d+)'[^>]*>\\s*<rect x='([\\d.]+)'[^>]*"
                    + " width='([\\d.]+)'")
            .matcher(figure);
    List<long[]> seen = new ArrayList<>();
    while (shade.find()) {
      long start = Long.parseLong(shade.group(1));
      long stop = Long.parseLong(shade.group(2));
      if (seen.stream().noneMatch(w -> w[0] == start)) {
        seen.add(new long[] {start, stop});
      }
      double x = Double.parseDouble(shade.group(3));
      double w = Double.parseDouble(shade.group(4));
      assertThat(x).isCloseTo(px + (start - t0) * pw / (end - t0), within(1.0));
      assertThat(x + w).isCloseTo(px + (stop - t0) * pw / (end - t0), within(1.0));
    }
    assertThat(seen)
        .as("shaded windows")
        .usingRecursiveFieldByFieldElementComparator()
        .containsExactlyElementsOf(windows);
  }

  private static List<long[]> mergedWindows(
      String host, String netns, String cause, String location) {
    List<long[]> out = new ArrayList<>();
    replayed("eventId").stream()
        .filter(
            e ->
                e.get("host").asText().equals(host)
                    && e.get("netns").asText().equals(netns)
                    && e.get("cause").asText().equals(cause)
                    && e.get("location").asText().equals(location))
        .map(e -> new long[] {e.get("windowStartMs").asLong(), e.get("windowEndMs").asLong()})
        .sorted((a, b) -> Long.compare(a[0], b[0]))
        .forEach(
            w -> {
              if (!out.isEmpty() && w[0] <= out.get(out.size() - 1)[1]) {
                out.get(out.size() - 1)[1] = Math.max(out.get(out.size() - 1)[1], w[1]);
              } else {
                out.add(w);
              }
            });
    return out;
  }

  private static String figure(String title) {
    String f = element(html, "figure", "data-title=\"" + ReportHtml.esc(title) + "\"");
    assertThat(f).as("a chart titled %s", title).isNotNull();
    return f;
  }

  /** The first element {@code tag} whose start tag contains {@code attr}, as markup. */
  private static String element(String markup, String tag, String attr) {
    int at = markup.indexOf(attr);
    while (at >= 0) {
      int open = markup.lastIndexOf("<" + tag, at);
      if (open >= 0 && markup.indexOf('>', open) > at) {
        int close = markup.indexOf("</" + tag + ">", at);
        return markup.substring(open, close + tag.length() + 3);
      }
      at = markup.indexOf(attr, at + 1);
    }
    return null;
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }

  private static List<JsonNode> replayed(String field) {
    List<JsonNode> out = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : replay.stdout().lines().toList()) {
      try {
        JsonNode n = json.readTree(line);
        if (n.has(field)) {
          out.add(n);
        }
      } catch (IOException e) {
        throw new AssertionError(line, e);
      }
    }
    return out;
  }

  /** The state of the seed's counters after one more cycle of its faults. */
  private static SeedHost.State grow(SeedHost.State s, SeedHost.State d) {
    Map<String, Long> tcp = new LinkedHashMap<>(s.tcp());
    d.tcp().forEach((k, v) -> tcp.merge(k, v, Long::sum));
    return new SeedHost.State(
        100,
        s.containerRxPackets() + d.containerRxPackets(),
        s.containerRxDropped() + d.containerRxDropped(),
        true,
        s.netemSent() + d.netemSent(),
        s.netemBytes() + d.netemBytes(),
        s.netemDrops() + d.netemDrops(),
        true,
        s.inputDrops() + d.inputDrops(),
        s.outputDrops() + d.outputDrops(),
        s.inputAccepted() + d.inputAccepted(),
        s.outputAccepted() + d.outputAccepted(),
        tcp);
  }

  /** The app host's containers: the seed's Tomcat growing to its limit, and a throttled burner. */
  private static ContainerSample containers(long t, int cycle, String trigger) {
    List<ContainerStats> list = new ArrayList<>();
    long mib = OomFixtures.MIB;
    if (t < killMs + 100) {
      list.add(OomFixtures.seedTomcat(Math.min(512, 300 + 22L * cycle) * mib));
    } else if (t < killMs + 5_000) {
      list.add(OomFixtures.exited(OomFixtures.seedTomcat(512 * mib), 137, true));
    }
    // The burner runs at its quota of 0.1 CPU; from cycle 12 to 15 it wants more and is throttled
    // in 90 % of its periods.
    long throttledFrom = t0 + 121_500;
    long throttledTo = t0 + 161_500;
    long throttled = (Math.min(Math.max(t, throttledFrom), throttledTo) - throttledFrom) * 9 / 1000;
    list.add(
        OomFixtures.docker(BURNER_ID, "burner", 256 * mib, 40 * mib)
            .setCpuQuotaUs(10_000L)
            .setCpuPeriodUs(100_000L)
            .setEngineNanoCpus(100_000_000L)
            .setCpuPeriods((t - t0) / 100)
            .setCpuThrottledPeriods(throttled)
            .setCpuThrottledNs(throttled * 5_000_000L)
            .setCpuUsageNs((t - t0) * 100_000L)
            .build());
    return ContainerSample.newBuilder()
        .setHost(APP)
        .setNetns("")
        .setSampleTimeMs(t)
        .setCollectorId("c-app")
        .setBootId("boot-1")
        .setSeq(t)
        .setTrigger(trigger)
        .setContainers(list)
        .build();
  }

  /** The record as another host's collector would send it. */
  private static SpecificRecord withHost(SpecificRecord r, String host) {
    SpecificRecordBase copy =
        (SpecificRecordBase) org.apache.avro.specific.SpecificData.get().deepCopy(r.getSchema(), r);
    copy.put("host", host);
    copy.put("collectorId", "c-" + host);
    return copy;
  }

  /** The seed's random DROP rules, commented by someone hostile. */
  private static SpecificRecord hostile(SpecificRecord r) {
    if (r instanceof FilterSample f && !f.getRules().isEmpty()) {
      List<FirewallRule> rules = new ArrayList<>();
      for (FirewallRule rule : f.getRules()) {
        rules.add(
            FirewallRule.newBuilder(rule)
                .setComment(HOSTILE)
                .setSpec(
                    rule.getSpec()
                        .replace(
                            " -j DROP",
                            " -m comment --comment \""
                                + HOSTILE.replace("\"", "\\\"")
                                + "\" -j DROP"))
                .build());
      }
      return FilterSample.newBuilder(f).setRules(rules).build();
    }
    return r;
  }

  @SuppressWarnings("unchecked")
  private static void send(KafkaProducer<String, byte[]> producer, SpecificRecord r) {
    for (Topic<?> t : Topics.samples()) {
      if (t.valueType().isInstance(r)) {
        Topic<SpecificRecord> topic = (Topic<SpecificRecord>) t;
        String host = r.get(r.getSchema().getField("host").pos()).toString();
        long time = (Long) r.get(r.getSchema().getField("sampleTimeMs").pos());
        producer.send(
            new ProducerRecord<>(t.name(), null, time, host, topic.valueSerde().encode(r)));
        return;
      }
    }
    throw new IllegalArgumentException("no sample topic for " + r.getClass());
  }
}
