package dev.culprit.app;

import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Resolves a topic argument: the full name, or its last part ({@code interface}, {@code oom}). */
final class TopicNames {

  private TopicNames() {}

  static Topic<?> resolve(String arg) {
    Optional<Topic<?>> exact = Topics.byName(arg);
    if (exact.isPresent()) {
      return exact.get();
    }
    List<Topic<?>> matches = new ArrayList<>();
    for (Topic<?> t : Topics.all()) {
      String name = t.name();
      if (name.substring(name.lastIndexOf('.') + 1).equals(arg) || name.endsWith("." + arg)) {
        matches.add(t);
      }
    }
    if (matches.size() == 1) {
      return matches.get(0);
    }
    throw new UserException(
        "unknown topic '"
            + arg
            + "'; culprit topics are: "
            + String.join(", ", Topics.all().stream().map(Topic::name).toList()),
        2);
  }
}
