/** Firewall rules with their counters: iptables (legacy and nft backends) and native nftables. */
package dev.culprit.collector.source.firewall;
