/**
 * The Kafka Streams processor: {@link dev.culprit.processor.CulpritTopology#build} wires the whole
 * topology in one place; {@link dev.culprit.processor.CulpritProcessor} runs it.
 */
package dev.culprit.processor;
