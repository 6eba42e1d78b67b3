package dev.culprit.collector.testing;

import dev.culprit.collector.platform.exec.CommandRunner;
import dev.culprit.collector.spi.NoDataException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every command it runs, then runs it: how tests see what a source forked. */
public final class CountingCommandRunner implements CommandRunner {

  /** The argv of every command run so far, in order; tests clear it between cycles. */
  public final List<List<String>> calls = new CopyOnWriteArrayList<>();

  private final CommandRunner delegate;

  public CountingCommandRunner(CommandRunner delegate) {
    this.delegate = delegate;
  }

  @Override
  public Result run(List<String> argv, Duration timeout) throws NoDataException, CommandException {
    calls.add(new ArrayList<>(argv));
    return delegate.run(argv, timeout);
  }

  @Override
  public boolean installed(String program) {
    return delegate.installed(program);
  }
}
