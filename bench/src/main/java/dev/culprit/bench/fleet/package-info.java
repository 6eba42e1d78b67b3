/**
 * The processor benchmark: a generated fleet through the full topology and a pass-through topology
 * in the same run.
 */
package dev.culprit.bench.fleet;
