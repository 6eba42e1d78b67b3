package dev.culprit.collector.source.qdisc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.platform.netlink.NlQdisc;
import dev.culprit.collector.records.QdiscStats;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Option decoding for kinds this kernel cannot make (netem, fq_codel), on messages built the way
 * the kernel's dump functions lay them out, checked against what tc's JSON says for the same
 * settings; and the number formatting tc's JSON goes through.
 */
class NetlinkQdiscOptionsTest {

  /** This machine's /proc/net/psched: 64 ns ticks. */
  private static final TcCore CORE = TcCore.fromPsched("000003e8 00000040 000f4240 3b9aca00");

  private static final long U32_MAX = 0xffffffffL;

  @Test
  void readsTheSeedsNetemThirtyPercentLossWithTheTypedFieldsTheJsonPathGives() throws Exception {
    // tc qdisc add dev eth0 root netem loss 30% delay 100ms (iproute2 stores rint(0.3 * U32_MAX))
    ByteBuffer opt = le(24 + 16);
    opt.putInt((int) ticks(100_000)).putInt(1000).putInt((int) Math.rint(0.3 * U32_MAX));
    opt.putInt(0).putInt(0).putInt(0);
    opt.putShort((short) 16).putShort((short) 1).putInt(0).putInt(0).putInt(0); // TCA_NETEM_CORR

    QdiscStats netem = record("netem", opt.array());

    assertThat(netem.getOptions())
        .containsEntry("limit", "1000")
        .containsEntry("loss-random.loss", "0.3")
        .containsEntry("loss-random.correlation", "0")
        .containsEntry("delay.delay", "0.1")
        .containsEntry("delay.jitter", "0")
        .containsEntry("ecn", "false")
        .containsEntry("gap", "0");
    assertThat(netem.getLossPercent()).isCloseTo(30.0, Offset.offset(1e-9));
    assertThat(netem.getDelayUs()).isEqualTo(100_000);
    assertThat(netem.getLimitPackets()).isEqualTo(1000);
    // The same JSON through the forking path's parser gives the same record.
    String json =
        "[{\"kind\":\"netem\",\"handle\":\"800d:\",\"dev\":\"eth0\",\"root\":true,\"options\":"
            + "{\"limit\":1000,\"delay\":{\"delay\":0.1,\"jitter\":0,\"correlation\":0},"
            + "\"loss-random\":{\"loss\":0.3,\"correlation\":0},\"ecn\":false,\"gap\":0},"
            + "\"bytes\":432,\"packets\":8,\"drops\":4,\"overlimits\":0,\"requeues\":0,"
            + "\"backlog\":0,\"qlen\":0}]";
    assertThat(TcQdiscJsonParser.parse("tc", json)).containsExactly(netem);
  }

  @Test
  void netemWithoutLossOrDelayPrintsOnlyItsAlwaysPresentOptions() throws Exception {
    ByteBuffer opt = le(24);
    opt.putInt(0).putInt(1000).putInt(0).putInt(0).putInt(0).putInt(0);

    assertThat(record("netem", opt.array()).getOptions()).containsOnlyKeys("limit", "ecn", "gap");
  }

  @Test
  void aTruncatedNetemStructPrintsNothingAsTcDoes() throws Exception {
    assertThat(record("netem", new byte[12]).getOptions()).isEmpty();
  }

  @Test
  void readsFqCodelAsTcPrintsIt() throws Exception {
    ByteBuffer opt = le(6 * 8);
    attr(opt, 2, 10240); // limit
    attr(opt, 5, 1024); // flows
    attr(opt, 6, 1514); // quantum
    attr(opt, 1, 4999); // target, us
    attr(opt, 3, 99999); // interval, us
    attr(opt, 4, 1); // ecn

    assertThat(record("fq_codel", opt.array()).getOptions())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "limit", "10240",
                "flows", "1024",
                "quantum", "1514",
                "target", "4999",
                "interval", "99999",
                "ecn", "true"));
  }

  @Test
  void unknownKindsKeepTheirCountersWithEmptyOptions() throws Exception {
    QdiscStats cake = record("cake", new byte[] {8, 0, 1, 0, 1, 0, 0, 0});

    assertThat(cake.getOptions()).isEmpty();
    assertThat(cake.getDrops()).isEqualTo(4);
  }

  @Test
  void formatsFloatsLikeCPercentGReadBackByJackson() {
    assertThat(TcJsonOptions.jacksonText(TcJsonOptions.cG(0.30000000006984919))).isEqualTo("0.3");
    assertThat(TcJsonOptions.jacksonText(TcJsonOptions.cG(0.1))).isEqualTo("0.1");
    assertThat(TcJsonOptions.jacksonText(TcJsonOptions.cG(2.0))).isEqualTo("2");
    assertThat(TcJsonOptions.cG(1e-6)).isEqualTo("1e-06");
    assertThat(TcJsonOptions.jacksonText(TcJsonOptions.cG(1e-6))).isEqualTo("1.0E-6");
    assertThat(TcJsonOptions.cG(1234567)).isEqualTo("1.23457e+06");
    assertThat(TcJsonOptions.cG(0.000123456789)).isEqualTo("0.000123457");
    assertThat(TcJsonOptions.cG(0)).isEqualTo("0");
  }

  @Test
  void convertsTicksAsTcCoreDoes() {
    // tc_core_init: tick_in_usec = 1000 / 64 with a 1 MHz clock_res (the third psched field)
    assertThat(CORE.tick2time(25_000_000)).isEqualTo(1_600_000);
    assertThat(CORE.xmitSize(1000, ticks(1_600_000))).isEqualTo(1600);
    // A nanosecond clock_res makes tc ignore t2us (its "compatibility hack").
    assertThat(TcCore.fromPsched("000003e8 00000040 3b9aca00 3b9aca00").tick2time(64))
        .isEqualTo(TcCore.fromPsched("00000040 00000040 3b9aca00 3b9aca00").tick2time(64));
    assertThat(TcCore.fromPsched(null)).isSameAs(TcCore.DEFAULT);
    assertThat(TcCore.fromPsched("garbage")).isSameAs(TcCore.DEFAULT);
  }

  private static QdiscStats record(String kind, byte[] options) throws Exception {
    NlQdisc q =
        new NlQdisc(
            2,
            0x800d_0000L,
            NlQdisc.TC_H_ROOT,
            kind,
            options,
            new NlQdisc.Stats(432L, 8L, 4L, 0L, 0L, 0L, 0L));
    return NetlinkQdiscs.records(
            List.of(q),
            List.of(
                new dev.culprit.collector.platform.netlink.NlLink(
                    2, 1, "eth0", 1500, null, 6, null, null)),
            CORE)
        .get(0);
  }

  /** psched ticks of 64 ns, as the kernel reports (PSCHED_NS2TICKS). */
  private static long ticks(long micros) {
    return micros * 1000 / 64;
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static void attr(ByteBuffer b, int type, int value) {
    b.putShort((short) 8).putShort((short) type).putInt(value);
  }
}
