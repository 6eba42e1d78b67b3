package dev.culprit.collector.publish.wire;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SASL mechanism with the user name and password to authenticate with, read from the standard
 * client properties {@code sasl.mechanism} and {@code sasl.jaas.config}.
 *
 * @param mechanism {@code PLAIN}, {@code SCRAM-SHA-256} or {@code SCRAM-SHA-512}
 */
public record SaslCredentials(String mechanism, String username, String password) {

  private static final String PLAIN_MODULE =
      "org.apache.kafka.common.security.plain.PlainLoginModule";
  private static final String SCRAM_MODULE =
      "org.apache.kafka.common.security.scram.ScramLoginModule";
  private static final Pattern ENTRY =
      Pattern.compile("^\\s*([\\w.$]+)\\s+(required|requisite|sufficient|optional)(.*);\\s*$");
  private static final Pattern OPTION =
      Pattern.compile("\\s*([\\w.-]+)\\s*=\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^\\s\"]+))");

  public SaslCredentials {
    mechanism = mechanism.toUpperCase(Locale.ROOT);
    if (!supported(mechanism)) {
      throw new IllegalArgumentException("SASL mechanism " + mechanism + " is not built in");
    }
  }

  /** Whether the built-in client speaks {@code mechanism}. */
  public static boolean supported(String mechanism) {
    return switch (mechanism.toUpperCase(Locale.ROOT)) {
      case "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512" -> true;
      default -> false;
    };
  }

  /**
   * The credentials in {@code jaasConfig}, e.g. {@code
   * org.apache.kafka.common.security.scram.ScramLoginModule required username="agent"
   * password="secret";}.
   *
   * @throws IllegalArgumentException naming what is wrong (never the password)
   */
  public static SaslCredentials fromJaas(String mechanism, String jaasConfig) {
    if (jaasConfig == null || jaasConfig.isBlank()) {
      throw new IllegalArgumentException("sasl.jaas.config is missing");
    }
    Matcher entry = ENTRY.matcher(jaasConfig.trim());
    if (!entry.matches()) {
      throw new IllegalArgumentException(
          "sasl.jaas.config is not '<LoginModule> required username=\"…\" password=\"…\";'");
    }
    String module = entry.group(1);
    String expected = mechanism.equalsIgnoreCase("PLAIN") ? PLAIN_MODULE : SCRAM_MODULE;
    if (!module.equals(expected)) {
      throw new IllegalArgumentException(
          "sasl.jaas.config names "
              + module
              + "; sasl.mechanism="
              + mechanism
              + " needs "
              + expected);
    }
    Map<String, String> options = new HashMap<>();
    Matcher option = OPTION.matcher(entry.group(3));
    int at = 0;
    while (option.find() && option.start() == at) {
      String value = option.group(2) != null ? unescape(option.group(2)) : option.group(3);
      options.put(option.group(1), value);
      at = option.end();
    }
    if (!entry.group(3).substring(at).isBlank()) {
      throw new IllegalArgumentException(
          "sasl.jaas.config has an option that is not name=\"value\"");
    }
    String user = options.get("username");
    String password = options.get("password");
    if (user == null || password == null) {
      throw new IllegalArgumentException("sasl.jaas.config needs username and password");
    }
    return new SaslCredentials(mechanism, user, password);
  }

  /** Without the password: records print in logs. */
  @Override
  public String toString() {
    return "SaslCredentials[" + mechanism + ", user " + username + "]";
  }

  private static String unescape(String s) {
    return s.replaceAll("\\\\(.)", "$1");
  }
}
