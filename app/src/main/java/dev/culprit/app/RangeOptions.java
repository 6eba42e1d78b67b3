package dev.culprit.app;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import picocli.CommandLine.Option;

/**
 * The time range and hosts of a postmortem command ({@code culprit replay}, {@code culprit
 * report}): one definition, so both read the same range the same way.
 */
final class RangeOptions {

  /** A checked range: {@code start} is before {@code end}. */
  record Range(Instant start, Instant end) {}

  @Option(
      names = "--from",
      paramLabel = "TIME",
      description = "Start of the range (inclusive; required).")
  String from;

  @Option(
      names = "--to",
      paramLabel = "TIME",
      description = "End of the range (exclusive; default: now).")
  String to;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      split = ",",
      description = "Only these hosts (default: all). Fleet incidents then count only them.")
  List<String> hosts = new ArrayList<>();

  /** The range as of {@code now}, or a usage error when --from is not before --to. */
  Range range(Instant now) {
    if (from == null) {
      throw new UserException("--from is required: the start of the range", 2);
    }
    Instant start = ReplayCommand.parseTime(from, now);
    Instant end = to == null ? now : ReplayCommand.parseTime(to, now);
    if (!start.isBefore(end)) {
      throw new UserException("--from " + start + " is not before --to " + end, 2);
    }
    return new Range(start, end);
  }

  /** Whether a host is in the range's selection (every host when --host is not given). */
  Predicate<String> hostFilter() {
    return hosts.isEmpty() ? h -> true : hosts::contains;
  }
}
