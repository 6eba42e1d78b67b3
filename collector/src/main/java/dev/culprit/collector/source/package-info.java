/**
 * The kernel sources, one package each, and how the network sources are assembled for every
 * namespace. A source reads, a pure parser parses; raw cumulative counters are published as the
 * kernel reports them.
 */
package dev.culprit.collector.source;
