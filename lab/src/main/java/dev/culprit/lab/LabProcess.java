package dev.culprit.lab;

import java.util.List;
import java.util.Objects;

/**
 * One process the lab started and must end again.
 *
 * @param role what it is for ({@code web-httpd}, {@code client-1-web}, …), unique in a lab
 * @param netns the namespace it runs in
 * @param pid its process id
 * @param startTicks field 22 of {@code /proc/PID/stat} when it was started: together with the pid
 *     it identifies the process, so a pid the kernel has since reused for something else is never
 *     signalled
 * @param fault the fault that started it ({@link FaultKind#cliName()}), null for the base fleet
 * @param command what it runs, for {@code status}
 */
public record LabProcess(
    String role, String netns, long pid, long startTicks, String fault, List<String> command) {

  public LabProcess {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(netns, "netns");
    command = List.copyOf(command);
  }
}
