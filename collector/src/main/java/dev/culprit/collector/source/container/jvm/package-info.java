/**
 * The heap ceiling of each JVM in a container, from its own performance data or its flags and the
 * JDK's ergonomics: what {@code java -XX:+PrintFlagsFinal} would say, without running anything in
 * the container.
 */
package dev.culprit.collector.source.container.jvm;
