/**
 * Step 1: every sample topic decoded with its serde inside the topology; what cannot be decoded
 * becomes a dead letter with the reason.
 */
package dev.culprit.processor.decode;
