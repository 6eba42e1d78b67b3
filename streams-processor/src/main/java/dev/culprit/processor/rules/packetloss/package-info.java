/**
 * One class per packet-loss cause, built from what the kernel's counters mean, registered in {@link
 * dev.culprit.processor.rules.packetloss.Rules}, with its thresholds.
 */
package dev.culprit.processor.rules.packetloss;
