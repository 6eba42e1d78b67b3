package dev.culprit.lab;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every lab subcommand takes. */
public final class LabOptions {

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      defaultValue = "/run/culprit-lab",
      description =
          "Where the lab keeps its state file (pids, faults, saved sysctls), web pages and server"
              + " logs (default: ${DEFAULT-VALUE}).")
  Path stateDir;
}
