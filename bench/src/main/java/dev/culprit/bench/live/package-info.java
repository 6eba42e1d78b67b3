/** The live page's API under a 10,000-host state: {@link dev.culprit.bench.live.LiveApiBench}. */
package dev.culprit.bench.live;
