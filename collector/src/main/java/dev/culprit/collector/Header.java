package dev.culprit.collector;

/**
 * The fields every sample record starts with, fixed for one namespace in one cycle. The publisher
 * fills in {@code seq}.
 *
 * @param host host id (default: the hostname)
 * @param netns namespace label: "" for the host's own
 * @param sampleTimeMs event time of the cycle, epoch ms
 * @param collectorId this collector instance's id (new per start)
 * @param bootId the kernel boot id, or null when unreadable
 */
public record Header(
    String host, String netns, long sampleTimeMs, String collectorId, String bootId) {

  /** The same header for another namespace. */
  public Header forNetns(String otherNetns) {
    return new Header(host, otherNetns, sampleTimeMs, collectorId, bootId);
  }
}
