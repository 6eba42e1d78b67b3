/**
 * Interfaces of a namespace: {@code /proc/net/dev}, sysfs and rtnetlink link statistics, addresses
 * and MTUs.
 */
package dev.culprit.collector.source.iface;
