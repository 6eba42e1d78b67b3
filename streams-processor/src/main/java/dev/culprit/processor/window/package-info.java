/**
 * Step 3: the per-host tumbling window that holds every namespace's merged deltas, kept in its
 * stored form.
 */
package dev.culprit.processor.window;
