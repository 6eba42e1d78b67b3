package dev.culprit.collector.testing;

import dev.culprit.collector.records.ProbeSample;
import dev.culprit.collector.records.ProtocolSample;
import dev.culprit.collector.records.WireTopics;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Sample;
import java.util.Map;

/** Small, valid sample records for tests of the runtime and publishers. */
public final class TestSamples {

  private TestSamples() {}

  /** A probe round record; {@code sent} makes records of one cycle distinguishable. */
  public static Sample probe(Header h, long sent) {
    ProbeSample value =
        ProbeSample.newBuilder(h.stamp(new ProbeSample()))
            .setTargetAddress("127.0.0.1")
            .setTargetPort(80)
            .setSent(sent)
            .setAnswered(sent)
            .build();
    return new Sample(WireTopics.PROBE, h.host(), value);
  }

  /** A protocol counter record. */
  public static Sample protocol(Header h, Map<String, Long> counters) {
    ProtocolSample value =
        ProtocolSample.newBuilder(h.stamp(new ProtocolSample())).setCounters(counters).build();
    return new Sample(WireTopics.PROTOCOL, h.host(), value);
  }

  /** A header for host {@code host} at {@code timeMs}. */
  public static Header header(String host, long timeMs) {
    return new Header(host, "", timeMs, "collector-1", "boot-1");
  }
}
