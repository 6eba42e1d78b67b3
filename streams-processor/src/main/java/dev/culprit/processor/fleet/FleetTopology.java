package dev.culprit.processor.fleet;

import dev.culprit.processor.ProcessorConfig;
import dev.culprit.processor.rules.RuleResult;
import dev.culprit.processor.rules.Signatures;
import dev.culprit.schemas.FleetIncident;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.Stores;

/**
 * Fleet correlation (docs/ARCHITECTURE.md, step 7): every host window's causes are re-keyed by
 * cause signature and counted across hosts per window; a signature on at least {@link
 * ProcessorConfig#fleetMinHosts()} hosts becomes a {@code culprit.incidents.fleet} record.
 *
 * <p>Each host window contributes a signature once (one host, one vote, however many namespaces
 * show it), so the count is a count of hosts. The causes of one window reach the re-keyed topic
 * from every input partition at its own pace, so the fleet window waits one more window beyond the
 * host windows' grace before it closes.
 */
public final class FleetTopology {

  /** The repartition topic (by signature) and the fleet window store. */
  public static final String BY_SIGNATURE = "fleet-by-signature";

  public static final String WINDOW_STORE = "fleet-windows";
  public static final String SUPPRESSION = "fleet-windows-until-closed";
  private static final int MAX_HOSTS_LISTED = 100;

  private FleetTopology() {}

  public static void addTo(KStream<String, RuleResult> results, ProcessorConfig config) {
    Duration grace = config.windowSize().plus(config.grace());
    results
        .flatMap(
            (host, result) -> {
              Map<String, RootCause> bySignature = new LinkedHashMap<>();
              result.causes().forEach(c -> bySignature.putIfAbsent(Signatures.of(c), c));
              List<KeyValue<String, RootCause>> votes = new ArrayList<>();
              bySignature.forEach((signature, cause) -> votes.add(KeyValue.pair(signature, cause)));
              return votes;
            },
            Named.as("fleet-signatures"))
        .groupByKey(
            Grouped.with(
                BY_SIGNATURE,
                Topics.ROOTCAUSE_PACKET_LOSS.keySerde(),
                Topics.ROOTCAUSE_PACKET_LOSS.valueSerde()))
        .windowedBy(TimeWindows.ofSizeAndGrace(config.windowSize(), grace))
        .aggregate(
            FleetTopology::empty,
            (signature, cause, incident) -> add(incident, signature, cause),
            Named.as("fleet-aggregate"),
            Materialized.<String, FleetIncident>as(
                    Stores.inMemoryWindowStore(
                        WINDOW_STORE, config.windowSize().plus(grace), config.windowSize(), false))
                .withKeySerde(Topics.FLEET_INCIDENTS.keySerde())
                .withValueSerde(Topics.FLEET_INCIDENTS.valueSerde()))
        .suppress(
            // Bounded like the host windows' buffer, and for the same reason stops when full
            // rather than emit an incident on part of its window.
            Suppressed.untilWindowCloses(
                    Suppressed.BufferConfig.maxBytes(config.suppressionBufferBytes())
                        .shutDownWhenFull())
                .withName(SUPPRESSION))
        .toStream(Named.as("fleet-window-closed"))
        .filter(
            (window, incident) -> incident.getHostCount() >= config.fleetMinHosts(),
            Named.as("fleet-min-hosts"))
        .map(
            (window, incident) ->
                KeyValue.pair(
                    window.key(), finish(incident, window.window().start(), window.window().end())),
            Named.as("fleet-incident"))
        .to(
            Topics.FLEET_INCIDENTS.name(),
            Produced.with(Topics.FLEET_INCIDENTS.keySerde(), Topics.FLEET_INCIDENTS.valueSerde())
                .withName("fleet-sink"));
  }

  static FleetIncident empty() {
    return FleetIncident.newBuilder()
        .setSignature("")
        .setCause(dev.culprit.schemas.Cause.UNKNOWN)
        .setWindowStartMs(0)
        .setWindowEndMs(0)
        .setHostCount(0)
        .setHosts(new ArrayList<>())
        .setSummary("")
        .build();
  }

  static FleetIncident add(FleetIncident incident, String signature, RootCause cause) {
    incident.setSignature(signature);
    incident.setCause(cause.getCause());
    List<String> hosts = new ArrayList<>(incident.getHosts());
    int at = java.util.Collections.binarySearch(hosts, cause.getHost());
    if (at >= 0) {
      return incident; // The same host again (a retried window): already counted.
    }
    incident.setHostCount(incident.getHostCount() + 1);
    hosts.add(-at - 1, cause.getHost());
    if (hosts.size() > MAX_HOSTS_LISTED) {
      hosts.remove(hosts.size() - 1);
    }
    incident.setHosts(hosts);
    return incident;
  }

  static FleetIncident finish(FleetIncident incident, long startMs, long endMs) {
    incident.setWindowStartMs(startMs);
    incident.setWindowEndMs(endMs);
    String listed = String.join(", ", incident.getHosts());
    boolean more = incident.getHostCount() > incident.getHosts().size();
    incident.setSummary(
        incident.getSignature()
            + " on "
            + incident.getHostCount()
            + " hosts in the same window ("
            + listed
            + (more ? ", …" : "")
            + ").");
    return incident;
  }
}
