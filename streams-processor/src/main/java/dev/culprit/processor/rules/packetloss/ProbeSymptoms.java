package dev.culprit.processor.rules.packetloss;

import dev.culprit.processor.probe.ProbeObservation;
import dev.culprit.processor.rules.Fmt;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What probing clients saw of a namespace in the window, for the causes found there: "clients see
 * loss to X; at X the cause is …" (docs/ARCHITECTURE.md, step 5).
 *
 * <p>Only a window in which some prober had unanswered probes to the namespace adds anything:
 * probes that all came back are no symptom, so a cause never carries a healthy probe as if it were
 * one. Symptom keys (stable; consumers may rely on them), summed over every prober and every probed
 * address and port of the namespace in the window:
 *
 * <ul>
 *   <li>{@value #SENT}: probes sent
 *   <li>{@value #ANSWERED}: probes answered
 *   <li>{@value #CLIENTS}: distinct probers (host, netns)
 *   <li>{@value #CLIENTS_WITH_LOSS}: probers with at least one unanswered probe
 *   <li>{@value #RTT_MAX_MS}: the largest round-trip time reported, whole ms rounded up (absent
 *       when no prober reported one)
 * </ul>
 */
public final class ProbeSymptoms {

  public static final String SENT = "probe.sent";
  public static final String ANSWERED = "probe.answered";
  public static final String CLIENTS = "probe.clients";
  public static final String CLIENTS_WITH_LOSS = "probe.clientsWithLoss";
  public static final String RTT_MAX_MS = "probe.rttMaxMs";

  /** Probers named in a sentence before "and N more". */
  private static final int NAMED = 3;

  private ProbeSymptoms() {}

  /** Whether a prober lost probes to the namespace in the window. */
  public static boolean lossy(List<ProbeObservation> probes) {
    return probes.stream().anyMatch(ProbeSymptoms::lost);
  }

  /** The probe symptoms; empty when no probe was lost. */
  public static Map<String, Long> of(List<ProbeObservation> probes) {
    Map<String, Long> out = new TreeMap<>();
    if (!lossy(probes)) {
      return out;
    }
    long sent = 0;
    long answered = 0;
    Double rttMax = null;
    Set<String> clients = new TreeSet<>();
    Set<String> lossyClients = new TreeSet<>();
    for (ProbeObservation o : probes) {
      sent += o.getSent();
      answered += o.getAnswered();
      clients.add(prober(o));
      if (lost(o)) {
        lossyClients.add(prober(o));
      }
      if (o.getRttMaxMs() != null) {
        rttMax = rttMax == null ? o.getRttMaxMs() : Math.max(rttMax, o.getRttMaxMs());
      }
    }
    out.put(SENT, sent);
    out.put(ANSWERED, answered);
    out.put(CLIENTS, (long) clients.size());
    out.put(CLIENTS_WITH_LOSS, (long) lossyClients.size());
    if (rttMax != null) {
      out.put(RTT_MAX_MS, (long) Math.ceil(rttMax));
    }
    return out;
  }

  /**
   * A sentence to append to the cause's summary, one clause per probed address and port that lost
   * probes ("Clients h2/culprit-client see 40 % loss to 10.77.0.2:80 (12 of 30 probes
   * unanswered)."), or "" when no probe was lost. The loss is pooled over the probers that lost
   * probes to that target; probers that lost none are not named.
   */
  public static String clause(List<ProbeObservation> probes) {
    Map<String, List<ProbeObservation>> byTarget = new TreeMap<>();
    for (ProbeObservation o : probes) {
      if (lost(o)) {
        byTarget.computeIfAbsent(target(o), t -> new ArrayList<>()).add(o);
      }
    }
    if (byTarget.isEmpty()) {
      return "";
    }
    List<String> clauses = new ArrayList<>();
    for (Map.Entry<String, List<ProbeObservation>> e : byTarget.entrySet()) {
      long sent = 0;
      long answered = 0;
      Set<String> names = new TreeSet<>();
      for (ProbeObservation o : e.getValue()) {
        sent += o.getSent();
        answered += o.getAnswered();
        names.add(prober(o));
      }
      long unanswered = sent - Math.min(answered, sent);
      clauses.add(
          String.format(
              Locale.ROOT,
              "%s %s %s %s loss to %s (%d of %d probes unanswered)",
              names.size() == 1 ? "client" : "clients",
              list(names),
              names.size() == 1 ? "sees" : "see",
              Fmt.percent(Fmt.ratio(unanswered, sent)),
              e.getKey(),
              unanswered,
              sent));
    }
    String joined = String.join("; ", clauses);
    return " Probing " + joined + ".";
  }

  private static boolean lost(ProbeObservation o) {
    return o.getSent() > 0 && o.getAnswered() < o.getSent();
  }

  private static String prober(ProbeObservation o) {
    return o.getProberNetns().isEmpty()
        ? o.getProberHost()
        : o.getProberHost() + "/" + o.getProberNetns();
  }

  private static String target(ProbeObservation o) {
    String address = o.getTargetAddress();
    return (address.contains(":") ? "[" + address + "]" : address) + ":" + o.getTargetPort();
  }

  private static String list(Set<String> names) {
    List<String> shown = new ArrayList<>(names).subList(0, Math.min(NAMED, names.size()));
    String text = String.join(", ", shown);
    return names.size() > NAMED ? text + " and " + (names.size() - NAMED) + " more" : text;
  }
}
