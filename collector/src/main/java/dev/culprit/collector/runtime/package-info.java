/**
 * The collector's run loop: the schedule, each source call timed and isolated from the others, and
 * the health report of every cycle.
 */
package dev.culprit.collector.runtime;
