package dev.culprit.collector.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.culprit.collector.platform.docker.DockerJson;
import dev.culprit.collector.platform.procfs.PidStatParser;
import dev.culprit.collector.source.conntrack.ConntrackStatParser;
import dev.culprit.collector.source.container.CgroupFormatException;
import dev.culprit.collector.source.container.CgroupValueParser;
import dev.culprit.collector.source.container.FlatKeyedFileParser;
import dev.culprit.collector.source.container.jvm.Hsperfdata;
import dev.culprit.collector.source.firewall.IptablesSaveParser;
import dev.culprit.collector.source.firewall.NftJsonParser;
import dev.culprit.collector.source.iface.IpLinkJsonParser;
import dev.culprit.collector.source.iface.NetDevParser;
import dev.culprit.collector.source.oom.KmsgRecord;
import dev.culprit.collector.source.oom.KmsgRecordParser;
import dev.culprit.collector.source.oom.OomReportParser;
import dev.culprit.collector.source.protocol.SnmpParser;
import dev.culprit.collector.source.qdisc.TcQdiscJsonParser;
import dev.culprit.collector.source.qdisc.TcQdiscTextParser;
import dev.culprit.collector.spi.ParseException;
import dev.culprit.collector.testing.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Feeds every parser mutations of the real fixtures (byte flips, truncation, duplicated and dropped
 * lines, huge and negative numbers, non-ASCII and NUL bytes) from a fixed seed, so a failure
 * replays. A parser may reject its input only with its own typed exception, and what it returns
 * stays bounded by the size of what it was given. Each parser gets a few hundred cases: the whole
 * class runs in a few seconds.
 */
class ParserFuzzTest {

  private static final long SEED = 0x5eed_c0ffeeL;
  private static final int CASES = 400;

  /** One parser under test: returns how many items it produced. */
  private interface Target {
    int parse(String text) throws Exception;
  }

  private static final String[] HOSTILE_TOKENS = {
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999999999",
    "-1",
    "-9223372036854775808",
    "9223372036854775807",
    "0x7fffffff",
    "NaN",
    "1e309",
    "é",
    "\u0000",
    "\uFFFF",
    "\uD83D\uDE00",
    ")",
    "(",
    "\"",
    "{",
    "[",
    "]",
    "}",
    ":",
    "\t",
    "\r",
    "  ",
  };

  @Test
  void netDevSurvivesMutationsOfRealProcNetDev() {
    fuzz(
        "fixtures/real/host/proc-net-dev.txt",
        text -> NetDevParser.parse("proc/net/dev", text).size(),
        ParseException.class);
  }

  @Test
  void snmpAndNetstatSurviveMutations() {
    for (String file : List.of("proc-net-snmp.txt", "proc-net-netstat.txt")) {
      fuzz(
          "fixtures/real/host/" + file,
          text -> {
            var into = new HashMap<String, Long>();
            SnmpParser.parsePairs(file, text, into);
            return into.size();
          },
          ParseException.class);
    }
    fuzz(
        "fixtures/real/host/proc-net-snmp6.txt",
        text -> {
          var into = new HashMap<String, Long>();
          SnmpParser.parseSnmp6("snmp6", text, into);
          return into.size();
        },
        ParseException.class);
  }

  @Test
  void conntrackStatSurvivesMutations() {
    fuzz(
        "fixtures/real/host/proc-net-stat-nf_conntrack.txt",
        text -> ConntrackStatParser.parse("nf_conntrack", text).size(),
        ParseException.class);
  }

  @Test
  void firewallParsersSurviveMutations() {
    for (String file : List.of("iptables-save-c.txt", "ip6tables-save-c.txt")) {
      fuzz(
          "fixtures/real/host/" + file,
          text -> {
            var set = IptablesSaveParser.parse(file, text, "iptables-nft", "ipv4");
            return set.rules().size() + set.policies().size();
          },
          ParseException.class);
    }
    fuzz(
        "fixtures/real/host/nft-j-list-ruleset.json",
        text -> {
          var set = NftJsonParser.parse("nft", text, "nft", false);
          return set.rules().size() + set.policies().size();
        },
        ParseException.class);
  }

  @Test
  void linkAndQdiscParsersSurviveMutations() {
    fuzz(
        "fixtures/real/host/ip-j-s-s-d-address-show.json",
        text -> IpLinkJsonParser.parse("ip", text).size(),
        ParseException.class);
    fuzz(
        "fixtures/real/host/tc-s-j-qdisc-show.json",
        text -> TcQdiscJsonParser.parse("tc", text).size(),
        ParseException.class);
    fuzz(
        "fixtures/real/host/tc-s-qdisc-show.txt",
        text -> TcQdiscTextParser.parse("tc", text, "eth0").size(),
        ParseException.class);
  }

  @Test
  void kmsgAndOomReportParsersSurviveMutations() {
    fuzz(
        "kmsg/docker_oom_sh_64m.kmsg.txt",
        text -> {
          OomReportParser reports = new OomReportParser();
          int count = 0;
          for (String line : text.split("\n")) {
            KmsgRecord record;
            try {
              record = KmsgRecordParser.parse(line);
            } catch (KmsgRecordParser.KmsgFormatException e) {
              continue; // the typed rejection of one record; the next ones still count
            }
            count += reports.accept(record).size();
          }
          return count + reports.flush().size();
        },
        KmsgRecordParser.KmsgFormatException.class);
  }

  @Test
  void cgroupParsersSurviveMutationsAndNeverThrowForKeyedFiles() {
    String cpuStat = "nr_periods 2000\nnr_throttled 200\nthrottled_time 18446744073709551615\n";
    String memoryStat =
        "anon 1000\nfile 2000\nkernel 30\nsock 0\nshmem 0\npgfault 12\noom_kill 1\n";
    fuzzText(
        memoryStat + cpuStat,
        text -> FlatKeyedFileParser.parse("memory.stat", text).size(),
        RuntimeException.class /* none expected: malformed lines are dropped */);
    fuzzText(
        "max 100000\n",
        text -> CgroupValueParser.parseV2CpuMax("cpu.max", text).length,
        CgroupFormatException.class);
    fuzzText(
        "9223372036854771712\n",
        text -> CgroupValueParser.parseV1Limit("memory.limit_in_bytes", text) == null ? 0 : 1,
        CgroupFormatException.class);
  }

  @Test
  void pidStatSurvivesMutations() {
    fuzzText(
        "4242 (Web (Content) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 12 0 987654"
            + " 1000000 200 18446744073709551615 1 2 3\n",
        text -> {
          PidStatParser.parse("stat", text);
          return 1;
        },
        ParseException.class);
  }

  @Test
  void dockerJsonSurvivesMutations() {
    fuzz(
        "docker/container_d_child_oom_inspect.json",
        text -> {
          DockerJson.inspect(text);
          return 1;
        },
        IOException.class);
    fuzzText(
        "{\"Type\":\"container\",\"Action\":\"oom\",\"Actor\":{\"ID\":\"abc\",\"Attributes\":"
            + "{\"name\":\"x\"}},\"time\":1700000000,\"timeNano\":1700000000000000000}",
        text -> DockerJson.event(text).isPresent() ? 1 : 0,
        IOException.class);
  }

  @Test
  void hsperfdataSurvivesByteMutations() {
    byte[] real = Fixtures.bytes("hsperfdata/jdk17-serial-xmx300m.hsperfdata");
    Random random = new Random(SEED);
    for (int i = 0; i < CASES; i++) {
      byte[] mutated = mutateBytes(real, random);
      try {
        Hsperfdata.parse(mutated).maxHeapBytes();
      } catch (Hsperfdata.HsperfdataFormatException e) {
        // its own typed rejection
      } catch (RuntimeException e) {
        fail("case " + i + ": Hsperfdata threw " + e, e);
      }
    }
  }

  private static void fuzz(String resource, Target target, Class<? extends Exception> typed) {
    fuzzText(Fixtures.text(resource), target, typed);
  }

  private static void fuzzText(String real, Target target, Class<? extends Exception> typed) {
    Random random = new Random(SEED ^ real.hashCode());
    for (int i = 0; i < CASES; i++) {
      String mutated = mutate(real, random);
      int produced;
      try {
        produced = target.parse(mutated);
      } catch (Exception e) {
        if (typed.isInstance(e) && !(e instanceof RuntimeException)) {
          continue;
        }
        throw new AssertionError("case " + i + " threw " + e + " for input:\n" + clip(mutated), e);
      }
      // Every item a parser returns stands for at least one character of its input.
      assertThat(produced)
          .as("case %d: output bounded by the input's %d characters", i, mutated.length())
          .isLessThanOrEqualTo(mutated.length() + 1);
    }
  }

  /** One to four mutations of {@code text}. */
  static String mutate(String text, Random random) {
    String s = text;
    int n = 1 + random.nextInt(4);
    for (int k = 0; k < n && !s.isEmpty(); k++) {
      int at = random.nextInt(s.length());
      switch (random.nextInt(8)) {
        case 0 -> { // flip one byte
          char[] chars = s.toCharArray();
          chars[at] = (char) (chars[at] ^ (1 << random.nextInt(8)));
          s = new String(chars);
        }
        case 1 -> s = s.substring(0, at); // truncate
        case 2 -> { // duplicate a line
          List<String> lines = new ArrayList<>(Arrays.asList(s.split("\n", -1)));
          int line = random.nextInt(lines.size());
          lines.add(line, lines.get(line));
          s = String.join("\n", lines);
        }
        case 3 -> { // drop a line
          List<String> lines = new ArrayList<>(Arrays.asList(s.split("\n", -1)));
          lines.remove(random.nextInt(lines.size()));
          s = String.join("\n", lines);
        }
        case 4, 5 -> { // replace a number or a token with a hostile one
          String token = HOSTILE_TOKENS[random.nextInt(HOSTILE_TOKENS.length)];
          int end = at;
          while (end < s.length() && Character.isLetterOrDigit(s.charAt(end))) {
            end++;
          }
          s = s.substring(0, at) + token + s.substring(end);
        }
        case 6 -> { // insert non-ASCII or control characters
          String token = new String(new byte[] {(byte) 0xc3, (byte) 0xa9}, StandardCharsets.UTF_8);
          s =
              s.substring(0, at)
                  + (random.nextBoolean() ? token : "\u0000\u00ff")
                  + s.substring(at);
        }
        default -> { // delete a span
          int end = Math.min(s.length(), at + 1 + random.nextInt(40));
          s = s.substring(0, at) + s.substring(end);
        }
      }
    }
    return s;
  }

  private static byte[] mutateBytes(byte[] bytes, Random random) {
    byte[] b = bytes.clone();
    int n = 1 + random.nextInt(8);
    for (int k = 0; k < n; k++) {
      int at = random.nextInt(b.length);
      switch (random.nextInt(3)) {
        case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
        case 1 -> b[at] = (byte) 0xff;
        default -> b = Arrays.copyOf(b, at);
      }
      if (b.length == 0) {
        break;
      }
    }
    return b;
  }

  private static String clip(String s) {
    return s.length() <= 2000 ? s : s.substring(0, 2000) + "…";
  }
}
