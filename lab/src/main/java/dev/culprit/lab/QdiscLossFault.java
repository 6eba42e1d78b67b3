package dev.culprit.lab;

import dev.culprit.lab.oracle.TcQdiscJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Packet loss in the server's egress qdisc, as in the seed ({@code qdisc netem … loss 30%} on the
 * server's eth0, eating the replies): real drops, counted by the qdisc, invisible to the interface
 * counters. Three ways to make it, tried in this order by {@code auto}:
 *
 * <ol>
 *   <li>{@code netem loss P%} where the kernel has netem;
 *   <li>{@code htb-random}: the same random loss without netem (this project's CI kernel has none):
 *       an {@code htb} root whose classic-BPF filter ({@code ld rand}) sends P % of packets, at
 *       random, to a class whose {@code pfifo} has length 0. Both the htb root and that pfifo count
 *       the drops. Needs only htb, pfifo and cls_bpf;
 *   <li>{@code tbf} with a rate far below the lab's traffic and a short queue: drops what does not
 *       fit. Loss then depends on traffic volume — with the MTU fault also active almost nothing
 *       big leaves the server, and tbf drops nothing — so it is the last resort.
 * </ol>
 *
 * @param mode auto, netem, htb-random or tbf
 * @param lossPercent the random loss of netem and htb-random, in percent
 * @param rate tbf rate ({@code tc} syntax, e.g. 256kbit)
 * @param burst tbf bucket size (e.g. 4kb)
 * @param limit tbf queue length in bytes (e.g. 8kb)
 * @param applied the mechanism actually installed (netem, htb-random, tbf); null until applied
 */
public record QdiscLossFault(
    Mode mode, double lossPercent, String rate, String burst, String limit, String applied)
    implements NetworkFault {

  public static final String DEFAULT_LOSS = "30";
  // 256 kbit/s is about a fifth of what the clients fetch, and an 8 KB queue holds less than one
  // 20 KiB reply's initial burst: tbf drops steadily, but enough gets through to keep TCP trying.
  public static final String DEFAULT_RATE = "256kbit";
  public static final String DEFAULT_BURST = "4kb";
  public static final String DEFAULT_LIMIT = "8kb";

  /** htb's classid of the class whose zero-length pfifo drops everything sent to it: 1:2. */
  private static final int DROP_CLASSID = 0x10002;

  /** Which mechanism to use. */
  public enum Mode {
    AUTO,
    NETEM,
    HTB_RANDOM,
    TBF;

    public String cliName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** {@code auto}, {@code netem}, {@code htb-random}, {@code tbf}, in any case. */
    public static Mode parse(String text) {
      for (Mode mode : values()) {
        if (mode.cliName().equalsIgnoreCase(text) || mode.name().equalsIgnoreCase(text)) {
          return mode;
        }
      }
      throw new LabException("--kind must be auto, netem, htb-random or tbf, not '" + text + "'");
    }
  }

  public QdiscLossFault {
    if (mode == null) {
      mode = Mode.AUTO;
    }
    if (!(lossPercent > 0 && lossPercent <= 100)) {
      throw new LabException(
          "--loss must be above 0 and at most 100 (percent), not " + lossPercent);
    }
    for (String setting : new String[] {rate, burst, limit}) {
      if (setting == null || !setting.matches("[0-9.]+[a-zA-Z]*")) {
        throw new LabException(
            "--rate, --burst and --limit take tc sizes like 256kbit, 4kb, 8kb; got " + setting);
      }
    }
  }

  @Override
  public FaultKind kind() {
    return FaultKind.QDISC_LOSS;
  }

  @Override
  public String describe() {
    String where = " on " + dev() + " in " + LabTopology.WEB_NS;
    Mode shown = applied != null ? Mode.parse(applied) : mode;
    return switch (shown) {
      case NETEM -> "netem loss " + fmt(lossPercent) + "%" + where;
      case HTB_RANDOM ->
          "random loss of "
              + fmt(lossPercent)
              + "%"
              + where
              + " (htb root, bpf filter sends that share to a zero-length pfifo)";
      case TBF ->
          "tbf rate "
              + rate
              + " burst "
              + burst
              + " limit "
              + limit
              + where
              + " (drops what exceeds the rate)";
      case AUTO ->
          "random loss of "
              + fmt(lossPercent)
              + "%"
              + where
              + " (netem, else htb-random, else tbf)";
    };
  }

  @Override
  public NetworkFault apply(LabContext lab) {
    List<String> refusals = new ArrayList<>();
    for (Mode candidate :
        mode == Mode.AUTO ? List.of(Mode.NETEM, Mode.HTB_RANDOM, Mode.TBF) : List.of(mode)) {
      clear(lab); // start from the device's default qdisc, whatever an earlier inject left
      String refusal = install(lab, candidate);
      if (refusal == null) {
        return new QdiscLossFault(mode, lossPercent, rate, burst, limit, candidate.cliName());
      }
      refusals.add(candidate.cliName() + ": " + refusal);
    }
    clear(lab);
    throw new LabException(
        "cannot install a dropping qdisc on " + dev() + ": " + String.join("; ", refusals));
  }

  /** Installs one mechanism; returns why the kernel refused it, or null when it is in place. */
  private String install(LabContext lab, Mode mechanism) {
    List<List<String>> steps =
        switch (mechanism) {
          case NETEM ->
              List.of(
                  List.of(
                      "qdisc",
                      "add",
                      "dev",
                      dev(),
                      "root",
                      "netem",
                      "loss",
                      fmt(lossPercent) + "%"));
          case HTB_RANDOM ->
              List.of(
                  List.of(
                      "qdisc", "add", "dev", dev(), "root", "handle", "1:", "htb", "default", "1"),
                  // quantum set explicitly: the r2q default warns about 10 Gbit classes.
                  List.of(
                      "class", "add", "dev", dev(), "parent", "1:", "classid", "1:1", "htb", "rate",
                      "10gbit", "quantum", "60000"),
                  List.of(
                      "class", "add", "dev", dev(), "parent", "1:", "classid", "1:2", "htb", "rate",
                      "10gbit", "quantum", "60000"),
                  List.of(
                      "qdisc", "add", "dev", dev(), "parent", "1:2", "handle", "2:", "pfifo",
                      "limit", "0"),
                  List.of(
                      "filter",
                      "add",
                      "dev",
                      dev(),
                      "parent",
                      "1:",
                      "protocol",
                      "all",
                      "prio",
                      "1",
                      "bpf",
                      "bytecode",
                      randomDropBytecode(lossPercent)));
          case TBF ->
              List.of(
                  List.of(
                      "qdisc", "add", "dev", dev(), "root", "tbf", "rate", rate, "burst", burst,
                      "limit", limit));
          case AUTO -> throw new IllegalArgumentException("auto is not a mechanism");
        };
    for (List<String> step : steps) {
      Shell.Result result = lab.shell().run(tc(lab, step.toArray(String[]::new)));
      if (!result.ok()) {
        return result.stderr().strip();
      }
    }
    return null;
  }

  /**
   * Classic BPF for cls_bpf: load a random 32-bit number ({@code SKF_AD_OFF + SKF_AD_RANDOM}); when
   * it is at most {@code p × 2³²} return the drop class 1:2, else 0 (no match: htb's default class
   * 1:1). As {@code tc}'s "count,code jt jf k,…" text.
   */
  static String randomDropBytecode(double lossPercent) {
    long threshold = (long) Math.floor(lossPercent / 100 * 4294967296.0) - 1;
    threshold = Math.max(0, Math.min(threshold, 0xFFFFFFFFL));
    long loadRandom = 0xFFFFF000L + 56; // SKF_AD_OFF + SKF_AD_RANDOM
    return String.join(
        ",",
        "4",
        "32 0 0 " + loadRandom, // BPF_LD | BPF_W | BPF_ABS
        "37 0 1 " + threshold, // BPF_JMP | BPF_JGT | BPF_K: above → keep, else → drop
        "6 0 0 0", // BPF_RET | BPF_K: no match, default class
        "6 0 0 " + DROP_CLASSID);
  }

  @Override
  public void clear(LabContext lab) {
    if (!NetnsList.exists(lab, LabTopology.WEB_NS)) {
      return;
    }
    // Fails harmlessly when only the default qdisc is there ("handle of zero"): already clear.
    lab.shell().run(tc(lab, "qdisc", "del", "dev", dev(), "root"));
  }

  @Override
  public String evidence(LabContext lab) {
    return root(lab)
        .map(
            q ->
                String.format(
                    Locale.ROOT,
                    "%s %s on %s: %d packets dropped, %d sent",
                    q.kind(),
                    q.handle(),
                    dev(),
                    q.drops(),
                    q.packets()))
        .orElse("no root qdisc on " + dev());
  }

  /** The server interface's root qdisc and its counters. */
  public static java.util.Optional<TcQdiscJson.Qdisc> root(LabContext lab) {
    return TcQdiscJson.root(lab.shell().check(tc(lab, "-s", "-j", "qdisc", "show", "dev", dev())));
  }

  private static String dev() {
    return LabTopology.web().device();
  }

  private static List<String> tc(LabContext lab, String... args) {
    List<String> argv = new ArrayList<>();
    argv.add(lab.tools().path(Tools.Tool.TC));
    argv.addAll(List.of(args));
    return lab.inNetns(LabTopology.WEB_NS, argv);
  }

  private static String fmt(double value) {
    return new java.math.BigDecimal(Double.toString(value)).stripTrailingZeros().toPlainString();
  }
}
