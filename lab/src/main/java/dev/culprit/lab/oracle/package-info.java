/**
 * Readers of the kernel's own counters and listings ({@code /proc/net/dev}, {@code snmp}, {@code
 * netstat}, {@code stat/nf_conntrack}, {@code tcp}, {@code ip -j}, {@code tc -j}, {@code iptables
 * -nvxL}) with which the lab shows its faults working and its tests check what culprit reports.
 * They are kept apart from the collector's parsers on purpose, never shared with them: a parser bug
 * in the collector must not be mirrored by the lab that checks it.
 */
package dev.culprit.lab.oracle;
