package dev.culprit.collector.runtime;

import dev.culprit.collector.spi.Netns;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which namespaces to sample, by label, with shell-style globs ({@code *} any run of characters,
 * {@code ?} one): included if the include list is empty or one include matches, and no exclude
 * matches. The host's own namespace is always sampled: host-level sources run there and it is the
 * reference every other namespace is compared with.
 *
 * @param include globs a label must match one of (empty = all)
 * @param exclude globs a label must match none of
 */
public record NetnsFilter(List<String> include, List<String> exclude) {

  public NetnsFilter {
    include = List.copyOf(include);
    exclude = List.copyOf(exclude);
  }

  /** Everything. */
  public static NetnsFilter all() {
    return new NetnsFilter(List.of(), List.of());
  }

  /** Whether {@code netns} is sampled. */
  public boolean accepts(Netns netns) {
    if (netns.host()) {
      return true;
    }
    String label = netns.label();
    boolean included = include.isEmpty() || include.stream().anyMatch(g -> matches(g, label));
    return included && exclude.stream().noneMatch(g -> matches(g, label));
  }

  static boolean matches(String glob, String label) {
    StringBuilder regex = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.matches(regex.toString(), label);
  }
}
