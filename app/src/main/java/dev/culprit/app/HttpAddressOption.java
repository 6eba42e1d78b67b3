package dev.culprit.app;

import org.apache.kafka.streams.state.HostInfo;
import picocli.CommandLine.Option;

/** {@code --http-address}, the same for {@code culprit process} and {@code culprit up}. */
final class HttpAddressOption {

  @Option(
      names = "--http-address",
      paramLabel = "HOST:PORT",
      defaultValue = LiveAddress.DEFAULT,
      description =
          "Serve the read-only live page (fleet and hosts) and its JSON API (/api/hosts,"
              + " /api/hosts/{host}, /api/incidents) at http://HOST:PORT/; with several"
              + " processor instances each must give its own address, which the others route to;"
              + " 'none' to turn it off (default: ${DEFAULT-VALUE}).")
  String address;

  /** The address, or null for {@code none}. */
  HostInfo parse() {
    return LiveAddress.parse(address);
  }
}
