/**
 * Collector benchmarks: each a program, run by {@code bench/run NAME}, reporting against a baseline
 * measured in the same run.
 */
package dev.culprit.bench.collector;
