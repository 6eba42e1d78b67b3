package dev.culprit.lab;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * {@code ip netns list}: the named network namespaces, one per line, optionally followed by their
 * nsid.
 *
 * <pre>
 * culprit-client-1 (id: 2)
 * culprit-web (id: 1)
 * culprit-lan
 * </pre>
 */
public final class NetnsList {

  private NetnsList() {}

  public static Set<String> names(LabContext lab) {
    return parse(lab.ip("netns", "list"));
  }

  public static boolean exists(LabContext lab, String name) {
    return names(lab).contains(name);
  }

  static Set<String> parse(String text) {
    Set<String> names = new LinkedHashSet<>();
    for (String line : text.split("\n")) {
      String trimmed = line.trim();
      if (!trimmed.isEmpty()) {
        names.add(trimmed.split("\\s+")[0]);
      }
    }
    return names;
  }
}
