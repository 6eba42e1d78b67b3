package dev.culprit.app.live;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.culprit.processor.view.HostView;
import dev.culprit.processor.view.ViewTopology;
import dev.culprit.schemas.FleetIncident;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Interactive queries of the view stores across every instance of the application: a host's
 * document comes from the instance that owns its partition (Kafka Streams' metadata for the key,
 * which knows every instance by its {@code application.server}, the address this one serves on);
 * lists are gathered from all instances. Another instance is asked with {@code ?scope=local}, so it
 * answers from its own stores and never forwards again.
 */
public final class LiveQueries {

  /** How long another instance may take to answer before it is reported unavailable. */
  static final Duration PEER_TIMEOUT = Duration.ofSeconds(5);

  static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final KafkaStreams streams;
  private final HostInfo self;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(PEER_TIMEOUT)
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  /**
   * @param self this instance's address, as in its {@code application.server}
   */
  public LiveQueries(KafkaStreams streams, HostInfo self) {
    this.streams = streams;
    this.self = self;
  }

  /** A request that cannot be answered now (rebalancing, an instance down): HTTP 503. */
  public static final class Unavailable extends RuntimeException {
    Unavailable(String message) {
      super(message);
    }
  }

  /** The host's document from whichever instance owns it; empty if no instance knows the host. */
  public Optional<LiveJson.Host> host(String host) {
    instances(); // refuses when two instances share an address: the owner could not be told apart
    KeyQueryMetadata owner =
        streams.queryMetadataForKey(ViewTopology.HOSTS, host, Serdes.String().serializer());
    if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
      throw new Unavailable("no instance owns the hosts' state yet (starting or rebalancing)");
    }
    if (owner.activeHost().equals(self)) {
      return localHost(host);
    }
    String body = get(owner.activeHost(), "/api/hosts/" + encode(host) + "?scope=local", true);
    return body == null ? Optional.empty() : Optional.of(read(body, LiveJson.Host.class));
  }

  /** The host's document if this instance holds it. */
  public Optional<LiveJson.Host> localHost(String host) {
    HostView v = hosts().get(host);
    return v == null ? Optional.empty() : Optional.of(LiveJson.detail(host, v));
  }

  /** Every host of every instance, by name. */
  public LiveJson.Hosts allHosts() {
    List<LiveJson.Host> all = new ArrayList<>();
    List<String> answered = new ArrayList<>();
    List<String> unavailable = new ArrayList<>();
    for (HostInfo instance : instances()) {
      try {
        List<LiveJson.Host> part =
            instance.equals(self)
                ? localHosts()
                : read(get(instance, "/api/hosts?scope=local", false), LiveJson.Hosts.class)
                    .hosts();
        all.addAll(part);
        answered.add(text(instance));
      } catch (Unavailable e) {
        unavailable.add(text(instance));
      }
    }
    all.sort(Comparator.comparing(LiveJson.Host::host));
    return new LiveJson.Hosts(all, answered, unavailable);
  }

  /** This instance's hosts. */
  public List<LiveJson.Host> localHosts() {
    List<LiveJson.Host> out = new ArrayList<>();
    try (KeyValueIterator<String, HostView> it = hosts().all()) {
      while (it.hasNext()) {
        var e = it.next();
        out.add(LiveJson.summary(e.key, e.value));
      }
    }
    return out;
  }

  /** Every instance's fleet incidents, newest window first. */
  public LiveJson.Incidents allIncidents() {
    List<LiveJson.Incident> all = new ArrayList<>();
    List<String> answered = new ArrayList<>();
    List<String> unavailable = new ArrayList<>();
    for (HostInfo instance : instances()) {
      try {
        List<LiveJson.Incident> part =
            instance.equals(self)
                ? localIncidents()
                : read(get(instance, "/api/incidents?scope=local", false), LiveJson.Incidents.class)
                    .incidents();
        all.addAll(part);
        answered.add(text(instance));
      } catch (Unavailable e) {
        unavailable.add(text(instance));
      }
    }
    all.sort(
        Comparator.comparingLong(LiveJson.Incident::windowStartMs)
            .reversed()
            .thenComparing(LiveJson.Incident::signature));
    return new LiveJson.Incidents(all, answered, unavailable);
  }

  /** This instance's fleet incidents. */
  public List<LiveJson.Incident> localIncidents() {
    List<LiveJson.Incident> out = new ArrayList<>();
    try (KeyValueIterator<String, FleetIncident> it = incidents().all()) {
      while (it.hasNext()) {
        out.add(LiveJson.Incident.of(it.next().value));
      }
    }
    return out;
  }

  private List<HostInfo> instances() {
    // Both stores live in every instance that has tasks; one without tasks holds nothing.
    List<HostInfo> out = new ArrayList<>();
    for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
      if (out.contains(m.hostInfo())) {
        // Every instance left at the loopback default: asking "the owner" would ask oneself and
        // answer 404 for hosts another instance holds. Say so instead of answering wrong.
        throw new Unavailable(
            "several processor instances announce the same --http-address "
                + text(m.hostInfo())
                + ": give each its own address the others can reach");
      }
      out.add(m.hostInfo());
    }
    if (out.isEmpty()) {
      throw new Unavailable("no instance is running yet (starting or rebalancing)");
    }
    out.sort(Comparator.comparing(LiveQueries::text));
    return out;
  }

  private ReadOnlyKeyValueStore<String, HostView> hosts() {
    return store(ViewTopology.HOSTS);
  }

  private ReadOnlyKeyValueStore<String, FleetIncident> incidents() {
    return store(ViewTopology.INCIDENTS);
  }

  private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
    try {
      return streams.store(
          StoreQueryParameters.fromNameAndType(
              name, QueryableStoreTypes.<String, V>keyValueStore()));
    } catch (InvalidStateStoreException e) {
      throw new Unavailable("the state is not queryable now: " + e.getMessage());
    }
  }

  /** The body of another instance's answer; null for a 404 when {@code notFoundIsNull}. */
  private String get(HostInfo instance, String pathAndQuery, boolean notFoundIsNull) {
    URI uri = URI.create("http://" + text(instance) + pathAndQuery);
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(uri).timeout(PEER_TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (r.statusCode() == 404 && notFoundIsNull) {
        return null;
      }
      if (r.statusCode() != 200) {
        throw new Unavailable(text(instance) + " answered " + r.statusCode());
      }
      return r.body();
    } catch (IOException e) {
      throw new Unavailable(text(instance) + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unavailable("interrupted");
    }
  }

  private static <T> T read(String body, Class<T> type) {
    try {
      return JSON.readValue(body, type);
    } catch (IOException e) {
      throw new Unavailable("another instance answered what is not its API: " + e.getMessage());
    }
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String text(HostInfo h) {
    return (h.host().contains(":") ? "[" + h.host() + "]" : h.host()) + ":" + h.port();
  }
}
