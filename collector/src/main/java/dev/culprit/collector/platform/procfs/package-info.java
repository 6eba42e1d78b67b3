/**
 * Where the host's kernel interfaces are mounted and how kernel files are read. Paths are values
 * passed in, never literals, so the agent runs in a container with the host's {@code /proc} at
 * {@code /host/proc} and tests point it at fixture trees.
 */
package dev.culprit.collector.platform.procfs;
