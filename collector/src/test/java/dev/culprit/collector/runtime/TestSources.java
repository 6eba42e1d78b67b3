package dev.culprit.collector.runtime;

import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.NamedSource;
import dev.culprit.collector.spi.NamespaceFinder;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.NoDataException;
import dev.culprit.collector.spi.Sample;
import dev.culprit.collector.spi.Source;
import dev.culprit.collector.testing.TestSamples;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** Sources that behave well or badly on purpose, for the run-loop tests. */
final class TestSources {

  private TestSources() {}

  static final Netns HOST = new Netns("", 4026531840L, Path.of("/proc/1/ns/net"), 1, true);

  static Netns netns(String label, long inode) {
    return new Netns(label, inode, Path.of("/var/run/netns/" + label), null, false);
  }

  static NamespaceFinder finder(Netns... namespaces) {
    return () -> List.of(namespaces);
  }

  /** Publishes one probe record per call; counts calls. */
  static final class Counting extends NamedSource {
    final AtomicInteger calls = new AtomicInteger();

    Counting(String name, Scope scope) {
      super(name, scope);
    }

    @Override
    public List<Sample> collect(Netns netns, Header header) {
      return List.of(TestSamples.probe(header, calls.incrementAndGet()));
    }
  }

  /** Always fails like a source with a bug or an unreadable file. */
  static Source throwing(String name) {
    return new NamedSource(name, Source.Scope.PER_NETNS) {
      @Override
      public List<Sample> collect(Netns netns, Header header) throws IOException {
        throw new IOException("cannot read /proc/net/nothing: boom");
      }
    };
  }

  /** Like conntrack when the module is not loaded. */
  static Source noData(String name, String reason) {
    return new NamedSource(name, Source.Scope.PER_NETNS) {
      @Override
      public List<Sample> collect(Netns netns, Header header) throws NoDataException {
        throw new NoDataException(reason);
      }
    };
  }

  /**
   * Blocks until released, ignoring interrupts like a read stuck on a dead NFS mount, in the
   * namespaces whose label starts with {@code hangIn} (all when empty).
   */
  static final class Hanging extends NamedSource {
    final String hangIn;
    final AtomicInteger calls = new AtomicInteger();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    Hanging(String name, String hangIn) {
      super(name, Scope.PER_NETNS);
      this.hangIn = hangIn;
    }

    @Override
    public List<Sample> collect(Netns netns, Header header) {
      calls.incrementAndGet();
      if (netns.label().startsWith(hangIn)) {
        entered.countDown();
        boolean released = false;
        while (!released) {
          try {
            release.await();
            released = true;
          } catch (InterruptedException ignored) {
            // Stuck in the kernel: an interrupt does not help.
          }
        }
      }
      return List.of(TestSamples.probe(header, 0));
    }
  }
}
