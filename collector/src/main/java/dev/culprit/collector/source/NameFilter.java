package dev.culprit.collector.source;

import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Include/exclude filter on names (namespace labels, device names). A pattern is a glob ({@code
 * veth*}, {@code eth?}) unless written {@code re:REGEX}. A name passes when it matches any include
 * (or there are none) and no exclude: excludes win.
 */
public final class NameFilter implements Predicate<String> {

  private static final NameFilter ALL = new NameFilter(List.of(), List.of());

  private final List<Pattern> includes;
  private final List<Pattern> excludes;

  private NameFilter(List<Pattern> includes, List<Pattern> excludes) {
    this.includes = includes;
    this.excludes = excludes;
  }

  /** Lets every name through. */
  public static NameFilter all() {
    return ALL;
  }

  /** A filter from include and exclude patterns (globs, or {@code re:} regexes). */
  public static NameFilter of(List<String> includes, List<String> excludes) {
    return new NameFilter(
        includes.stream().map(NameFilter::compile).toList(),
        excludes.stream().map(NameFilter::compile).toList());
  }

  @Override
  public boolean test(String name) {
    for (Pattern exclude : excludes) {
      if (exclude.matcher(name).matches()) {
        return false;
      }
    }
    if (includes.isEmpty()) {
      return true;
    }
    for (Pattern include : includes) {
      if (include.matcher(name).matches()) {
        return true;
      }
    }
    return false;
  }

  static Pattern compile(String pattern) {
    if (pattern.startsWith("re:")) {
      return Pattern.compile(pattern.substring(3));
    }
    StringBuilder regex = new StringBuilder(pattern.length() + 8);
    for (char c : pattern.toCharArray()) {
      switch (c) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString());
  }

  @Override
  public String toString() {
    return "include " + includes + " exclude " + excludes;
  }
}
