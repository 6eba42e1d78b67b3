package dev.culprit.processor.delta;

/**
 * A sample whose counters were turned into deltas: the record is the sample's own type, its gauges
 * as read, and every counter replaced by its increase since the baseline (null when there is none).
 *
 * @param values the delta-shaped sample
 * @param sinceMs time since the baseline sample, ms; 0 when the counters gave no deltas
 * @param basis what the counters were compared with
 * @param <S> the sample type
 */
public record SampleDelta<S>(S values, long sinceMs, DeltaBasis basis) {}
