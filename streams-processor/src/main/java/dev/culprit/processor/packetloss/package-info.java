/**
 * Step 4: the packet-loss sub-topology, running every rule of {@code rules.packetloss} over each
 * closed host window.
 */
package dev.culprit.processor.packetloss;
