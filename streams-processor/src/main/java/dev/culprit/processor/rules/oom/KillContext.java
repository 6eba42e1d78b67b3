package dev.culprit.processor.rules.oom;

import dev.culprit.schemas.KernelOomSample;
import java.util.List;
import java.util.Objects;

/**
 * Everything known about one kill when it is judged: the kernel's record, the container's samples
 * around it (oldest first, including the engine's oom/die captures) and the settings.
 *
 * @param host the host
 * @param containerKey the container id, or a plain cgroup's path, or "" when the kill is in no
 *     known cgroup
 * @param kernel the kernel's OOM-kill record, or null when only the engine reported the kill
 * @param killTimeMs when the kill happened (the kernel's time, else the engine's exit time)
 * @param observations the container's samples from {@link OomThresholds#history()} before the kill
 *     to the judgement, oldest first
 */
public record KillContext(
    String host,
    String containerKey,
    KernelOomSample kernel,
    long killTimeMs,
    List<Observation> observations) {

  public KillContext {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(containerKey, "containerKey");
    observations = List.copyOf(observations);
  }
}
