/** Queueing disciplines with their options and drop counters, from rtnetlink or {@code tc}. */
package dev.culprit.collector.source.qdisc;
