package dev.culprit.collector.records;

/** A record that starts with the sample header every sample schema has. */
public interface WireSample extends WireRecord {

  void setHost(String host);

  void setNetns(String netns);

  long getSampleTimeMs();

  void setSampleTimeMs(long sampleTimeMs);

  void setCollectorId(String collectorId);

  void setBootId(String bootId);

  long getSeq();

  void setSeq(long seq);

  /** A sample whose schema also says what its namespace is. */
  interface WithNetnsKind extends WireSample {

    NetnsKind getNetnsKind();

    void setNetnsKind(NetnsKind kind);
  }
}
