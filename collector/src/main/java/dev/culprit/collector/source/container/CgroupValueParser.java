package dev.culprit.collector.source.container;

/**
 * Parses the single-value cgroup files and their spellings of "unlimited".
 *
 * <pre>
 * v1 memory.limit_in_bytes   9223372036854771712   (PAGE_COUNTER_MAX pages: unlimited)
 * v1 cpu.cfs_quota_us        -1                    (unlimited)
 * v2 memory.max              max
 * v2 cpu.max                 max 100000  |  10000 100000
 * </pre>
 */
public final class CgroupValueParser {

  /**
   * v1 prints "no limit" as the page counter's maximum times the page size (9223372036854771712 on
   * 4 KiB pages, other values on 16/64 KiB pages). No real limit comes near 2^60 bytes (1 EiB).
   */
  static final long V1_UNLIMITED_THRESHOLD = 1L << 60;

  private CgroupValueParser() {}

  /**
   * A plain integer file (usage, failcnt, cfs_period_us, cpuacct.usage). The kernel prints these
   * unsigned 64-bit; values of 2^63 and more come back as the same bits in a signed long
   * (negative). A leading minus is read signed ({@code cpu.cfs_quota_us -1}).
   */
  public static long parseLong(String file, String text) throws CgroupFormatException {
    String value = text.trim();
    try {
      return value.startsWith("-") ? Long.parseLong(value) : Long.parseUnsignedLong(value);
    } catch (NumberFormatException e) {
      throw new CgroupFormatException(file, 1, "not an integer", value);
    }
  }

  /** A v1 byte limit; null when unlimited. */
  public static Long parseV1Limit(String file, String text) throws CgroupFormatException {
    long value = parseLong(file, text);
    return Long.compareUnsigned(value, V1_UNLIMITED_THRESHOLD) >= 0 ? null : value;
  }

  /** v1 {@code cpu.cfs_quota_us}; null when unlimited (-1). */
  public static Long parseV1Quota(String file, String text) throws CgroupFormatException {
    long value = parseLong(file, text);
    return value < 0 ? null : value;
  }

  /** A v2 limit ({@code memory.max}, {@code memory.swap.max}); null for {@code max}. */
  public static Long parseV2Max(String file, String text) throws CgroupFormatException {
    String value = text.trim();
    if (value.equals("max")) {
      return null;
    }
    return parseLong(file, value);
  }

  /**
   * v2 {@code cpu.max}: "$MAX $PERIOD".
   *
   * @return {quota or null when "max", period}
   */
  public static Long[] parseV2CpuMax(String file, String text) throws CgroupFormatException {
    String[] fields = text.trim().split("\\s+");
    if (fields.length != 2) {
      throw new CgroupFormatException(file, 1, "expected '$MAX $PERIOD'", text.trim());
    }
    Long quota = fields[0].equals("max") ? null : parseLong(file, fields[0]);
    return new Long[] {quota, parseLong(file, fields[1])};
  }
}
