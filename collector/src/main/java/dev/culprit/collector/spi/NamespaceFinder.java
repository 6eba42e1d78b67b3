package dev.culprit.collector.spi;

import java.io.IOException;
import java.util.List;

/** Finds the network namespaces to sample this cycle; the host's own always comes first. */
public interface NamespaceFinder {

  /** The namespaces alive now, de-duplicated by inode, host first. */
  List<Netns> find() throws IOException;
}
