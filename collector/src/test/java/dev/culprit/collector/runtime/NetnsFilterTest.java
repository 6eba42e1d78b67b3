package dev.culprit.collector.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NetnsFilterTest {

  @Test
  void acceptsEverythingWithoutPatterns() {
    assertThat(NetnsFilter.all().accepts(TestSources.netns("anything", 2))).isTrue();
  }

  @Test
  void includesByGlobAndExcludeWins() {
    NetnsFilter filter = new NetnsFilter(List.of("web-*", "db-?"), List.of("web-canary"));

    assertThat(filter.accepts(TestSources.netns("web-1", 2))).isTrue();
    assertThat(filter.accepts(TestSources.netns("db-1", 3))).isTrue();
    assertThat(filter.accepts(TestSources.netns("db-12", 4))).isFalse();
    assertThat(filter.accepts(TestSources.netns("web-canary", 5))).isFalse();
    assertThat(filter.accepts(TestSources.netns("cache", 6))).isFalse();
  }

  @Test
  void treatsRegexCharactersLiterally() {
    NetnsFilter filter = new NetnsFilter(List.of("a.b"), List.of());

    assertThat(filter.accepts(TestSources.netns("a.b", 2))).isTrue();
    assertThat(filter.accepts(TestSources.netns("axb", 3))).isFalse();
  }

  @Test
  void alwaysAcceptsTheHostsOwnNamespace() {
    NetnsFilter filter = new NetnsFilter(List.of("web-*"), List.of("*"));

    assertThat(filter.accepts(TestSources.HOST)).isTrue();
  }
}
