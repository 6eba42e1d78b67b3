package dev.culprit.collector.runtime;

/**
 * What one call reads: a source in a namespace.
 *
 * @param source the source name
 * @param netns the namespace label ("" = the host's own)
 */
record CallKey(String source, String netns) {

  /** For log lines: the host's own namespace has an empty label. */
  String describe() {
    if (source.equals(Collector.DISCOVERY)) {
      return "namespace discovery";
    }
    return source + (netns.isEmpty() ? " (host netns)" : " in netns " + netns);
  }
}
