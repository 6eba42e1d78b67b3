package dev.culprit.processor.delta;

import dev.culprit.schemas.SoftnetCpu;
import dev.culprit.schemas.SoftnetSample;
import dev.culprit.schemas.Topics;

/**
 * The host's per-CPU softnet statistics, matched by CPU number. The kernel prints them as 32-bit
 * values: a wrap (or a CPU taken offline and back, which keeps its counters) shows as a decrease,
 * and that CPU then gives no delta for the window, never a negative one.
 */
final class SoftnetKind extends EntityListKind<SoftnetSample, SoftnetCpu> {

  SoftnetKind() {
    super(
        Topics.SOFTNET,
        SoftnetSample::getCpus,
        SoftnetCpu.getClassSchema(),
        c -> Integer.toString(c.getCpu()));
  }
}
