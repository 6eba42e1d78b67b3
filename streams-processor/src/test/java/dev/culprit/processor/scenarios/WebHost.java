package dev.culprit.processor.scenarios;

import static dev.culprit.processor.SampleFactory.iface;
import static dev.culprit.processor.SampleFactory.loopback;

import dev.culprit.processor.SampleFactory;
import dev.culprit.schemas.InterfaceSample;
import dev.culprit.schemas.InterfaceStats;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A small Kubernetes-like host for rule scenarios: the host namespace with a NIC (eth0
 * 10.0.0.5/24), a bridge cni0 (10.88.0.1/16) and the veth of pod web-1, whose namespace has eth0
 * 10.88.0.7/16. Every device is MTU 1500 unless a scenario changes it.
 */
final class WebHost {

  static final String HOST = "node-7";
  static final String POD = "web-1";

  final SampleFactory samples = new SampleFactory(HOST, Scenario.cycle(0));

  static InterfaceStats.Builder nic() {
    return iface("eth0")
        .setIfindex(2)
        .setPeerIfindex(2)
        .setAddresses(new ArrayList<>(List.of("10.0.0.5/24", "fe80::5/64")));
  }

  static InterfaceStats.Builder bridge() {
    return iface("cni0")
        .setIfindex(3)
        .setPeerIfindex(3)
        .setLinkType("bridge")
        .setAddresses(new ArrayList<>(List.of("10.88.0.1/16", "fe80::88:1/64")));
  }

  static InterfaceStats.Builder hostVeth() {
    return iface("veth3f9e1a")
        .setIfindex(9)
        .setPeerIfindex(3)
        .setLinkType("veth")
        .setAddresses(new ArrayList<>(List.of("fe80::3f:1/64")));
  }

  static InterfaceStats.Builder podEth0() {
    return iface("eth0")
        .setIfindex(3)
        .setPeerIfindex(9)
        .setLinkType("veth")
        .setAddresses(new ArrayList<>(List.of("10.88.0.7/16", "fe80::88:7/64")));
  }

  /** The host namespace's interfaces, each changeable. */
  InterfaceSample hostInterfaces(
      UnaryOperator<InterfaceStats.Builder> nic,
      UnaryOperator<InterfaceStats.Builder> bridge,
      UnaryOperator<InterfaceStats.Builder> veth) {
    return samples.interfaces(
        "",
        loopback().build(),
        nic.apply(nic()).build(),
        bridge.apply(bridge()).build(),
        veth.apply(hostVeth()).build());
  }

  /** The pod's interfaces, each changeable. */
  InterfaceSample podInterfaces(
      UnaryOperator<InterfaceStats.Builder> lo, UnaryOperator<InterfaceStats.Builder> eth0) {
    return samples.interfaces(POD, lo.apply(loopback()).build(), eth0.apply(podEth0()).build());
  }
}
