package dev.culprit.collector.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent's generated record classes against Avro's: the same topics and schemas, and records
 * filled at random (hostile strings, extreme numbers, empty and full collections, nulls wherever
 * the schema allows them) that the processor's serde reads back to the same values.
 */
class WireRecordsTest {

  private static final int RECORDS_PER_TOPIC = 300;

  private static final String[] HOSTILE = {
    "", "eth0", "a b", "é", "💥", "\u0000", "\n'\"$(reboot)`", "x".repeat(300), "\u202e-evil"
  };

  static List<WireTopic<?>> topics() {
    return WireTopics.all();
  }

  @Test
  void everySampleTopicOfTheContractIsAWireTopicAndNoOther() {
    assertThat(WireTopics.all()).extracting(WireTopic::name).doesNotHaveDuplicates();
    assertThat(WireTopics.all())
        .extracting(WireTopic::name)
        .containsExactlyInAnyOrderElementsOf(Topics.samples().stream().map(Topic::name).toList());
  }

  @ParameterizedTest
  @MethodSource("topics")
  void carriesTheSchemaAvroPrintsAndItsFingerprint(WireTopic<?> wire) {
    Schema schema = avro(wire).valueSchema();
    assertThat(wire.schemaJson()).isEqualTo(schema.toString());
    assertThat(wire.schemaName()).isEqualTo(schema.getFullName());
    assertThat(wire.fingerprint()).isEqualTo(SchemaNormalization.parsingFingerprint64(schema));
    assertThat(wire.valueType().getSimpleName()).isEqualTo(schema.getName());
  }

  @ParameterizedTest
  @MethodSource("topics")
  void randomRecordsReadBackThroughTheProcessorsSerdeWithTheSameValues(WireTopic<?> wire)
      throws Exception {
    Topic<?> avro = avro(wire);
    Schema schema = avro.valueSchema();
    Random random = new Random(wire.name().hashCode());
    for (int i = 0; i < RECORDS_PER_TOPIC; i++) {
      WireSample record = (WireSample) fill(wire.valueType(), schema, random);
      if (record instanceof ProtocolSample p) {
        // What the protocol source sets: the counters by name, some of them in the packed table.
        p.setCounters(counters(random));
        p.setCounterPresent(null);
        p.setCounterValues(null);
      }
      byte[] bytes = wire.encode(record);

      SpecificRecord back = avro.valueSerde().decode(bytes);

      assertThat(tree(back)).as("record %d of %s", i, wire.name()).isEqualTo(tree(record));
    }
  }

  @Test
  void theProtocolSampleGoesOnTheLogPackedAndTheSerdeUnpacksIt() {
    ProtocolSample s = (ProtocolSample) fill(ProtocolSample.class, schemaOf(ProtocolSample.class));
    Map<String, Long> counters = new HashMap<>();
    counters.put("Tcp.InSegs", 7L);
    counters.put("TcpExt.ListenDrops", 1L);
    counters.put("Culprit.NotInTheTable", 3L);
    s.setCounters(counters);
    s.setCounterPresent(null);
    s.setCounterValues(null);

    ProtocolSample packed = ProtocolPacking.pack(s);

    assertThat(packed.getCounters()).containsOnlyKeys("Culprit.NotInTheTable");
    assertThat(packed.getCounterValues()).containsExactly(7L, 1L); // in table order
    assertThat(s.getCounters()).hasSize(3); // the source's record is left as it was
    dev.culprit.schemas.ProtocolSample back =
        Topics.PROTOCOL.valueSerde().decode(WireTopics.PROTOCOL.encode(s));
    assertThat(back.getCounters()).isEqualTo(counters);
    assertThat(back.getCounterPresent()).isNull();
  }

  @Test
  void aNullWhereTheSchemaAllowsNoneIsRefusedNamingTheField() {
    ProbeSample s =
        (ProbeSample) fill(ProbeSample.class, schemaOf(ProbeSample.class), new Random(1));
    s.setHost(null);

    assertThatThrownBy(() -> WireTopics.PROBE.encode(s))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ProbeSample.host");
  }

  @Test
  void aRecordOfAnotherTopicIsRefused() {
    ProbeSample s =
        (ProbeSample) fill(ProbeSample.class, schemaOf(ProbeSample.class), new Random(2));

    assertThatThrownBy(() -> WireTopics.INTERFACE.encode(s))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ProbeSample does not belong on culprit.samples.interface");
  }

  @ParameterizedTest
  @MethodSource("topics")
  void buildersGiveUnsetFieldsTheSchemaDefaultsAndRefuseAMissingRequiredOne(WireTopic<?> wire)
      throws Exception {
    Random random = new Random(7);
    for (Class<?> type : recordClasses(wire.valueType(), avro(wire).valueSchema())) {
      Schema schema = schemaOf(type);
      Object filled = fill(type, schema, random);
      // Only the fields without a default set: every other one must come out as the schema says.
      Object builder = type.getMethod("newBuilder").invoke(null);
      for (Schema.Field f : schema.getFields()) {
        if (!f.hasDefaultValue()) {
          Object v = type.getMethod(getter(f)).invoke(filled);
          builder.getClass().getMethod(setterName(f), fieldType(type, f)).invoke(builder, v);
        }
      }
      Object built = builder.getClass().getMethod("build").invoke(builder);
      for (Schema.Field f : schema.getFields()) {
        Object got = type.getMethod(getter(f)).invoke(built);
        if (f.hasDefaultValue()) {
          assertThat(tree(got))
              .as("%s.%s", type.getSimpleName(), f.name())
              .isEqualTo(tree(SpecificData.get().getDefaultValue(f)));
        } else {
          assertThat(tree(got)).isEqualTo(tree(type.getMethod(getter(f)).invoke(filled)));
        }
      }
      // A copy through newBuilder(other) is the same record.
      Object copy = invokeBuild(type.getMethod("newBuilder", type).invoke(null, filled));
      assertThat(tree(copy)).as("%s copied", type.getSimpleName()).isEqualTo(tree(filled));
      // A required field left unset is refused, as Avro's builders refuse it.
      Schema.Field required =
          schema.getFields().stream().filter(f -> !f.hasDefaultValue()).findFirst().orElse(null);
      if (required != null) {
        Object empty = type.getMethod("newBuilder").invoke(null);
        assertThatThrownBy(() -> invokeBuild(empty))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining(required.name());
      }
    }
  }

  private static Object invokeBuild(Object builder) throws Exception {
    try {
      return builder.getClass().getMethod("build").invoke(builder);
    } catch (InvocationTargetException e) {
      throw (Exception) e.getCause();
    }
  }

  private static String getter(Schema.Field f) {
    return "get" + Character.toUpperCase(f.name().charAt(0)) + f.name().substring(1);
  }

  private static String setterName(Schema.Field f) {
    return "set" + Character.toUpperCase(f.name().charAt(0)) + f.name().substring(1);
  }

  /** The Java type of field {@code f} on {@code type}. */
  private static Class<?> fieldType(Class<?> type, Schema.Field f) throws Exception {
    return type.getMethod(getter(f)).getReturnType();
  }

  /** {@code type} and the classes of every record nested in it. */
  private static List<Class<?>> recordClasses(Class<?> type, Schema schema) throws Exception {
    List<Class<?>> out = new ArrayList<>();
    collect(schema, out, new java.util.HashSet<>());
    return out;
  }

  private static void collect(Schema s, List<Class<?>> out, java.util.Set<String> seen)
      throws ClassNotFoundException {
    switch (s.getType()) {
      case RECORD -> {
        if (seen.add(s.getName())) {
          out.add(Class.forName("dev.culprit.collector.records." + s.getName()));
          for (Schema.Field f : s.getFields()) {
            collect(f.schema(), out, seen);
          }
        }
      }
      case ARRAY -> collect(s.getElementType(), out, seen);
      case MAP -> collect(s.getValueType(), out, seen);
      case UNION -> {
        for (Schema t : s.getTypes()) {
          collect(t, out, seen);
        }
      }
      default -> {}
    }
  }

  private static Topic<?> avro(WireTopic<?> wire) {
    return Topics.byName(wire.name()).orElseThrow();
  }

  private static Schema schemaOf(Class<?> wireType) {
    try {
      return SpecificData.get()
          .getSchema(Class.forName("dev.culprit.schemas." + wireType.getSimpleName()));
    } catch (ClassNotFoundException e) {
      throw new AssertionError(e);
    }
  }

  private static Map<String, Long> counters(Random random) {
    List<String> names = ProtocolSample.COUNTER_VALUES_COUNTER_NAMES;
    Map<String, Long> out = new HashMap<>();
    int n = random.nextInt(names.size());
    for (int i = 0; i < n; i++) {
      out.put(names.get(random.nextInt(names.size())), random.nextLong());
    }
    if (random.nextBoolean()) {
      out.put("Future." + random.nextInt(1000), random.nextLong());
    }
    return out;
  }

  private static Object fill(Class<?> type, Schema schema) {
    return fill(type, schema, new Random(0));
  }

  /** A record of the agent's class {@code type} with every field set at random. */
  private static Object fill(Class<?> type, Schema schema, Random random) {
    try {
      Object record = type.getConstructor().newInstance();
      for (Schema.Field f : schema.getFields()) {
        Method setter = setter(type, f.name());
        setter.invoke(record, value(f.schema(), setter.getParameterTypes()[0], random));
      }
      return record;
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  private static Method setter(Class<?> type, String field) {
    String name = "set" + Character.toUpperCase(field.charAt(0)) + field.substring(1);
    for (Method m : type.getMethods()) {
      if (m.getName().equals(name)
          && m.getParameterCount() == 1
          && !Modifier.isStatic(m.getModifiers())) {
        return m;
      }
    }
    throw new AssertionError(type.getSimpleName() + " has no " + name);
  }

  private static Object value(Schema s, Class<?> javaType, Random random)
      throws ClassNotFoundException {
    return switch (s.getType()) {
      case UNION -> {
        if (random.nextInt(4) == 0) {
          yield null;
        }
        Schema other =
            s.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().get();
        yield value(other, javaType, random);
      }
      case STRING -> HOSTILE[random.nextInt(HOSTILE.length)] + random.nextInt(100);
      case LONG ->
          switch (random.nextInt(4)) {
            case 0 -> Long.MIN_VALUE;
            case 1 -> Long.MAX_VALUE;
            case 2 -> (long) random.nextInt(200) - 100;
            default -> random.nextLong();
          };
      case INT ->
          switch (random.nextInt(3)) {
            case 0 -> Integer.MIN_VALUE;
            case 1 -> Integer.MAX_VALUE;
            default -> random.nextInt();
          };
      case BOOLEAN -> random.nextBoolean();
      case DOUBLE -> random.nextInt(5) == 0 ? Double.NaN : random.nextGaussian() * 1e6;
      case FLOAT -> random.nextFloat();
      case BYTES -> {
        byte[] b = new byte[random.nextInt(20) + 2];
        random.nextBytes(b);
        ByteBuffer buf = ByteBuffer.wrap(b);
        buf.position(1); // the encoder writes what remains, as Avro's does
        yield buf;
      }
      case ENUM -> {
        Class<?> e = Class.forName("dev.culprit.collector.records." + s.getName());
        Object[] constants = e.getEnumConstants();
        yield constants[random.nextInt(constants.length)];
      }
      case RECORD -> fill(Class.forName("dev.culprit.collector.records." + s.getName()), s, random);
      case ARRAY -> {
        List<Object> list = new ArrayList<>();
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          list.add(value(s.getElementType(), Object.class, random));
        }
        yield list;
      }
      case MAP -> {
        Map<String, Object> map = new HashMap<>();
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          map.put("k" + random.nextInt(1000), value(s.getValueType(), Object.class, random));
        }
        yield map;
      }
      default -> throw new AssertionError("no random value for " + s);
    };
  }

  /** A record (either kind) as nested maps, lists and plain values, to compare the two kinds. */
  private static Object tree(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof SpecificRecord r) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Schema.Field f : r.getSchema().getFields()) {
        out.put(f.name(), tree(r.get(f.pos())));
      }
      return out;
    }
    if (v instanceof WireRecord r) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Schema.Field f : schemaOf(r.getClass()).getFields()) {
        String getter = "get" + Character.toUpperCase(f.name().charAt(0)) + f.name().substring(1);
        try {
          out.put(f.name(), tree(r.getClass().getMethod(getter).invoke(r)));
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(e);
        }
      }
      return out;
    }
    if (v instanceof List<?> l) {
      return l.stream().map(WireRecordsTest::tree).toList();
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new TreeMap<>();
      m.forEach((k, x) -> out.put(k.toString(), tree(x)));
      return out;
    }
    if (v instanceof Enum<?> e) {
      return e.name();
    }
    if (v instanceof ByteBuffer b) {
      byte[] bytes = new byte[b.remaining()];
      b.duplicate().get(bytes);
      return HexFormat.of().formatHex(bytes);
    }
    if (v instanceof CharSequence c) {
      return c.toString();
    }
    return v;
  }
}
