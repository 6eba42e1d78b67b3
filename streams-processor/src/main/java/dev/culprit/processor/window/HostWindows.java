package dev.culprit.processor.window;

import dev.culprit.processor.decode.SampleHeader;
import dev.culprit.processor.delta.SampleDelta;
import dev.culprit.processor.delta.SampleKind;
import dev.culprit.processor.delta.SampleKinds;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * The cogroup aggregator: folds one delta-shaped sample into the aggregate of its host's window.
 * Namespaces are kept sorted by label and sources in {@link SampleKinds#network()} order, so the
 * aggregate (and everything judged from it) does not depend on arrival order.
 */
public final class HostWindows {

  private HostWindows() {}

  /** The aggregate of a window nothing was added to yet. */
  public static HostWindowState empty() {
    return new HostWindowState("", new ArrayList<>());
  }

  /** Adds one delta-shaped sample; changes and returns {@code aggregate}. */
  public static <S extends SpecificRecord> HostWindowState add(
      HostWindowState aggregate, String host, SampleKind<S> kind, SampleDelta<S> delta) {
    aggregate.setHost(host);
    SampleHeader header = SampleHeader.of(delta.values());
    NetnsWindowState netns = netns(aggregate.getNamespaces(), header.netns());
    List<SourceWindowState> sources = netns.getSources();
    String topic = kind.topic().name();
    int at = 0;
    while (at < sources.size() && order(sources.get(at).getTopic()) < order(topic)) {
      at++;
    }
    if (at == sources.size() || !sources.get(at).getTopic().equals(topic)) {
      sources.add(
          at,
          new SourceWindowState(
              topic,
              1,
              delta.sinceMs(),
              header.sampleTimeMs(),
              header.sampleTimeMs(),
              encode(kind, delta.values())));
      return aggregate;
    }
    SourceWindowState source = sources.get(at);
    S held = decode(kind, source.getRecord());
    boolean newer = header.sampleTimeMs() >= source.getLastSampleMs();
    S merged = newer ? kind.merge(held, delta.values()) : kind.merge(delta.values(), held);
    source.setRecord(encode(kind, merged));
    source.setSamples(source.getSamples() + 1);
    source.setDeltaMs(source.getDeltaMs() + delta.sinceMs());
    source.setFirstSampleMs(Math.min(source.getFirstSampleMs(), header.sampleTimeMs()));
    source.setLastSampleMs(Math.max(source.getLastSampleMs(), header.sampleTimeMs()));
    return aggregate;
  }

  private static NetnsWindowState netns(List<NetnsWindowState> namespaces, String label) {
    int at = 0;
    while (at < namespaces.size() && namespaces.get(at).getNetns().compareTo(label) < 0) {
      at++;
    }
    if (at == namespaces.size() || !namespaces.get(at).getNetns().equals(label)) {
      namespaces.add(at, new NetnsWindowState(label, new ArrayList<>()));
    }
    return namespaces.get(at);
  }

  private static int order(String topic) {
    List<SampleKind<?>> kinds = SampleKinds.network();
    for (int i = 0; i < kinds.size(); i++) {
      if (kinds.get(i).topic().name().equals(topic)) {
        return i;
      }
    }
    return kinds.size();
  }

  static <S extends SpecificRecord> ByteBuffer encode(SampleKind<S> kind, S sample) {
    return ByteBuffer.wrap(kind.topic().valueSerde().encode(sample));
  }

  static <S extends SpecificRecord> S decode(SampleKind<S> kind, ByteBuffer bytes) {
    ByteBuffer copy = bytes.duplicate();
    byte[] array = new byte[copy.remaining()];
    copy.get(array);
    return kind.topic().valueSerde().decode(array);
  }
}
