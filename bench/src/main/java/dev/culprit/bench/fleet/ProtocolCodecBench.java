package dev.culprit.bench.fleet;

import com.sun.management.ThreadMXBean;
import dev.culprit.schemas.AvroSerde;
import dev.culprit.schemas.ProtocolSample;
import dev.culprit.schemas.SchemaHistory;
import dev.culprit.schemas.Topics;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;

/**
 * What a protocol sample costs to encode (agent) and decode (processor) by counter name and by
 * position (issue 17 §3), in the same JVM, rounds alternating. Not a test: run it with
 *
 * <pre>
 * bench/run ProtocolCodecBench [samples=2000] [rounds=10]
 * </pre>
 *
 * The samples are the benchmark fleet's (FleetGenerator: 220 real counter names, 10 namespaces of
 * 200 hosts). Forms, each decoded with the topic's serde as the processor does:
 *
 * <ul>
 *   <li><b>pairs, v3</b>: counters as name-value pairs in the current schema, what the agent wrote
 *       before the compact form (plus its two null fields), encoded without the serde's packing;
 *   <li><b>pairs, v2</b>: the same with the previous schema's fingerprint: records on the log from
 *       before the change, replayed (schema resolution on top);
 *   <li><b>by position</b>: what the serde writes now.
 * </ul>
 *
 * Reports median ns and allocated bytes per record, and the median bytes of a record.
 */
public final class ProtocolCodecBench {

  private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final int WARMUP = 5;

  private ProtocolCodecBench() {}

  public static void main(String[] args) throws Exception {
    int samples = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    AvroSerde<ProtocolSample> serde = Topics.PROTOCOL.valueSerde();
    Schema current = serde.schema();
    List<Schema> history = SchemaHistory.versions("ProtocolSample");
    Schema v2 = history.get(1);

    FleetGenerator fleet =
        new FleetGenerator(new FleetGenerator.Options(200, 10, Duration.ofSeconds(10), 0.05));
    List<ProtocolSample> records = new ArrayList<>();
    for (long cycle = 0; records.size() < samples; cycle++) {
      for (int host = 0; host < 200 && records.size() < samples; host++) {
        for (FleetGenerator.Generated g : fleet.hostCycle(host, cycle, 1_000_000L * cycle)) {
          if (g.topic() == Topics.PROTOCOL && records.size() < samples) {
            records.add(serde.decode(g.value()));
          }
        }
      }
    }
    BinaryMessageEncoder<ProtocolSample> raw =
        new BinaryMessageEncoder<>(SpecificData.getForClass(ProtocolSample.class), current);
    BinaryMessageEncoder<GenericRecord> old = new BinaryMessageEncoder<>(GenericData.get(), v2);
    byte[][] pairs = new byte[samples][];
    byte[][] pairsV2 = new byte[samples][];
    byte[][] compact = new byte[samples][];
    for (int i = 0; i < samples; i++) {
      ProtocolSample r = records.get(i);
      pairs[i] = bytes(raw.encode(r));
      GenericRecord g = new GenericData.Record(v2);
      for (Schema.Field f : v2.getFields()) {
        Object v = r.get(current.getField(f.name()).pos());
        g.put(f.pos(), v instanceof Enum<?> e ? new GenericData.EnumSymbol(f.schema(), e) : v);
      }
      pairsV2[i] = bytes(old.encode(g));
      compact[i] = serde.encode(r);
      if (!serde.decode(pairs[i]).equals(r)
          || !serde.decode(compact[i]).getCounters().equals(r.getCounters())
          || !serde.decode(pairsV2[i]).getCounters().equals(r.getCounters())) {
        throw new IllegalStateException("forms decode differently at sample " + i);
      }
    }

    String[] names = {
      "decode pairs, v3", "decode pairs, v2", "decode by position", "encode pairs", "encode by pos."
    };
    long[][] ns = new long[names.length][rounds];
    long[][] alloc = new long[names.length][rounds];
    long sink = 0;
    for (int round = -WARMUP; round < rounds; round++) {
      for (int t = 0; t < names.length; t++) {
        long a0 = THREADS.getCurrentThreadAllocatedBytes();
        long t0 = System.nanoTime();
        for (int i = 0; i < samples; i++) {
          sink +=
              switch (t) {
                case 0 -> serde.decode(pairs[i]).getCounters().size();
                case 1 -> serde.decode(pairsV2[i]).getCounters().size();
                case 2 -> serde.decode(compact[i]).getCounters().size();
                case 3 -> raw.encode(records.get(i)).remaining();
                default -> serde.encode(records.get(i)).length;
              };
        }
        long t1 = System.nanoTime();
        long a1 = THREADS.getCurrentThreadAllocatedBytes();
        if (round >= 0) {
          ns[t][round] = (t1 - t0) / samples;
          alloc[t][round] = (a1 - a0) / samples;
        }
      }
    }
    System.out.printf(
        "%d protocol samples (%d counters each), %d rounds after %d warm-up; sink %d%n",
        samples, records.get(0).getCounters().size(), rounds, WARMUP, sink % 10);
    System.out.printf(
        "record bytes (median): pairs %d, pairs v2 %d, by position %d%n",
        median(lengths(pairs)), median(lengths(pairsV2)), median(lengths(compact)));
    System.out.printf("%-20s %10s %12s %10s%n", "", "ns/record", "bytes alloc", "vs pairs");
    for (int t = 0; t < names.length; t++) {
      long base = median(ns[t < 3 ? 0 : 3]);
      System.out.printf(
          "%-20s %10d %12d %9.2fx%n",
          names[t], median(ns[t]), median(alloc[t]), (double) median(ns[t]) / base);
    }
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static long[] lengths(byte[][] all) {
    return Arrays.stream(all).mapToLong(b -> b.length).toArray();
  }

  private static long median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
