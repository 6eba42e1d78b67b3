package dev.culprit.lab.container;

/**
 * A workload the lab started.
 *
 * @param spec what it runs (null for an idle benchmark container)
 * @param name its container name or cgroup leaf ({@code culprit-...})
 * @param containerId the engine's container id, or null for a plain cgroup
 * @param cgroupPath its cgroup path relative to the hierarchy root, when known
 * @param memoryLimitBytes its memory limit, or null
 */
public record LabWorkload(
    WorkloadSpec spec, String name, String containerId, String cgroupPath, Long memoryLimitBytes) {}
