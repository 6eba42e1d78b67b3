/**
 * The live view behind {@code culprit process --http-address}: a compact, bounded per-host summary
 * (its namespaces and containers, the latest window's causes, an hour of key counters by minute,
 * the collector's health) and the latest fleet incidents, kept in stores that interactive queries
 * read. Wired last by {@link dev.culprit.processor.view.ViewTopology}.
 */
package dev.culprit.processor.view;
