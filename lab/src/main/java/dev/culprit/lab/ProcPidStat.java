package dev.culprit.lab;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * {@code /proc/PID/stat}: the process state and start time, which together with the pid identify a
 * process across pid reuse.
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
    int close = text.lastIndexOf(')');
    if (close < 0) {
      throw new LabException("malformed /proc/PID/stat (no command name): " + text.strip());
    }
    String[] fields = text.substring(close + 1).trim().split("\\s+");
    // fields[0] is field 3 (state); starttime, field 22, is fields[19].
    if (fields.length < 20) {
      throw new LabException("malformed /proc/PID/stat (" + fields.length + " fields after comm)");
    }
    if (fields[0].equals("Z") || fields[0].equals("X")) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Long.parseLong(fields[19]));
  }
}
