package dev.culprit.processor.delta;

import dev.culprit.processor.decode.SampleStreams;
import dev.culprit.schemas.Topic;
import org.apache.avro.specific.SpecificRecord;

/**
 * The counter semantics of one sample topic: how its counters become deltas and how two
 * delta-shaped samples of one window merge. Both work in place on freshly decoded records.
 *
 * @param <S> the sample type
 */
public interface SampleKind<S extends SpecificRecord> {

  /** The topic (and so the serde) of this kind's samples. */
  Topic<S> topic();

  /** Short name, for store keys and node names: the topic's last segment. */
  default String name() {
    return SampleStreams.shortName(topic());
  }

  /** Drops what the processor never reads, before the sample becomes a baseline. */
  default S trim(S sample) {
    return sample;
  }

  /**
   * Turns {@code current}'s counters into their increase since {@code previous} (null: no baseline,
   * every counter becomes null); gauges stay as read.
   */
  void toDeltas(S previous, S current);

  /**
   * Merges the delta-shaped {@code earlier} sample of a window into {@code later}: counters summed,
   * gauges from the later, entities of either kept.
   *
   * @return the merged sample ({@code later}, changed)
   */
  S merge(S earlier, S later);
}
