package dev.culprit.lab;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A lab subcommand: runs one {@link Lab} operation and prints its lines; a {@link LabException}
 * becomes one clear message on stderr and exit code 1, without a stack trace.
 */
abstract class LabSubcommand implements Callable<Integer> {

  @Mixin LabOptions options;

  @Spec CommandSpec spec;

  abstract List<String> run(Lab lab);

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      run(new Lab(options.stateDir)).forEach(out::println);
      out.flush();
      return 0;
    } catch (LabException e) {
      out.flush();
      PrintWriter err = spec.commandLine().getErr();
      err.println("culprit lab: " + e.getMessage());
      err.flush();
      return 1;
    }
  }
}
