/**
 * Kernel OOM-kill records followed on {@code /dev/kmsg}, with the kernel's clock mapped to wall
 * time.
 */
package dev.culprit.collector.source.oom;
