/**
 * One class per OOM-kill or CPU-throttling cause, judging what the OOM join gathered about a
 * container and its kill.
 */
package dev.culprit.processor.rules.oom;
