/**
 * The one way the agent runs an external command ({@code tc}, {@code iptables-save}, {@code
 * nsenter}): argument arrays, no shell, a timeout, {@code LANG=C}, stderr kept. Tests replay
 * captured output through the same interface.
 */
package dev.culprit.collector.platform.exec;
