package dev.culprit.bench.collector;

import dev.culprit.collector.publish.spool.SpoolRecord;
import dev.culprit.schemas.CollectorHealth;
import dev.culprit.schemas.InterfaceSample;
import dev.culprit.schemas.InterfaceStats;
import dev.culprit.schemas.ProtocolSample;
import dev.culprit.schemas.SourceState;
import dev.culprit.schemas.SourceStatus;
import dev.culprit.schemas.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Realistic encoded records for benchmarks: this machine's own /proc/net/snmp, /proc/net/netstat
 * and /proc/net/dev as one cycle would publish them for several namespaces (a quick parse here, not
 * the collector's parsers), plus the cycle's health record.
 */
final class BenchRecords {

  private BenchRecords() {}

  /** {@code cycles} cycles of {@code namespaces} namespaces each, counters growing per cycle. */
  static List<List<SpoolRecord>> cycles(int cycles, int namespaces) throws IOException {
    Map<String, Long> counters = new LinkedHashMap<>();
    counters.putAll(pairs(Path.of("/proc/net/snmp")));
    counters.putAll(pairs(Path.of("/proc/net/netstat")));
    List<String[]> dev = netDev(Path.of("/proc/net/dev"));
    List<List<SpoolRecord>> out = new ArrayList<>();
    for (int c = 0; c < cycles; c++) {
      long time = 1_700_000_000_000L + c * 5000L;
      List<SpoolRecord> cycle = new ArrayList<>();
      List<SourceStatus> statuses = new ArrayList<>();
      for (int n = 0; n < namespaces; n++) {
        String netns = n == 0 ? "" : "culprit-web-" + n;
        int grow = c * 7 + n;
        Map<String, Long> mine = new LinkedHashMap<>();
        counters.forEach((k, v) -> mine.put(k, v + (v == 0 ? 0 : grow)));
        ProtocolSample protocol =
            ProtocolSample.newBuilder()
                .setHost("bench-host")
                .setNetns(netns)
                .setSampleTimeMs(time)
                .setCollectorId("0b6e8d5c-3f0e-4b59-9a8d-2f4f0d1c7e11")
                .setBootId("1f9e2c3a-5b6d-4e7f-8a9b-0c1d2e3f4a5b")
                .setSeq(c * namespaces + n + 1)
                .setCounters(mine)
                .build();
        cycle.add(
            record(Topics.PROTOCOL.name(), time, Topics.PROTOCOL.valueSerde().encode(protocol)));
        InterfaceSample interfaces =
            InterfaceSample.newBuilder()
                .setHost("bench-host")
                .setNetns(netns)
                .setSampleTimeMs(time)
                .setCollectorId("0b6e8d5c-3f0e-4b59-9a8d-2f4f0d1c7e11")
                .setBootId("1f9e2c3a-5b6d-4e7f-8a9b-0c1d2e3f4a5b")
                .setSeq(c * namespaces + n + 1)
                .setInterfaces(dev.stream().map(f -> stats(f, grow)).toList())
                .build();
        cycle.add(
            record(
                Topics.INTERFACE.name(), time, Topics.INTERFACE.valueSerde().encode(interfaces)));
        for (String source : List.of("interface", "protocol")) {
          statuses.add(
              SourceStatus.newBuilder()
                  .setSource(source)
                  .setNetns(netns)
                  .setStatus(SourceState.OK)
                  .setDurationUs(180 + n)
                  .build());
        }
      }
      CollectorHealth health =
          CollectorHealth.newBuilder()
              .setHost("bench-host")
              .setNetns("")
              .setSampleTimeMs(time)
              .setCollectorId("0b6e8d5c-3f0e-4b59-9a8d-2f4f0d1c7e11")
              .setBootId("1f9e2c3a-5b6d-4e7f-8a9b-0c1d2e3f4a5b")
              .setSeq(c + 1)
              .setCycleDurationUs(4200)
              .setSources(statuses)
              .build();
      cycle.add(
          record(Topics.COLLECTOR.name(), time, Topics.COLLECTOR.valueSerde().encode(health)));
      out.add(cycle);
    }
    return out;
  }

  private static SpoolRecord record(String topic, long time, byte[] value) {
    return SpoolRecord.of(topic, time, "bench-host", value);
  }

  private static InterfaceStats stats(String[] f, int grow) {
    return InterfaceStats.newBuilder()
        .setName(f[0])
        .setMtu(1500)
        .setOperState("up")
        .setRxBytes(Long.parseLong(f[1]) + grow * 1500L)
        .setRxPackets(Long.parseLong(f[2]) + grow)
        .setRxErrors(Long.parseLong(f[3]))
        .setRxDropped(Long.parseLong(f[4]))
        .setRxFifo(Long.parseLong(f[5]))
        .setRxFrame(Long.parseLong(f[6]))
        .setRxCompressed(Long.parseLong(f[7]))
        .setRxMulticast(Long.parseLong(f[8]))
        .setTxBytes(Long.parseLong(f[9]) + grow * 1500L)
        .setTxPackets(Long.parseLong(f[10]) + grow)
        .setTxErrors(Long.parseLong(f[11]))
        .setTxDropped(Long.parseLong(f[12]))
        .setTxFifo(Long.parseLong(f[13]))
        .setTxCollisions(Long.parseLong(f[14]))
        .setTxCarrier(Long.parseLong(f[15]))
        .setTxCompressed(Long.parseLong(f[16]))
        .build();
  }

  /** "Group: name name" / "Group: 1 2" line pairs. */
  static Map<String, Long> pairs(Path file) throws IOException {
    Map<String, Long> out = new LinkedHashMap<>();
    List<String> lines = Files.readAllLines(file);
    for (int i = 0; i + 1 < lines.size(); i += 2) {
      String[] names = lines.get(i).split("\\s+");
      String[] values = lines.get(i + 1).split("\\s+");
      String group = names[0].replace(":", "");
      for (int j = 1; j < Math.min(names.length, values.length); j++) {
        out.put(group + "." + names[j], Long.parseLong(values[j]));
      }
    }
    return out;
  }

  private static List<String[]> netDev(Path file) throws IOException {
    List<String[]> out = new ArrayList<>();
    for (String line : Files.readAllLines(file).subList(2, Files.readAllLines(file).size())) {
      out.add(line.trim().replace(":", " ").split("\\s+"));
    }
    return out;
  }
}
