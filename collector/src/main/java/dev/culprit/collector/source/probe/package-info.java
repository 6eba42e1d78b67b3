/**
 * TCP connect probes to other hosts, sent from any namespace: the clients' view of loss and
 * latency, like {@code hping3 -S}.
 */
package dev.culprit.collector.source.probe;
