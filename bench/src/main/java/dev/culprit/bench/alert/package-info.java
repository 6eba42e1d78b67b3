/**
 * Alerting benchmarks: {@link dev.culprit.bench.alert.AlertLatencyBench}, a cause's transition to
 * its alert in a real Alertmanager through the real {@code culprit alert}.
 */
package dev.culprit.bench.alert;
