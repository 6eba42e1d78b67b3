/** The connection-tracking table: count, max and {@code /proc/net/stat/nf_conntrack} totals. */
package dev.culprit.collector.source.conntrack;
