package dev.culprit.processor.delta;

import dev.culprit.schemas.InterfaceSample;
import dev.culprit.schemas.InterfaceStats;
import dev.culprit.schemas.Topics;

/**
 * Interfaces, matched by name and ifindex: a device deleted and re-created under the same name gets
 * a new ifindex, so its restarted counters are never compared with the old device's.
 */
final class InterfaceKind extends EntityListKind<InterfaceSample, InterfaceStats> {

  InterfaceKind() {
    super(
        Topics.INTERFACE,
        InterfaceSample::getInterfaces,
        InterfaceStats.getClassSchema(),
        i -> i.getIfindex() == null ? i.getName() : i.getName() + "@" + i.getIfindex());
  }
}
