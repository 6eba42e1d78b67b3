/**
 * rtnetlink and nfnetlink over JNA, and the per-namespace handles that keep those sockets and
 * namespace files open, so a cycle reads links, addresses, qdiscs and firewall tables of every
 * namespace without forking {@code ip}, {@code tc} or {@code nsenter}.
 */
package dev.culprit.collector.platform.netlink;
