/**
 * The agent's on-disk spool: samples wait here, in order and within a byte bound, while the broker
 * is unreachable, and survive a restart.
 */
package dev.culprit.collector.publish.spool;
