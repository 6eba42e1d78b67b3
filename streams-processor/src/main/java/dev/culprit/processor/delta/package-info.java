/**
 * Step 2: cumulative counters to per-sample deltas, per host, namespace, source and entity, reset-
 * aware.
 */
package dev.culprit.processor.delta;
