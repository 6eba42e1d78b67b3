package dev.culprit.app.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Packet loss in the server's egress qdisc, as in the seed ({@code qdisc netem … loss 30%} on the
 * server's eth0, eating the replies). Kernels without netem (this project's CI kernel has none) get
 * a {@code tbf} whose rate is far below the lab's traffic and whose queue is short, so it drops
 * what does not fit: real drops, counted by the qdisc, invisible to the interface counters.
 *
 * @param mode netem, tbf, or auto (netem when the kernel has it, else tbf)
 * @param lossPercent netem's random loss, in percent
 * @param rate tbf rate ({@code tc} syntax, e.g. 256kbit)
 * @param burst tbf bucket size (e.g. 4kb)
 * @param limit tbf queue length in bytes (e.g. 8kb)
 * @param applied the qdisc kind actually installed; null until applied
 */
public record QdiscLossFault(
    Mode mode, double lossPercent, String rate, String burst, String limit, String applied)
    implements FaultSpec {

  public static final String DEFAULT_LOSS = "30";
  // 256 kbit/s is about a fifth of what the clients fetch, and an 8 KB queue holds less than one
  // 20 KiB reply's initial burst: tbf drops steadily, but enough gets through to keep TCP trying.
  public static final String DEFAULT_RATE = "256kbit";
  public static final String DEFAULT_BURST = "4kb";
  public static final String DEFAULT_LIMIT = "8kb";

  /** Which qdisc to use. */
  public enum Mode {
    AUTO,
    NETEM,
    TBF;

    /** {@code auto}, {@code netem}, {@code tbf}, in any case. */
    public static Mode parse(String text) {
      for (Mode mode : values()) {
        if (mode.name().equalsIgnoreCase(text)) {
          return mode;
        }
      }
      throw new LabException("--kind must be auto, netem or tbf, not '" + text + "'");
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
    String dev = LabTopology.web().device();
    if ("netem".equals(applied) || (applied == null && mode == Mode.NETEM)) {
      return String.format(
          Locale.ROOT, "netem loss %s%% on %s in %s", fmt(lossPercent), dev, LabTopology.WEB_NS);
    }
    if ("tbf".equals(applied) || mode == Mode.TBF) {
      return String.format(
          Locale.ROOT,
          "tbf rate %s burst %s limit %s on %s in %s (drops what exceeds the rate)",
          rate,
          burst,
          limit,
          dev,
          LabTopology.WEB_NS);
    }
    return "netem loss " + fmt(lossPercent) + "% (or tbf if netem is missing) on " + dev;
  }

  @Override
  public FaultSpec apply(LabContext lab) {
    if (mode != Mode.TBF) {
      Shell.Result netem =
          lab.shell()
              .run(
                  tc(
                      lab,
                      "qdisc",
                      "replace",
                      "dev",
                      dev(),
                      "root",
                      "netem",
                      "loss",
                      fmt(lossPercent) + "%"));
      if (netem.ok()) {
        return withApplied("netem");
      }
      if (mode == Mode.NETEM) {
        throw new LabException(
            "this kernel refuses a netem qdisc ("
                + netem.stderr().strip()
                + "); use --kind tbf or --kind auto");
      }
      // No netem (sch_netem not built): fall through to tbf, which every kernel here has.
    }
    lab.shell()
        .check(
            tc(
                lab, "qdisc", "replace", "dev", dev(), "root", "tbf", "rate", rate, "burst", burst,
                "limit", limit));
    return withApplied("tbf");
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

  private QdiscLossFault withApplied(String kind) {
    return new QdiscLossFault(mode, lossPercent, rate, burst, limit, kind);
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
