/**
 * Containers and limited cgroups (v1 and v2), enriched by the Docker Engine where it runs, with the
 * JVMs inside.
 */
package dev.culprit.collector.source.container;
