package dev.culprit.collector.source.route;

import dev.culprit.collector.spi.ParseException;
import java.util.Arrays;
import java.util.List;

/**
 * Parses {@code /proc/net/stat/arp_cache} and {@code ndisc_cache}: a header row of column names,
 * then one row per possible CPU of hexadecimal values ({@code neigh_stat_seq_show} in the kernel's
 * {@code net/core/neighbour.c}), summed here over the CPUs.
 *
 * <pre>
 * entries  allocs   destroys hash_grows lookups  hits     res_failed ... unresolved_discards table_fulls
 * 00000006 000004c0 000003fe 00000000   000012a3 0000032a 00000000   ... 00000000            00000000
 * </pre>
 *
 * <p>Columns are found by their header name, so the kernel's additions (table_fulls, 4.3+) and any
 * future ones do not move them. {@code entries} is the table's size, the same in every row, not a
 * per-CPU count. The file exists in the initial network namespace only: the kernel keeps one ARP
 * and one NDISC table for all namespaces, so its counters are the host's.
 */
public final class NeighStatParser {

  /**
   * The two counters culprit reads.
   *
   * @param resFailed resolutions that failed: the entry went FAILED and its queued packets were
   *     dropped (NEIGH_FAILED)
   * @param unresolvedDiscards packets dropped because an unresolved entry's queue was full
   *     (NEIGH_QUEUEFULL)
   */
  public record Totals(long resFailed, long unresolvedDiscards) {}

  private static final List<String> NEEDED = List.of("res_failed", "unresolved_discards");

  private NeighStatParser() {}

  /**
   * @param source the file's path, for errors
   * @throws ParseException a header without the needed columns, a short row, or a non-hex value
   */
  public static Totals parse(String source, String text) throws ParseException {
    String[] lines = text.strip().split("\n");
    List<String> header = Arrays.asList(lines[0].trim().split("\\s+"));
    int resFailed = header.indexOf(NEEDED.get(0));
    int discards = header.indexOf(NEEDED.get(1));
    if (resFailed < 0 || discards < 0) {
      throw new ParseException(source, 1, "header without " + String.join(" and ", NEEDED));
    }
    if (lines.length < 2) {
      throw new ParseException(source, 2, "no per-CPU rows");
    }
    long failed = 0;
    long discarded = 0;
    for (int i = 1; i < lines.length; i++) {
      String[] fields = lines[i].trim().split("\\s+");
      if (fields.length != header.size()) {
        throw new ParseException(
            source, i + 1, fields.length + " columns, " + header.size() + " in the header");
      }
      failed += hex(source, i, fields[resFailed]);
      discarded += hex(source, i, fields[discards]);
    }
    return new Totals(failed, discarded);
  }

  private static long hex(String source, int index, String field) throws ParseException {
    try {
      return Long.parseUnsignedLong(field, 16);
    } catch (NumberFormatException e) {
      throw new ParseException(source, index + 1, "not a hex value: '" + field + "'", e);
    }
  }
}
