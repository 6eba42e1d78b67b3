package dev.culprit.app;

import picocli.CommandLine;

/**
 * Turns an exception escaping a command into one clear line on stderr and exit code 1; the stack
 * trace only with {@code CULPRIT_DEBUG=1}.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {

  @Override
  public int handleExecutionException(
      Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    String name = commandLine.getCommandName();
    // `culprit collect` runs as its own top-level command (Main.run), already named in full.
    String prefix = name.startsWith("culprit") ? name : "culprit " + name;
    commandLine.getErr().println(prefix + ": " + message);
    if ("1".equals(System.getenv("CULPRIT_DEBUG"))) {
      e.printStackTrace(commandLine.getErr());
    } else if (!(e instanceof UserException)) {
      commandLine.getErr().println("(set CULPRIT_DEBUG=1 for the stack trace)");
    }
    return e instanceof UserException ue ? ue.exitCode() : 1;
  }
}
