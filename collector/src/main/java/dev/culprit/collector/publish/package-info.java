/**
 * Where samples go: the Kafka publisher (a spool drained by a sender over one of two transports:
 * the built-in client or the Java client) or JSON lines.
 */
package dev.culprit.collector.publish;
