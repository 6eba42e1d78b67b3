package dev.culprit.collector.platform.docker;

import java.util.Objects;

/**
 * The engine's view of one container ({@code GET /containers/{id}/json}). Null means the engine did
 * not say.
 *
 * @param id the 64-hex id
 * @param name the name without the leading slash
 * @param image the image as the user named it ({@code Config.Image})
 * @param status created, running, paused, restarting, removing, exited or dead
 * @param oomKilled {@code State.OOMKilled}: some process of the container was OOM-killed in its
 *     last run (true with exit code 0 means a child was killed, not the main process; podman 4
 *     always says false)
 * @param exitCode {@code State.ExitCode} of the last run
 * @param pid the main process's host pid while running, else null
 * @param restartCount {@code RestartCount}
 * @param startedAtMs {@code State.StartedAt}, epoch ms
 * @param finishedAtMs {@code State.FinishedAt}, epoch ms (null while it never finished)
 * @param memoryLimitBytes {@code HostConfig.Memory} (0 = none)
 * @param nanoCpus {@code HostConfig.NanoCpus} ({@code --cpus} x 1e9; 0 = none)
 * @param cpuQuotaUs {@code HostConfig.CpuQuota} ({@code --cpu-quota}; 0 = none)
 * @param cpuPeriodUs {@code HostConfig.CpuPeriod} (0 = default)
 */
public record DockerContainer(
    String id,
    String name,
    String image,
    String status,
    Boolean oomKilled,
    Integer exitCode,
    Integer pid,
    Integer restartCount,
    Long startedAtMs,
    Long finishedAtMs,
    Long memoryLimitBytes,
    Long nanoCpus,
    Long cpuQuotaUs,
    Long cpuPeriodUs) {

  public DockerContainer {
    Objects.requireNonNull(id, "id");
  }

  public boolean isRunning() {
    return "running".equals(status) || "paused".equals(status) || "restarting".equals(status);
  }
}
