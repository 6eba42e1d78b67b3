package dev.culprit.lab;

import dev.culprit.collector.platform.procfs.PidStatParser;
import dev.culprit.collector.spi.ParseException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * {@code /proc/PID/stat}: the process state and start time, which together with the pid identify a
 * process across pid reuse. Parsed by the collector's {@link PidStatParser}.
 *
 * <pre>
 * 9641 (busybox) S 1 9641 9641 0 -1 4194560 95 0 0 0 0 0 0 0 20 0 1 0 70123 2330624 …
 * </pre>
 *
 * The command name in parentheses may itself contain spaces and parentheses, so fields are counted
 * from the <em>last</em> {@code ')'}: state is field 3, starttime (clock ticks since boot) field
 * 22.
 */
public final class ProcPidStat {

  private ProcPidStat() {}

  /** The start time of a live (non-zombie) {@code pid}, or empty when it is gone or a zombie. */
  public static OptionalLong liveStartTicks(Path procRoot, long pid) {
    String text;
    try {
      text = ProcFiles.read(procRoot.resolve(Long.toString(pid)).resolve("stat"));
    } catch (NoSuchFileException e) {
      return OptionalLong.empty();
    } catch (IOException e) {
      // A process exiting between the directory lookup and the read looks like this too.
      return OptionalLong.empty();
    }
    return parseLiveStartTicks(text);
  }

  /** Parses the text of a stat file; empty for a zombie (its pid is about to be free). */
  static OptionalLong parseLiveStartTicks(String text) {
    PidStatParser.PidStat stat;
    try {
      stat = PidStatParser.parse("/proc/PID/stat", text);
    } catch (ParseException e) {
      throw new LabException("malformed " + e.getMessage(), e);
    }
    return stat.gone() ? OptionalLong.empty() : OptionalLong.of(stat.startTicks());
  }
}
