package dev.culprit.collector.source.container.jvm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * HotSpot's performance-data file ({@code /tmp/hsperfdata_<user>/<pid>}), the memory-mapped
 * counters {@code jstat} reads, parsed without attaching to the JVM.
 *
 * <p>Layout (hotspot/share/runtime/perfMemory.hpp, format version 2 since JDK 5):
 *
 * <pre>
 * prologue (32 bytes): magic 0xcafec0c0 (always big-endian) | byte_order (0 big, 1 little)
 *                      | major 2 | minor | accessible | used | overflow | mod_time_stamp (8)
 *                      | entry_offset | num_entries
 * entry:  entry_length | name_offset | vector_length (0 = scalar) | data_type ('J' long,
 *         'B' byte vector = string) | flags | data_units | data_variability | data_offset
 *         then the NUL-terminated name and the data
 * </pre>
 *
 * Names used here: {@code sun.gc.policy.name}, {@code sun.gc.generation.N.name} / {@code
 * .maxCapacity}, {@code java.property.java.version}, {@code java.property.java.vm.version}, {@code
 * java.rt.vmArgs}, {@code java.rt.vmFlags}, {@code sun.rt.createVmBeginTime}.
 */
public final class Hsperfdata {

  static final int MAGIC = 0xcafec0c0;
  private static final int PROLOGUE_BYTES = 32;
  private static final int ENTRY_HEADER_BYTES = 20;

  /** MaxHeapSize is at least page-aligned; G1 reports its capacity with an 8-byte pad. */
  private static final long HEAP_ALIGNMENT = 4096;

  private final Map<String, Object> entries;

  private Hsperfdata(Map<String, Object> entries) {
    this.entries = Collections.unmodifiableMap(entries);
  }

  /**
   * Parses a whole file.
   *
   * @throws HsperfdataFormatException when the magic, version or an entry's bounds are wrong, or
   *     the JVM has not finished creating the file ({@code accessible} 0)
   */
  public static Hsperfdata parse(byte[] bytes) throws HsperfdataFormatException {
    if (bytes.length < PROLOGUE_BYTES) {
      throw new HsperfdataFormatException("file of " + bytes.length + " bytes has no prologue");
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
    if (buf.getInt(0) != MAGIC) {
      throw new HsperfdataFormatException(
          String.format("bad magic 0x%08x, expected 0xcafec0c0", buf.getInt(0)));
    }
    byte order = buf.get(4);
    byte major = buf.get(5);
    byte accessible = buf.get(7);
    if (major != 2) {
      throw new HsperfdataFormatException("unsupported format version " + major);
    }
    if (accessible == 0) {
      throw new HsperfdataFormatException("the JVM has not finished initialising the file");
    }
    buf.order(order == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    int used = Math.min(buf.getInt(8), bytes.length);
    int offset = buf.getInt(24);
    int count = buf.getInt(28);
    Map<String, Object> entries = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      if (offset < PROLOGUE_BYTES || offset + ENTRY_HEADER_BYTES > used) {
        throw new HsperfdataFormatException("entry " + i + " at " + offset + " is out of bounds");
      }
      int length = buf.getInt(offset);
      int nameOffset = buf.getInt(offset + 4);
      int vectorLength = buf.getInt(offset + 8);
      byte type = buf.get(offset + 12);
      int dataOffset = buf.getInt(offset + 16);
      if (length < ENTRY_HEADER_BYTES
          || offset + length > used
          || nameOffset < ENTRY_HEADER_BYTES
          || nameOffset >= length
          || dataOffset >= length
          || dataOffset < nameOffset) {
        throw new HsperfdataFormatException("entry " + i + " at " + offset + " has bad lengths");
      }
      String name = cString(bytes, offset + nameOffset, offset + dataOffset);
      if (vectorLength == 0 && type == 'J' && dataOffset + 8 <= length) {
        entries.put(name, buf.getLong(offset + dataOffset));
      } else if (vectorLength > 0 && type == 'B') {
        int end = Math.min(offset + dataOffset + vectorLength, offset + length);
        entries.put(name, cString(bytes, offset + dataOffset, end));
      }
      offset += length;
    }
    return new Hsperfdata(entries);
  }

  /** Every long and string entry by name. */
  public Map<String, Object> entries() {
    return entries;
  }

  /** A long counter. */
  public OptionalLong getLong(String name) {
    return entries.get(name) instanceof Long l ? OptionalLong.of(l) : OptionalLong.empty();
  }

  /** A string entry. */
  public Optional<String> getString(String name) {
    return entries.get(name) instanceof String s ? Optional.of(s) : Optional.empty();
  }

  /**
   * The heap ceiling (MaxHeapSize) the JVM computed, from its generations' maximum capacities.
   *
   * <p>The generational collectors whose policy is named "young:old" (Serial "Copy:MSC", Parallel
   * "ParScav:MSC", CMS "ParNew:CMS") split the heap into disjoint generations: the ceiling is the
   * sum (JDK 7's "perm" generation is not heap and is left out). G1, Shenandoah and ZGC report
   * every generation as able to grow to the whole heap: the ceiling is the largest. Checked against
   * {@code -XX:+PrintFlagsFinal} on JDK 17 for Serial, Parallel and G1.
   */
  public OptionalLong maxHeapBytes() {
    long sum = 0;
    long max = 0;
    boolean any = false;
    for (int gen = 0; gen < 4; gen++) {
      OptionalLong capacity = getLong("sun.gc.generation." + gen + ".maxCapacity");
      if (capacity.isEmpty()) {
        continue;
      }
      if ("perm".equals(getString("sun.gc.generation." + gen + ".name").orElse(""))) {
        continue;
      }
      any = true;
      sum += capacity.getAsLong();
      max = Math.max(max, capacity.getAsLong());
    }
    if (!any) {
      return OptionalLong.empty();
    }
    Optional<String> policy = getString("sun.gc.policy.name");
    boolean disjoint = policy.map(p -> p.contains(":")).orElse(max < sum * 0.9);
    long heap = disjoint ? sum : max;
    return OptionalLong.of(heap - heap % HEAP_ALIGNMENT);
  }

  /** {@code java.version} ("17.0.15", "1.8.0_362"), else the VM's version. */
  public Optional<String> javaVersion() {
    return getString("java.property.java.version")
        .or(() -> getString("java.property.java.vm.version"));
  }

  /** The JVM's options: {@code java.rt.vmArgs} followed by {@code java.rt.vmFlags}. */
  public String vmArgs() {
    String args = getString("java.rt.vmArgs").orElse("");
    String flags = getString("java.rt.vmFlags").orElse("");
    return (args + " " + flags).trim();
  }

  private static String cString(byte[] bytes, int from, int to) {
    int end = from;
    while (end < to && bytes[end] != 0) {
      end++;
    }
    return new String(bytes, from, end - from, StandardCharsets.UTF_8);
  }

  /** A file that is not (yet) a readable performance-data file. */
  public static final class HsperfdataFormatException extends Exception {
    public HsperfdataFormatException(String message) {
      super(message);
    }
  }
}
