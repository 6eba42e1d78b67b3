/**
 * Step 6: the OOM sub-topology, joining container samples and kernel OOM records per host and
 * container; {@code rules.oom} judges.
 */
package dev.culprit.processor.oom;
