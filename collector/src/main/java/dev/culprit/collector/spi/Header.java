package dev.culprit.collector.spi;

import dev.culprit.collector.records.NetnsKind;
import dev.culprit.collector.records.WireSample;

/**
 * The fields every sample record starts with, fixed for one namespace in one cycle. The publisher
 * fills in {@code seq}.
 *
 * @param host host id (default: the hostname)
 * @param netns namespace label: "" for the host's own
 * @param sampleTimeMs event time of the cycle, epoch ms
 * @param collectorId this collector instance's id (new per start)
 * @param bootId the kernel boot id, or null when unreadable
 * @param netnsKind what the namespace is, for the samples that carry it; null when unknown
 */
public record Header(
    String host,
    String netns,
    long sampleTimeMs,
    String collectorId,
    String bootId,
    NetnsKind netnsKind) {

  /** A header whose namespace kind is known only for the host's own (""). */
  public Header(String host, String netns, long sampleTimeMs, String collectorId, String bootId) {
    this(host, netns, sampleTimeMs, collectorId, bootId, netns.isEmpty() ? NetnsKind.HOST : null);
  }

  /**
   * Sets the header fields every sample schema starts with ({@code host}, {@code netns}, {@code
   * sampleTimeMs}, {@code collectorId}, {@code bootId}, {@code netnsKind} where the schema has it,
   * and {@code seq} = 0 for the publisher to number) on a fresh record, so each source sets only
   * its own fields.
   */
  public <R extends WireSample> R stamp(R record) {
    record.setHost(host);
    record.setNetns(netns);
    record.setSampleTimeMs(sampleTimeMs);
    record.setCollectorId(collectorId);
    record.setBootId(bootId);
    record.setSeq(0L);
    if (record instanceof WireSample.WithNetnsKind withKind) {
      withKind.setNetnsKind(netnsKind);
    }
    return record;
  }

  /** The same header for another namespace, whose kind is known only when it is the host's. */
  public Header forNetns(String otherNetns) {
    return new Header(host, otherNetns, sampleTimeMs, collectorId, bootId);
  }

  /** The same header for another namespace, with its label and kind. */
  public Header forNetns(Netns ns) {
    return new Header(host, ns.label(), sampleTimeMs, collectorId, bootId, ns.kind());
  }
}
