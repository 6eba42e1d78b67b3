package dev.culprit.processor.delta;

import dev.culprit.schemas.Topic;
import java.util.List;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * A kind whose sample is one list of entities (interfaces, qdiscs, CPUs), each matched across
 * samples by an id: what tells one kind from another is only the list and how an entity is named.
 *
 * @param <S> the sample type
 * @param <E> the entity type
 */
abstract class EntityListKind<S extends SpecificRecord, E extends SpecificRecord>
    implements SampleKind<S> {

  private final Topic<S> topic;
  private final Function<S, List<E>> entities;
  private final int[] counters;
  private final Function<E, String> id;

  EntityListKind(
      Topic<S> topic, Function<S, List<E>> entities, Schema entity, Function<E, String> id) {
    this.topic = topic;
    this.entities = entities;
    this.counters = CounterFields.of(entity);
    this.id = id;
  }

  @Override
  public final Topic<S> topic() {
    return topic;
  }

  @Override
  public final void toDeltas(S previous, S current) {
    EntityDeltas.deltaInPlace(
        previous == null ? null : entities.apply(previous), entities.apply(current), id, counters);
  }

  @Override
  public final S merge(S earlier, S later) {
    EntityDeltas.mergeInPlace(entities.apply(earlier), entities.apply(later), id, counters);
    return later;
  }
}
