package dev.culprit.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line: help for every subcommand, and bad input refused before any root check. */
class LabCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = new CommandLine(new LabCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  /** Help is wrapped at 80 columns; compare words, not line breaks. */
  private String printed() {
    return out.toString().replaceAll("\\s+", " ");
  }

  @Test
  void everySubcommandHasHelpThatNamesItsDefaults() {
    assertThat(run("--help")).isZero();
    assertThat(printed()).contains("up", "down", "status", "inject", "clear", "10.253.0.0/24");
    assertThat(run("up", "--help")).isZero();
    assertThat(printed()).contains("--clients", "default: 2", "--state-dir", "/run/culprit-lab");
    assertThat(run("inject", "firewall-drop", "--help")).isZero();
    assertThat(printed()).contains("--chain", "default: both", "--probability", "default: 0.3");
    assertThat(run("inject", "mtu", "--help")).isZero();
    assertThat(printed()).contains("default: 100");
    assertThat(run("inject", "conntrack-full", "--help")).isZero();
    assertThat(printed()).contains("restored by clear and by down");
    assertThat(run("inject", "listen-overflow", "--help")).isZero();
    assertThat(printed()).contains("ListenOverflows", "default: 8081");
    assertThat(run("inject", "qdisc-loss", "--help")).isZero();
    assertThat(printed()).contains("tbf", "default: 256kbit");
  }

  @Test
  void asksForASubcommandWhenGivenNone() {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString()).contains("Missing subcommand");
    assertThat(run("inject")).isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "Missing fault: firewall-drop, qdisc-loss, mtu, conntrack-full, listen-overflow,"
                + " rp-filter, route-unreachable, neighbour-unresolved, oom-jvm, oom-jvm-cmdline,"
                + " oom-process, cpu-throttle or jvm-heap-error");
  }

  @Test
  void refusesABadProbabilityWithOneLineAndNoStackTrace() {
    assertThat(run("inject", "firewall-drop", "--probability", "3")).isEqualTo(1);
    assertThat(err.toString())
        .startsWith("culprit lab: --probability must be above 0 and at most 1")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
  }

  @Test
  void refusesAnUnknownFaultToClearAndListsTheKnownOnes() {
    assertThat(run("clear", "netem")).isEqualTo(1);
    assertThat(err.toString()).contains("unknown fault 'netem'", "listen-overflow");
  }

  @Test
  void refusesAChainThatIsNotInputOrOutput() {
    assertThat(run("inject", "firewall-drop", "--chain", "FORWARD")).isEqualTo(1);
    assertThat(err.toString()).contains("--chain must be INPUT, OUTPUT or both");
  }
}
