package dev.culprit.app;

import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code culprit} command line. Events go to stdout; logs and status go to stderr. */
@Command(
    name = "culprit",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Finds why a fleet of Linux hosts loses packets and why its containers get OOM-killed,"
          + " continuously, and says so as root-cause events on Kafka.",
      ""
    },
    subcommands = {
      UpCommand.class,
      BrokerCommand.class,
      CollectCommand.class,
      ProcessCommand.class,
      TailCommand.class,
      AlertCommand.class,
      ReplayCommand.class,
      ReportCommand.class,
      CaptureFixtureCommand.class,
      dev.culprit.lab.LabCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Start with:  culprit up      (embedded broker + collector + processor on this host)",
      "Then:        culprit tail packet-loss oom --from-beginning"
    })
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    int code = run(args);
    if (!Shutdown.requested()) {
      // During a SIGTERM shutdown exit() would block behind the hook that waits for this thread.
      System.exit(code);
    }
  }

  /** Runs the command line and returns its exit code (for tests and the launcher). */
  public static int run(String... args) {
    if (args.length > 0 && args[0].equals("collect")) {
      // The per-host agent builds only its own command: the model of every other command loads
      // their classes, whose dependencies (broker, Streams) culprit-collect.jar does not carry.
      return configure(new CommandLine(new CollectCommand()).setCommandName("culprit collect"))
          .execute(Arrays.copyOfRange(args, 1, args.length));
    }
    return configure(new CommandLine(new Main())).execute(args);
  }

  private static CommandLine configure(CommandLine commandLine) {
    return commandLine
        .registerConverter(java.time.Duration.class, new DurationConverter())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(new ErrorHandler());
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }
}
