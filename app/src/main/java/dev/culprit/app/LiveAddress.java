package dev.culprit.app;

import dev.culprit.app.live.LiveQueries;
import dev.culprit.app.live.LiveServer;
import dev.culprit.processor.CulpritProcessor;
import dev.culprit.processor.ProcessorConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;

/**
 * {@code --http-address HOST:PORT} or {@code none}: where the live page and its JSON API are
 * served, and so the {@code application.server} other instances route a host's questions to.
 */
final class LiveAddress {

  /** The default: loopback, beside the metrics ports 9464-9466. */
  static final String DEFAULT = "127.0.0.1:9470";

  private LiveAddress() {}

  /** The address, or null for {@code none}. */
  static HostInfo parse(String address) {
    if (address == null || address.equalsIgnoreCase("none")) {
      return null;
    }
    int colon = address.lastIndexOf(':');
    if (colon <= 0) {
      throw new UserException("--http-address " + address + ": expected HOST:PORT or none", 2);
    }
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      int port = Integer.parseInt(address.substring(colon + 1));
      if (port <= 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return new HostInfo(host, port);
    } catch (NumberFormatException e) {
      throw new UserException("--http-address " + address + ": the port is not 1-65535", 2);
    }
  }

  /**
   * {@code config} telling Kafka Streams this instance's address, so every instance's metadata
   * names the instance that owns a host (a user's own application.server override wins).
   */
  static ProcessorConfig announce(ProcessorConfig config, HostInfo self) {
    if (self == null) {
      return config;
    }
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
    overrides.putAll(config.streamsOverrides());
    return config.withStreamsOverrides(overrides);
  }

  /** Serves the page for {@code processor}; null for {@code none} or an address it cannot bind. */
  static LiveServer serve(HostInfo self, CulpritProcessor processor, ProcessorConfig config) {
    if (self == null) {
      return null;
    }
    try {
      return new LiveServer(
          new InetSocketAddress(self.host(), self.port()),
          new LiveQueries(processor.kafkaStreams(), self),
          config.windowSize(),
          Clock.systemUTC());
    } catch (IOException e) {
      // As with metrics, the page is not worth refusing to process (a second culprit on the host
      // finds the default port taken); other instances routing here answer 503 for its hosts.
      System.err.println(
          "culprit: no live page, --http-address "
              + self.host()
              + ":"
              + self.port()
              + ": "
              + e.getMessage());
      return null;
    }
  }
}
