/** Step 7: fleet correlation, counting cause signatures across hosts per window. */
package dev.culprit.processor.fleet;
