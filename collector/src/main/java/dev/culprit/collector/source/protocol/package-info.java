/**
 * {@code /proc/net/snmp} and {@code /proc/net/netstat} of a namespace, every counter by its kernel
 * name.
 */
package dev.culprit.collector.source.protocol;
