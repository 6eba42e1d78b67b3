package dev.culprit.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.culprit.broker.ContractTopics;
import dev.culprit.broker.TopicSettings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes read strictly into the Kubernetes API model (an unknown or misspelt field
 * fails), and the invariants that keep it in step with the rest of the repository: the collector's
 * capabilities are exactly README.md's list, nothing is privileged, every container has limits, the
 * image and the agent's flags are those of docker/Dockerfile and the launcher, and the topics are
 * what ContractTopics creates.
 */
class KubernetesManifestsTest {

  private static final Path REPO = Path.of("").toAbsolutePath().getParent();
  private static final Path DIR = REPO.resolve("deploy/kubernetes");

  /** Strict: a field the Kubernetes model does not have is an error, not silently ignored. */
  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .build();

  private static final YAMLMapper YAML = new YAMLMapper();

  private static final Map<String, Class<? extends HasMetadata>> KINDS =
      Map.of(
          "Namespace", Namespace.class,
          "ServiceAccount", ServiceAccount.class,
          "ConfigMap", ConfigMap.class,
          "DaemonSet", DaemonSet.class,
          "Deployment", Deployment.class);

  @Test
  void everyManifestParsesStrictlyIntoTheKubernetesModelAndKustomizationListsThemAll()
      throws IOException {
    List<Object> objects = loadAll();

    assertThat(objects).hasAtLeastOneElementOfType(DaemonSet.class);
    assertThat(objects).filteredOn(Deployment.class::isInstance).hasSize(2);
    JsonNode kustomization = YAML.readTree(DIR.resolve("kustomization.yaml").toFile());
    List<String> listed = new ArrayList<>();
    kustomization.get("resources").forEach(r -> listed.add(r.asText()));
    try (Stream<Path> files = Files.list(DIR)) {
      assertThat(listed)
          .containsExactlyInAnyOrderElementsOf(
              files
                  .map(f -> f.getFileName().toString())
                  .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
                  .toList());
    }
  }

  @Test
  void theCollectorHasExactlyTheDocumentedCapabilitiesAndIsNeverPrivileged() throws IOException {
    Container c = collector().getContainers().get(0);

    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getSecurityContext().getCapabilities().getAdd())
        .containsExactlyInAnyOrderElementsOf(readmeCapabilities());
    for (PodSpec spec : allPodSpecs()) {
      for (Container each : spec.getContainers()) {
        assertThat(each.getSecurityContext().getPrivileged()).as(each.getName()).isFalse();
        assertThat(each.getSecurityContext().getAllowPrivilegeEscalation())
            .as(each.getName())
            .isFalse();
      }
    }
  }

  @Test
  void theCollectorSeesTheHostReadOnlyWithNewNetworkNamespacesPropagated() throws IOException {
    PodSpec spec = collector();
    Container c = spec.getContainers().get(0);

    assertThat(spec.getHostPID()).isTrue();
    assertThat(spec.getHostNetwork()).isTrue();
    Map<String, String> hostPathByVolume =
        spec.getVolumes().stream()
            .filter(v -> v.getHostPath() != null)
            .collect(Collectors.toMap(Volume::getName, v -> v.getHostPath().getPath()));
    Map<String, VolumeMount> mountByHostPath = new LinkedHashMap<>();
    for (VolumeMount m : c.getVolumeMounts()) {
      if (hostPathByVolume.containsKey(m.getName())) {
        mountByHostPath.put(hostPathByVolume.get(m.getName()), m);
      }
    }
    assertThat(mountByHostPath)
        .containsKeys(
            "/proc", "/sys", "/sys/fs/cgroup", "/var/run/netns", "/var/log/pods", "/dev/kmsg");
    mountByHostPath.forEach(
        (host, m) -> {
          if (!host.equals("/var/lib/culprit/spool")) {
            assertThat(m.getReadOnly()).as(host + " read-only").isTrue();
          }
        });
    assertThat(mountByHostPath.get("/var/run/netns").getMountPropagation())
        .isEqualTo("HostToContainer");
    // Each flag names where its mount is.
    List<String> args = c.getArgs();
    assertThat(flag(args, "--proc-root")).isEqualTo(mountByHostPath.get("/proc").getMountPath());
    assertThat(flag(args, "--sys-root")).isEqualTo(mountByHostPath.get("/sys").getMountPath());
    assertThat(flag(args, "--cgroup-root"))
        .isEqualTo(mountByHostPath.get("/sys/fs/cgroup").getMountPath());
    assertThat(flag(args, "--pod-log-dir"))
        .isEqualTo(mountByHostPath.get("/var/log/pods").getMountPath());
  }

  @Test
  void everyContainerHasRequestsAndLimitsAndTheCollectorsLimitFitsItsMeasuredRss()
      throws IOException {
    for (PodSpec spec : allPodSpecs()) {
      for (Container c : spec.getContainers()) {
        assertThat(c.getResources().getLimits()).as(c.getName()).containsKeys("cpu", "memory");
        assertThat(c.getResources().getRequests()).as(c.getName()).containsKeys("cpu", "memory");
      }
    }
    Container collector = collector().getContainers().get(0);
    long limitBytes =
        io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(
                collector.getResources().getLimits().get("memory"))
            .longValue();
    // BENCHMARKS.md: the agent's RSS goal is 64 MiB; the -Xmx64m heap must fit with the rest.
    assertThat(limitBytes).isGreaterThan(64L << 20).isLessThanOrEqualTo(256L << 20);
  }

  @Test
  void imageJarAndAgentFlagsAreThoseOfTheDockerfileAndTheLauncher() throws IOException {
    String dockerfile = Files.readString(REPO.resolve("docker/Dockerfile"));
    String launcher = Files.readString(REPO.resolve("culprit"));
    Matcher copy = Pattern.compile("COPY --from=build .* (/opt/culprit/)").matcher(dockerfile);
    assertThat(copy.find()).as("Dockerfile copies the jars").isTrue();
    Matcher lean =
        Pattern.compile("(?s)if \\[ \"\\$\\{1:-}\" = collect ].*?default_opts=\"([^\"]+)\"")
            .matcher(launcher);
    assertThat(lean.find()).as("the launcher's collect flags").isTrue();

    Container c = collector().getContainers().get(0);
    assertThat(env(c, "CULPRIT_JAR"))
        .isEqualTo(copy.group(1) + "culprit-collect.jar")
        .satisfies(jar -> assertThat(dockerfile).contains("app/target/culprit-collect.jar"));
    assertThat(env(c, "CULPRIT_JAVA_OPTS").split("\\s+"))
        .containsExactly(lean.group(1).split("\\s+"));
    assertThat(c.getArgs().get(0)).isEqualTo("collect");
    JsonNode kustomization = YAML.readTree(DIR.resolve("kustomization.yaml").toFile());
    JsonNode image = kustomization.get("images").get(0);
    // docker/Dockerfile's build line tags the image culprit:dev.
    assertThat(dockerfile)
        .contains("-t " + image.get("newName").asText() + ":" + image.get("newTag").asText());
    for (PodSpec spec : allPodSpecs()) {
      for (Container each : spec.getContainers()) {
        assertThat(each.getImage()).isEqualTo(image.get("name").asText());
      }
    }
  }

  @Test
  void theProcessorRunsTwoReplicasOnDifferentNodes() throws IOException {
    Deployment processor =
        loadAll().stream()
            .filter(Deployment.class::isInstance)
            .map(Deployment.class::cast)
            .filter(d -> d.getMetadata().getName().equals("culprit-processor"))
            .findFirst()
            .orElseThrow();

    assertThat(processor.getSpec().getReplicas()).isEqualTo(2);
    // Each replica serves the live page on its own pod address, which the other routes to.
    var container = processor.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(flag(container.getArgs(), "--http-address")).isEqualTo("$(POD_IP):9470");
    assertThat(container.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("POD_IP");
              assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
            });
    assertThat(processor.getSpec().getTemplate().getSpec().getTopologySpreadConstraints())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
              assertThat(t.getWhenUnsatisfiable()).isEqualTo("DoNotSchedule");
              assertThat(t.getLabelSelector().getMatchLabels())
                  .isEqualTo(processor.getSpec().getSelector().getMatchLabels());
            });
  }

  @Test
  void theKafkaTopicsAreTheContractTopicsWithTheirPartitionsAndRetention() throws IOException {
    Map<String, JsonNode> topics = new LinkedHashMap<>();
    for (JsonNode doc : documents(DIR.resolve("topics.yaml"))) {
      assertThat(doc.get("apiVersion").asText()).isEqualTo("kafka.strimzi.io/v1beta2");
      assertThat(doc.get("kind").asText()).isEqualTo("KafkaTopic");
      assertThat(fieldNames(doc))
          .containsExactlyInAnyOrder("apiVersion", "kind", "metadata", "spec");
      assertThat(fieldNames(doc.get("spec")))
          .containsExactlyInAnyOrder("topicName", "partitions", "replicas", "config");
      assertThat(doc.at("/metadata/labels/strimzi.io~1cluster").isTextual()).isTrue();
      topics.put(doc.at("/spec/topicName").asText(), doc.get("spec"));
    }
    List<NewTopic> contract = ContractTopics.newTopics(TopicSettings.defaults());

    assertThat(topics.keySet())
        .containsExactlyInAnyOrderElementsOf(contract.stream().map(NewTopic::name).toList());
    for (NewTopic t : contract) {
      JsonNode spec = topics.get(t.name());
      assertThat(spec.get("partitions").asInt()).as(t.name()).isEqualTo(t.numPartitions());
      Map<String, String> config = new LinkedHashMap<>();
      spec.get("config")
          .fields()
          .forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
      assertThat(config).as(t.name()).isEqualTo(t.configs());
    }
  }

  /** The capabilities README.md's "What needs root" names, without their CAP_ prefix. */
  private static List<String> readmeCapabilities() throws IOException {
    String readme = Files.readString(REPO.resolve("README.md"));
    int start = readme.indexOf("**What needs root.**");
    String paragraph = readme.substring(start, readme.indexOf("\n\n", start));
    Matcher m = Pattern.compile("`CAP_([A-Z_]+)`").matcher(paragraph);
    List<String> caps = new ArrayList<>();
    while (m.find()) {
      caps.add(m.group(1));
    }
    assertThat(caps).as("README lists capabilities").isNotEmpty();
    return caps;
  }

  private static PodSpec collector() throws IOException {
    return loadAll().stream()
        .filter(DaemonSet.class::isInstance)
        .map(o -> ((DaemonSet) o).getSpec().getTemplate().getSpec())
        .findFirst()
        .orElseThrow();
  }

  private static List<PodSpec> allPodSpecs() throws IOException {
    List<PodSpec> specs = new ArrayList<>();
    for (Object o : loadAll()) {
      if (o instanceof DaemonSet d) {
        specs.add(d.getSpec().getTemplate().getSpec());
      } else if (o instanceof Deployment d) {
        specs.add(d.getSpec().getTemplate().getSpec());
      }
    }
    return specs;
  }

  /** Every Kubernetes object of the directory (the Strimzi topics apart), strictly parsed. */
  private static List<Object> loadAll() throws IOException {
    List<Object> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(DIR)) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        if (!name.endsWith(".yaml") || name.equals("kustomization.yaml")) {
          continue;
        }
        for (JsonNode doc : documents(f)) {
          String kind = doc.get("kind").asText();
          if (kind.equals("KafkaTopic")) {
            continue;
          }
          Class<? extends HasMetadata> type = KINDS.get(kind);
          assertThat(type).as(name + ": kind " + kind).isNotNull();
          HasMetadata object = STRICT.treeToValue(doc, type);
          assertNoUnknownFields(object, name + " " + kind);
          out.add(object);
        }
      }
    }
    return out;
  }

  /**
   * Fails on any field the model does not know. Jackson's FAIL_ON_UNKNOWN_PROPERTIES alone lets
   * them through: every fabric8 class keeps unknown fields in an "additionalProperties" map.
   */
  private static void assertNoUnknownFields(Object o, String where) {
    if (o == null || !o.getClass().getName().startsWith("io.fabric8.")) {
      if (o instanceof Iterable<?> items) {
        items.forEach(i -> assertNoUnknownFields(i, where));
      } else if (o instanceof Map<?, ?> map) {
        map.values().forEach(v -> assertNoUnknownFields(v, where));
      }
      return;
    }
    for (java.lang.reflect.Method m : o.getClass().getMethods()) {
      if (m.getParameterCount() != 0
          || !m.getName().startsWith("get")
          || m.getDeclaringClass() == Object.class) {
        continue;
      }
      Object value;
      try {
        value = m.invoke(o);
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
      String path = where + "." + m.getName().substring(3);
      if (m.getName().equals("getAdditionalProperties")) {
        assertThat((Map<?, ?>) value).as("unknown fields at " + where).isNullOrEmpty();
      } else {
        assertNoUnknownFields(value, path);
      }
    }
  }

  private static List<JsonNode> documents(Path file) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (var parser = new YAMLFactory().createParser(file.toFile())) {
      var it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isEmpty()) {
          docs.add(doc);
        }
      }
    }
    return docs;
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static String flag(List<String> args, String name) {
    int i = args.indexOf(name);
    assertThat(i).as(name).isNotNegative();
    return args.get(i + 1);
  }

  private static String env(Container c, String name) {
    return c.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .map(EnvVar::getValue)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no env " + name));
  }
}
