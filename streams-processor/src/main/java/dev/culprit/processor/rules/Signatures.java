package dev.culprit.processor.rules;

import dev.culprit.processor.rules.packetloss.FirewallRuleSpec;
import dev.culprit.schemas.RootCause;
import java.util.Map;

/**
 * The cause signature of an event: the cause and what it is, without what differs from host to host
 * (device names of veths, qdisc handles, rule positions), so the same fault rolled out to many
 * hosts gets one signature: {@code FIREWALL_DROP filter INPUT -m statistic --mode random
 * --probability 0.30 -j DROP}.
 */
public final class Signatures {

  private Signatures() {}

  public static String of(RootCause cause) {
    Map<String, Object> e = cause.getEvidence();
    String name = cause.getCause().name();
    return switch (cause.getCause()) {
      case FIREWALL_DROP ->
          e.containsKey("policy")
              ? name + " " + e.get("table") + " " + e.get("chain") + " policy " + e.get("policy")
              : name
                  + " "
                  + e.get("table")
                  + " "
                  + e.get("chain")
                  + " "
                  + FirewallRuleSpec.parse(String.valueOf(e.get("spec"))).match();
      case QDISC_LOSS ->
          name
              + " "
              + e.get("kind")
              + setting(e, "lossPercent", " loss ")
              + setting(e, "rateBitsPerSecond", " rate ")
              + setting(e, "limitPackets", " limit ")
              + setting(e, "limitBytes", " limit bytes ");
      case MTU_MISMATCH ->
          name
              + " mtu "
              + e.get("mtu")
              + (e.containsKey("peerMtu") ? " < " + e.get("peerMtu") : "");
      default -> name + " " + cause.getLocation();
    };
  }

  private static String setting(Map<String, Object> evidence, String key, String label) {
    Object value = evidence.get(key);
    return value == null ? "" : label + value;
  }
}
