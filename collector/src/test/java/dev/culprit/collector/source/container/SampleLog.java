package dev.culprit.collector.source.container;

import dev.culprit.collector.records.ContainerSample;
import dev.culprit.collector.records.ContainerStats;
import dev.culprit.collector.records.KernelOomSample;
import dev.culprit.collector.spi.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/** Everything the sources produced during a real-kernel test, with queries for assertions. */
final class SampleLog {

  final List<ContainerSample> containerSamples = new ArrayList<>();
  final List<KernelOomSample> kills = new ArrayList<>();

  void add(List<Sample> samples) {
    for (Sample s : samples) {
      if (s.value() instanceof ContainerSample c) {
        containerSamples.add(c);
      } else if (s.value() instanceof KernelOomSample k) {
        kills.add(k);
      }
    }
  }

  /** Every stats entry of a container (by id or cgroup path), periodic and triggered. */
  Stream<ContainerStats> stats(String id) {
    return containerSamples.stream()
        .flatMap(c -> c.getContainers().stream())
        .filter(s -> s.getId().equals(id));
  }

  /** Stats of a container captured on an engine event ({@code oom}, {@code die}). */
  Stream<ContainerStats> triggered(String id, String trigger) {
    return containerSamples.stream()
        .filter(c -> trigger.equals(c.getTrigger()))
        .flatMap(c -> c.getContainers().stream())
        .filter(s -> s.getId().equals(id));
  }

  /** Kernel kills in a container (by id) or a plain cgroup (by memcg path). */
  Stream<KernelOomSample> killsIn(String containerIdOrMemcg) {
    return kills.stream()
        .filter(
            k ->
                Objects.equals(k.getContainerId(), containerIdOrMemcg)
                    || Objects.equals(k.getMemcg(), containerIdOrMemcg));
  }
}
