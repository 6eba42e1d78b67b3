/**
 * A produce-only, idempotent Kafka client (the handful of protocol messages the agent needs), a
 * fraction of the Java client's memory; the Java client remains for what this one does not speak.
 */
package dev.culprit.collector.publish.wire;
