package dev.culprit.collector.platform.exec;

import java.time.Duration;
import java.util.List;

/** Runs one command through a default runner, as the agent would, and prints what it printed. */
public final class RunOneToolMain {

  private RunOneToolMain() {}

  public static void main(String[] args) throws Exception {
    CommandRunner.Result result =
        new ProcessCommandRunner().run(List.of(args), Duration.ofSeconds(20));
    System.out.print(result.stdout());
    System.out.print(result.stderr());
  }
}
