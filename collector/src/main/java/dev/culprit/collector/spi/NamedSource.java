package dev.culprit.collector.spi;

/**
 * A source whose name and scope are fixed when it is built, which is every source the collector
 * ships: subclasses only say how they {@link #collect}.
 */
public abstract class NamedSource implements Source {

  private final String name;
  private final Scope scope;

  protected NamedSource(String name, Scope scope) {
    this.name = name;
    this.scope = scope;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final Scope scope() {
    return scope;
  }
}
