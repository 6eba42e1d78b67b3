/**
 * Workloads in memory and CPU cgroups of their own, or in containers on a (private) Docker Engine,
 * shared by {@code culprit lab inject oom-jvm …} and the real-kernel container tests, so that both
 * make the same OOM kills and throttling the collector must see.
 */
package dev.culprit.lab.container;
