package dev.culprit.lab.oracle;

import dev.culprit.lab.LabException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /proc/net/dev} of one namespace, read by the lab to show that its traffic flows and that
 * an MTU fault makes the kernel drop frames; independent of the collector it is there to test.
 *
 * <pre>
 * Inter-|   Receive                                                |  Transmit
 *  face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
 * cu-web:  186171     698    0   10    0     0          0         0  1299724     626    0    0    0     0       0          0
 * </pre>
 */
public final class ProcNetDev {

  /** The counters of one device that the lab looks at (cumulative since the device appeared). */
  public record Counters(
      String device,
      long rxBytes,
      long rxPackets,
      long rxErrors,
      long rxDropped,
      long txBytes,
      long txPackets,
      long txErrors,
      long txDropped) {}

  private ProcNetDev() {}

  public static Map<String, Counters> parse(String text) {
    Map<String, Counters> devices = new LinkedHashMap<>();
    String[] lines = text.split("\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int colon = line.indexOf(':');
      if (i < 2 || colon < 0) {
        continue; // the two header lines
      }
      String device = line.substring(0, colon).trim();
      String[] f = line.substring(colon + 1).trim().split("\\s+");
      // 16 columns since Linux 2.6; newer kernels have added none so far, but allow more.
      if (f.length < 16) {
        throw new LabException(
            "/proc/net/dev line "
                + (i + 1)
                + " has "
                + f.length
                + " counters, expected 16: "
                + line);
      }
      devices.put(
          device,
          new Counters(
              device,
              Long.parseLong(f[0]),
              Long.parseLong(f[1]),
              Long.parseLong(f[2]),
              Long.parseLong(f[3]),
              Long.parseLong(f[8]),
              Long.parseLong(f[9]),
              Long.parseLong(f[10]),
              Long.parseLong(f[11])));
    }
    return devices;
  }

  public static Optional<Counters> device(String text, String device) {
    return Optional.ofNullable(parse(text).get(device));
  }
}
