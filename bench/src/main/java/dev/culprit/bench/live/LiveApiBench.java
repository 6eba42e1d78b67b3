package dev.culprit.bench.live;

import dev.culprit.app.live.LiveQueries;
import dev.culprit.app.live.LiveServer;
import dev.culprit.bench.fleet.FleetGenerator;
import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.processor.CulpritProcessor;
import dev.culprit.processor.ProcessorConfig;
import dev.culprit.processor.view.HostView;
import dev.culprit.processor.view.ViewTopology;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The live page's API latency with a fleet in state: {@code bench/run LiveApiBench [HOSTS
 * [NAMESPACES [REQUESTS]]]} (default 10000 3 2000). A real broker and processor take three cycles
 * of the generated fleet (5 % faulty), then one client asks, interleaved in the same run: {@code
 * /api/hosts/{host}} for random hosts, {@code /healthz} (the HTTP server alone), and the view store
 * directly in process (a plain store get); then {@code /api/incidents} and the whole {@code
 * /api/hosts} list. Prints percentiles, the same-run ratios, and the view's stored bytes per host.
 */
public final class LiveApiBench {

  private LiveApiBench() {}

  public static void main(String[] args) throws Exception {
    int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int namespaces = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int requests = args.length > 2 ? Integer.parseInt(args[2]) : 2_000;
    Duration interval = Duration.ofSeconds(10);
    FleetGenerator fleet =
        new FleetGenerator(new FleetGenerator.Options(hosts, namespaces, interval, 0.05));
    Path state = Files.createTempDirectory("culprit-livebench-");
    try (EmbeddedBroker broker = EmbeddedBroker.startTemporary()) {
      long now = System.currentTimeMillis() / 10_000 * 10_000;
      long produced = 0;
      try (KafkaProducer<String, byte[]> producer = producer(broker.bootstrapServers())) {
        for (int cycle = 0; cycle < 3; cycle++) {
          long t = now - (3 - cycle) * interval.toMillis();
          for (int h = 0; h < hosts; h++) {
            for (FleetGenerator.Generated g : fleet.hostCycle(h, cycle, t + fleet.phaseMs(h))) {
              producer.send(
                  new ProducerRecord<>(
                      g.topic().name(), null, g.sampleTimeMs(), g.key(), g.value()));
              produced++;
            }
          }
        }
        producer.flush();
      }
      HostInfo self = new HostInfo("127.0.0.1", freePort());
      ProcessorConfig config =
          ProcessorConfig.defaults(broker.bootstrapServers())
              .withApplicationId("culprit-livebench")
              .withStateDir(state)
              .withStreamsOverrides(
                  Map.of(StreamsConfig.APPLICATION_SERVER_CONFIG, "127.0.0.1:" + self.port()));
      long t0 = System.nanoTime();
      try (CulpritProcessor p = new CulpritProcessor(config);
          LiveServer server =
              new LiveServer(
                  new InetSocketAddress(self.host(), self.port()),
                  new LiveQueries(p.kafkaStreams(), self),
                  interval,
                  Clock.systemUTC())) {
        p.start();
        if (!p.awaitRunning(Duration.ofMinutes(2))) {
          throw new IllegalStateException("processor not running");
        }
        ReadOnlyKeyValueStore<String, HostView> store =
            p.kafkaStreams()
                .store(
                    StoreQueryParameters.fromNameAndType(
                        ViewTopology.HOSTS, QueryableStoreTypes.<String, HostView>keyValueStore()));
        awaitAllHosts(store, fleet, hosts, now);
        double loadS = (System.nanoTime() - t0) / 1e9;
        long bytes = 0;
        long keyBytes = 0;
        try (KeyValueIterator<String, HostView> it = store.all()) {
          while (it.hasNext()) {
            var e = it.next();
            bytes += e.value.toBytes().length;
            keyBytes += e.key.getBytes(StandardCharsets.UTF_8).length;
          }
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String base = "http://127.0.0.1:" + self.port();
        Random random = new Random(42);
        // Warm-up: JIT, connection.
        for (int i = 0; i < 300; i++) {
          get(http, base + "/api/hosts/" + enc(FleetGenerator.hostName(random.nextInt(hosts))));
          get(http, base + "/healthz");
          store.get(FleetGenerator.hostName(random.nextInt(hosts)));
        }
        long[] host = new long[requests];
        long[] health = new long[requests];
        long[] direct = new long[requests];
        for (int i = 0; i < requests; i++) {
          String name = FleetGenerator.hostName(random.nextInt(hosts));
          long a = System.nanoTime();
          get(http, base + "/api/hosts/" + enc(name));
          long b = System.nanoTime();
          get(http, base + "/healthz");
          long c = System.nanoTime();
          if (store.get(name) == null) {
            throw new IllegalStateException("no " + name);
          }
          long d = System.nanoTime();
          host[i] = b - a;
          health[i] = c - b;
          direct[i] = d - c;
        }
        long[] incidents = new long[Math.max(20, requests / 10)];
        for (int i = 0; i < incidents.length; i++) {
          long a = System.nanoTime();
          get(http, base + "/api/incidents");
          incidents[i] = System.nanoTime() - a;
        }
        long[] list = new long[20];
        int listBytes = 0;
        for (int i = 0; i < list.length; i++) {
          long a = System.nanoTime();
          listBytes = get(http, base + "/api/hosts").length();
          list[i] = System.nanoTime() - a;
        }
        System.out.printf(
            Locale.ROOT,
            "LiveApiBench: %d hosts x %d namespaces in state (%d records, loaded in %.1f s),"
                + " %d requests each%n",
            hosts,
            namespaces,
            produced,
            loadS,
            requests);
        System.out.println("| request | p50 ms | p95 ms | p99 ms |");
        System.out.println("|---|---|---|---|");
        row("GET /api/hosts/{host}", host);
        row("GET /healthz", health);
        row("store.get(host) in process", direct);
        row("GET /api/incidents", incidents);
        row("GET /api/hosts (" + hosts + " hosts, " + listBytes / 1024 + " KiB)", list);
        System.out.printf(
            Locale.ROOT,
            "p95 ratio /api/hosts/{host} : /healthz = %.2f; : store get = %.1f%n",
            pct(host, 95) / pct(health, 95),
            pct(host, 95) / pct(direct, 95));
        System.out.printf(
            Locale.ROOT,
            "view state: %.0f bytes per host stored (+%.0f key), %.1f MiB for %d hosts%n",
            (double) bytes / hosts,
            (double) keyBytes / hosts,
            (bytes + keyBytes) / 1048576.0,
            hosts);
      }
    } finally {
      try (var walk = Files.walk(state)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  /** Until every host's third cycle is in the view. */
  private static void awaitAllHosts(
      ReadOnlyKeyValueStore<String, HostView> store, FleetGenerator fleet, int hosts, long now)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (store.approximateNumEntries() >= hosts) {
        HostView last = store.get(FleetGenerator.hostName(hosts - 1));
        if (last != null && last.lastSeenMs() >= now - 10_000) {
          return;
        }
      }
      TimeUnit.MILLISECONDS.sleep(500); // poll interval
    }
    throw new IllegalStateException("the view did not fill in 10 minutes");
  }

  private static String get(HttpClient http, String uri) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(uri)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(uri + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  private static KafkaProducer<String, byte[]> producer(String bootstrap) {
    java.util.Properties p = new java.util.Properties();
    p.put(org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    // Batched: loading the state is not what is measured.
    p.put(org.apache.kafka.clients.producer.ProducerConfig.LINGER_MS_CONFIG, 10);
    p.put(org.apache.kafka.clients.producer.ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    return dev.culprit.broker.OrderedProducer.create(p);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static void row(String name, long[] nanos) {
    System.out.printf(
        Locale.ROOT,
        "| %s | %.3f | %.3f | %.3f |%n",
        name,
        pct(nanos, 50),
        pct(nanos, 95),
        pct(nanos, 99));
  }

  private static double pct(long[] nanos, int p) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    int i = (int) Math.min(s.length - 1, Math.ceil(p / 100.0 * s.length) - 1);
    return s[Math.max(0, i)] / 1e6;
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
